import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A secret kept in a file under DATA_DIR (mode 600): read if it is there, else made from 32
 * random bytes and written. Two processes starting at once on one DATA_DIR (API and workers)
 * end with the same secret: the second's exclusive create fails and it reads the first's.
 */
export function readOrCreateSecret(dataDir: string, name: string): { secret: string; created: boolean; file: string } {
  const file = path.join(dataDir, name);
  const existing = readSecret(file);
  if (existing) return { secret: existing, created: false, file };
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const other = (error as NodeJS.ErrnoException).code === 'EEXIST' ? readSecret(file) : null;
    if (!other) throw error;
    return { secret: other, created: false, file };
  }
  chmodSync(file, 0o600);
  return { secret, created: true, file };
}

function readSecret(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim() || null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
