import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobId } from '../../src/queues/queues.js';
import { startRedisServer, type LocalRedis } from '../../src/runtime/local-redis.js';
import { testBackends } from '../support/database.js';
import {
  createShortNoticeWindow,
  deliveryStatuses,
  insertManagers,
  insertReminderDueAt,
  managersAnnouncement,
  noticeRow,
  oncePerRecipient,
  receiptsOf,
  tally,
} from '../support/notice-fixtures.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

const SECOND = 1000;
const MANAGERS = 50;

/**
 * Redis is only the clock: when it loses its data, the reconciler (every second in the
 * test stack) gives every pending row its job again, and nothing is sent twice.
 */
describe.each(testBackends)('when Redis loses its data on $name', (backend) => {
  let stack: TestStack;
  let managers: string[];
  let restarted: LocalRedis | undefined;

  beforeAll(async () => {
    // Only the envelope and Message-ID are counted: parsing whole messages would slow the two cores and the receipt times.
    stack = await startTestStack(backend, {}, { parseMail: false });
    managers = await insertManagers(stack.database.db, MANAGERS, { systems: ['tes'], tag: 'redis' });
  });
  afterAll(async () => {
    await stack?.stop();
    await restarted?.stop();
  });

  const receipts = () => receiptsOf(stack.smtp);

  /**
   * A window whose announcement has gone out (its finished jobs, which deduplicate re-adds, are
   * about to be lost too), and a reminder due a few seconds ahead with its delayed job. A loss in
   * the middle of a fan-out is test/workers/worker-race.test.ts's, with a fan-out slow enough to tell.
   */
  async function pendingNotices(daysAhead: number) {
    const window = await createShortNoticeWindow(stack.api, ['tes'], daysAhead);
    const announcement = managersAnnouncement(window);
    await eventually(() => noticeRow(stack.database.db, announcement.id), (n) => n.status === 'sent', 10 * SECOND);
    const reminder = await insertReminderDueAt(stack.database.db, window.id, new Date(Date.now() + 4 * SECOND));
    await stack.workers.scheduler.scheduleNotices([reminder]);
    const job = await stack.workers.queues.notices.getJob(jobId.notice(reminder.id, reminder.revision));
    expect(await job?.getState()).toBe('delayed');
    return { window, announcement, reminder };
  }

  async function expectEachManagerOnce(noticeIds: string[]) {
    for (const id of noticeIds) {
      const row = await eventually(() => noticeRow(stack.database.db, id), (n) => n.status !== 'pending', 10 * SECOND);
      expect(row.status).toBe('sent');
      expect(await deliveryStatuses(stack.database.db, id)).toEqual({ sent: MANAGERS });
      const counted = tally(receipts(), id);
      expect(counted.perRecipient).toEqual(oncePerRecipient(managers));
      expect(counted.total).toBe(MANAGERS);
    }
  }

  it('when Redis is flushed while notices are pending, then the reconciler restores their jobs and each manager gets each notice once', async () => {
    const { announcement, reminder } = await pendingNotices(2);
    const redis = new Redis(stack.redis.url);
    try {
      expect(await redis.flushall()).toBe('OK');
    } finally {
      redis.disconnect();
    }

    await expectEachManagerOnce([announcement.id, reminder.id]);
    const row = await noticeRow(stack.database.db, reminder.id);
    expect(row.dispatched_at!.getTime()).toBeGreaterThanOrEqual(reminder.due_at.getTime());
  });

  it('when redis-server is restarted empty on the same port while notices are pending, then each manager still gets each notice once', async () => {
    const { announcement, reminder } = await pendingNotices(3);
    const port = Number(new URL(stack.redis.url).port);
    await stack.redis.stop();
    restarted = await startRedisServer({ port });

    await expectEachManagerOnce([announcement.id, reminder.id]);
  });
});
