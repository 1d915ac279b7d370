import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRedis } from '../../src/runtime/local-redis.js';
import { startTestRedis } from '../support/redis.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(new URL('README.md', `file://${ROOT}`), 'utf8');

/** The README's "Trying it out" section, up to the next heading of its level. */
function walkthrough(): string {
  const start = README.indexOf('## Trying it out');
  const end = README.indexOf('\n## ', start + 1);
  if (start < 0) throw new Error('the README has no "Trying it out" section');
  return README.slice(start, end < 0 ? undefined : end);
}

/** Its fenced `sh` blocks, in order. */
function shellBlocks(section: string): string[] {
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function run(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-euo', 'pipefail', '-c', script], { cwd: ROOT, env: { PATH: process.env.PATH!, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the README walkthrough', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'driftstopp-readme-'));
  let redis: LocalRedis;
  let service: ChildProcess;
  let port: number;

  beforeAll(async () => {
    [redis, port] = await Promise.all([startTestRedis(), freePort()]);
    // `npm start` as a fresh clone runs it: PGlite and the outbox under DATA_DIR, a token generated at first start.
    service = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      stdio: 'ignore',
      env: { PATH: process.env.PATH!, PORT: String(port), DATA_DIR: dataDir, REDIS_URL: redis.url, LOG_LEVEL: 'silent', WORKER_NICE: '0' },
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
      if (ready) break;
      if (Date.now() > deadline || service.exitCode !== null) throw new Error('the service did not become ready');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });

  afterAll(async () => {
    if (service && service.exitCode === null) {
      const exited = new Promise((resolve) => service.once('exit', resolve));
      service.kill('SIGTERM');
      await exited;
    }
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('when a newcomer reads it, then it names PORT, starts the service, takes its dates from /api/slots and shows reschedule and cancel', () => {
    const section = walkthrough();
    expect(section).toContain('`PORT`');
    expect(section).toContain('npm start');
    expect(section).toContain('/slots');
    expect(section).toMatch(/-X PATCH/);
    expect(section).toMatch(/\/cancel"/);
    // No fixed date that will one day be in the past.
    expect(section).not.toMatch(/"start":"\d{4}-/);
  });

  it('when its commands run against a started service, then each succeeds and the window ends moved once and cancelled', async () => {
    // The blocks that install and start the service are what beforeAll did.
    const commands = shellBlocks(walkthrough()).filter((block) => !/\bnpm (ci|start)\b/.test(block));
    expect(commands.length).toBeGreaterThan(0);
    const result = await run(commands.join('\n'), { PORT: String(port), DATA_DIR: dataDir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);

    const token = readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
    const windows = (await (await fetch(`http://127.0.0.1:${port}/api/windows`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      items: { status: string; revision: number; title: string }[];
    };
    expect(windows.items).toEqual([expect.objectContaining({ title: 'Uppgradering av Tes', status: 'cancelled', revision: 3 })]);
    expect(result.stdout).toContain('"subject":"Planerat driftstopp: Tes ');
  });
});
