import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type LocalRedis } from '../../src/runtime/local-redis.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('npm run workers, as its own process', () => {
  let redis: LocalRedis;
  let dataDir: string;

  beforeAll(async () => {
    redis = await startRedisServer();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'driftstopp-workers-'));
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('when started with WORKER_NICE, then it runs that much nicer than its parent and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, REDIS_URL: redis.url, DATA_DIR: dataDir, WORKER_NICE: '5', LOG_LEVEL: 'info', DATABASE_URL: '' },
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`workers not started within 60 s: ${log}`)), 60_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        log += chunk.toString('utf8');
        if (log.includes('driftstopp started')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
      void exited.then((code) => reject(new Error(`workers exited (${code}) before they started: ${log}`)));
    });

    expect(os.getPriority(child.pid)).toBe(Math.min(19, os.getPriority() + 5));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(log).toContain('shutting down');
  });
});
