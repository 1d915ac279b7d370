import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type LocalRedis } from '../../src/runtime/local-redis.js';
import { readRedisSettings, redisWarnings } from '../../src/runtime/redis-check.js';

describe('Redis settings that can lose jobs', () => {
  let volatile: LocalRedis;
  let durable: LocalRedis;
  beforeAll(async () => {
    volatile = await startRedisServer();
    durable = await startRedisServer({ dir: `/tmp/driftstopp-redis-check-${process.pid}` });
  });
  afterAll(async () => {
    await volatile?.stop();
    await durable?.stop();
  });

  it('when Redis keeps nothing on disk, then start-up warns about it', async () => {
    const [settings, ...more] = await readRedisSettings(volatile.url);
    expect(more).toEqual([]);
    const warnings = redisWarnings(settings!);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('appendonly');
  });

  it('when Redis persists with AOF and never evicts, then there is nothing to warn about', async () => {
    expect((await readRedisSettings(durable.url)).map((settings) => redisWarnings(settings))).toEqual([[]]);
  });

  it('when the eviction policy may drop keys, then start-up names the policy', () => {
    const warnings = redisWarnings({ 'maxmemory-policy': 'allkeys-lru', appendonly: 'yes', save: '' });
    expect(warnings).toEqual([expect.stringContaining('"allkeys-lru"')]);
  });

  it('when CONFIG is not allowed (nothing known), then nothing is claimed', () => {
    expect(redisWarnings({})).toEqual([]);
  });
});
