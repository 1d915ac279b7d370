import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openQueues, redisConnection } from '../../src/queues/queues.js';
import { startRedisServer, type LocalRedis } from '../../src/runtime/local-redis.js';
import { connectRedisUrl, startApi } from '../../src/service.js';
import { openDatabase } from '../../src/storage/database.js';
import { migrateToLatest } from '../../src/storage/migrate.js';

/** A password that only works when the URL is decoded: a colon, an @ and a non-ASCII letter. */
const PASSWORD = 'hemlig:lösen@1';
const logger = pino({ level: 'silent' });

describe('REDIS_URL with a password and a database number, against a real redis-server with requirepass', () => {
  let redis: LocalRedis;
  let dataDir: string;
  let base: string;

  beforeAll(async () => {
    redis = await startRedisServer({ password: PASSWORD });
    base = redis.url;
    expect(base).toContain(':hemlig%3Al%C3%B6sen%401@');
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'driftstopp-redis-url-'));
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const configFor = (redisUrl: string) =>
    loadConfig({ REDIS_URL: redisUrl, DATA_DIR: dataDir, PORT: '0', API_TOKENS: 'admin:an-admin-token-of-sufficient-length' });

  it('when REDIS_URL is redis://:password@host:port/3, then start-up uses it as given and BullMQ keeps its jobs in database 3', async () => {
    const config = configFor(`${base}/3`);
    const connected = await connectRedisUrl(config, logger);
    expect(connected).toEqual({ url: `${base}/3`, local: null });

    const connection = redisConnection(connected.url);
    const queues = openQueues(connection, 'settings');
    const done = new Promise<string>((resolve) => {
      const worker = new Worker('notices', async (job) => job.data.value, { connection: redisConnection(connected.url), prefix: 'settings' });
      worker.on('completed', (_job, value: string) => void worker.close().then(() => resolve(value)));
    });
    await queues.notices.add('probe', { value: 'kom fram' });
    expect(await done).toBe('kom fram');
    await queues.close();
    connection.disconnect();

    const keysIn = async (db: number) => {
      const client = new Redis(`${base}/${db}`);
      try {
        return await client.keys('settings:*');
      } finally {
        client.disconnect();
      }
    };
    expect((await keysIn(3)).length).toBeGreaterThan(0);
    expect(await keysIn(0)).toEqual([]);
  });

  it('when REDIS_URL has a password and a database number, then /readyz reports Redis reachable', async () => {
    const config = configFor(`${base}/3`);
    const db = await openDatabase({});
    await migrateToLatest(db);
    const api = await startApi({ config, db, redisUrl: config.redisUrl, logger, onCommitted: async () => {} });
    try {
      const response = await fetch(`http://127.0.0.1:${api.port}/readyz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ready', checks: { redis: true, database: true } });
    } finally {
      await api.close();
      await db.destroy();
    }
  });

  it('when REDIS_URL has the wrong password, then start-up stops with a line naming REDIS_URL that does not show the password', async () => {
    const wrong = `${base.replace('hemlig%3Al%C3%B6sen%401', 'fel')}/3`;
    const error = await connectRedisUrl(configFor(wrong), logger).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/^REDIS_URL: .*refuses: WRONGPASS/);
    expect(error?.message).not.toContain('fel@');
    expect(error?.message).not.toContain('\n');
  });

  it('when REDIS_URL names this single server as a Redis Cluster, then start-up stops naming REDIS_URL and the form to write, not showing the password', async () => {
    const cluster = base.replace(/^redis:/, 'redis+cluster:');
    const error = await connectRedisUrl(configFor(cluster), logger).then(
      () => null,
      (e: Error) => e,
    );
    // The password reached the node: a NOAUTH refusal would read otherwise.
    expect(error?.message).toMatch(/^REDIS_URL: the Redis at redis\+cluster:\/\/:\*\*\*@127\.0\.0\.1:\d+ is a single Redis server, not a Redis Cluster node: name it as redis:\/\/host:port$/);
  });

  it('when REDIS_URL names a database the server does not have, then start-up stops naming REDIS_URL rather than starting a private Redis', async () => {
    const error = await connectRedisUrl(configFor(`${base}/99`), logger).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/^REDIS_URL: .*DB index is out of range/);
    expect(error?.message).not.toContain('hemlig');
  });
});
