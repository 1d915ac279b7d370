import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRedisServer, type LocalRedis } from '../../src/runtime/local-redis.js';

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

  it('when started with WORKER_NICE and METRICS_PORT, then it runs that much nicer than its parent, serves /metrics and /healthz there, and stops cleanly on SIGTERM', async () => {
    const metricsPort = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, REDIS_URL: redis.url, DATA_DIR: dataDir, WORKER_NICE: '5', LOG_LEVEL: 'info', DATABASE_URL: '', METRICS_PORT: String(metricsPort) },
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
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toContain('# TYPE driftstopp_deliveries_total counter');
    expect(text).toContain('# TYPE driftstopp_delivery_latency_seconds histogram');
    expect(text).toContain('driftstopp_deliveries{status="stalled"} 0');
    expect(await (await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).json()).toEqual({ status: 'ok' });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(log).toContain('shutting down');
  });
});
