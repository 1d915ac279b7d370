import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NoticeScheduler } from '../../src/queues/notice-scheduler.js';
import { jobId, openQueues, redisConnection, type Queues } from '../../src/queues/queues.js';
import type { LocalRedis } from '../../src/runtime/local-redis.js';
import type { RedisClient } from '../../src/runtime/redis-client.js';
import { startTestRedis } from '../support/redis.js';

const HOUR = 3_600_000;

describe('scheduling what was committed together', () => {
  let redis: LocalRedis;
  let connection: RedisClient;
  let queues: Queues;

  beforeAll(async () => {
    redis = await startTestRedis();
    connection = redisConnection(redis.url);
    queues = openQueues(connection, `scheduler-${randomUUID().slice(0, 8)}`);
  });
  afterAll(async () => {
    await queues?.close();
    connection?.disconnect();
    await redis?.stop();
  });

  it('when ten windows are committed at once, then each notice and window has its job, added in one round trip per queue', async () => {
    const scheduler = new NoticeScheduler(queues);
    const bulks = { notices: 0, maintenance: 0 };
    for (const name of ['notices', 'maintenance'] as const) {
      const addBulk = queues[name].addBulk.bind(queues[name]);
      queues[name].addBulk = (jobs) => ((bulks[name] += 1), addBulk(jobs));
    }
    const start = new Date(Date.now() + 48 * HOUR);
    const changes = Array.from({ length: 10 }, () => {
      const window = { id: randomUUID(), revision: 1, start_at: start, end_at: new Date(start.getTime() + HOUR), status: 'scheduled' };
      const notices = [1, 2, 3].map((n) => ({ id: randomUUID(), revision: 1, due_at: new Date(Date.now() + n * HOUR) }));
      return { window, notices };
    });

    await Promise.all(changes.map((change) => scheduler.scheduleCommitted(change)));

    expect(bulks).toEqual({ notices: 1, maintenance: 1 });
    for (const { window, notices } of changes) {
      for (const n of notices) expect(await queues.notices.getJob(jobId.notice(n.id, n.revision))).toBeDefined();
      expect(await queues.maintenance.getJob(jobId.windowTransition(window.id, 1, 'in_progress'))).toBeDefined();
      expect(await queues.maintenance.getJob(jobId.windowTransition(window.id, 1, 'completed'))).toBeDefined();
    }
  });
});
