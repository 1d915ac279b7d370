import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ApiToken } from '../config.js';

/** The generated token's name in the audit trail: "Registrerat av admin". */
export const GENERATED_TOKEN_NAME = 'admin';

/**
 * The API tokens: those configured in API_TOKENS, or else one admin token generated at
 * first start and kept in DATA_DIR/admin-token (mode 600). `created` tells the caller to
 * print it, once.
 */
export function resolveTokens(configured: readonly ApiToken[] | undefined, dataDir: string): { tokens: readonly ApiToken[]; created: string | null; file: string } {
  const file = path.join(dataDir, 'admin-token');
  if (configured) return { tokens: configured, created: null, file };
  if (existsSync(file)) {
    return { tokens: [{ role: 'admin', name: GENERATED_TOKEN_NAME, token: readFileSync(file, 'utf8').trim() }], created: null, file };
  }
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { tokens: [{ role: 'admin', name: GENERATED_TOKEN_NAME, token }], created: token, file };
}
