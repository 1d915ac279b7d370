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
    stack = await startTestStack(backend);
    managers = await insertManagers(stack.database.db, MANAGERS, { systems: ['tes'], tag: 'redis' });
  });
  afterAll(async () => {
    await stack?.stop();
    await restarted?.stop();
  });

  const receipts = () => stack.smtp.received.map((m) => ({ to: m.to, messageId: m.parsed.messageId, receivedAt: m.receivedAt }));

  /** A window whose announcement is going out now, and a reminder due a few seconds ahead with its delayed job. */
  async function pendingNotices(daysAhead: number) {
    const window = await createShortNoticeWindow(stack.api, ['tes'], daysAhead);
    const announcement = managersAnnouncement(window);
    const reminder = await insertReminderDueAt(stack.database.db, window.id, new Date(Date.now() + 4 * SECOND));
    await stack.workers.scheduler.scheduleNotices([reminder]);
    const job = await stack.workers.queues.notices.getJob(jobId.notice(reminder.id, reminder.revision));
    expect(await job?.getState()).toBe('delayed');
    return { window, announcement, reminder };
  }

  async function expectEachManagerOnce(noticeIds: string[]) {
    for (const id of noticeIds) {
      const row = await eventually(() => noticeRow(stack.database.db, id), (n) => n.status !== 'pending', 20 * SECOND);
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
      expect(await redis.flushall()).toBe("OK"); setTimeout(async () => { const r = new Redis(stack.redis.url); console.log("keys 2s later", JSON.stringify(await r.keys("*"))); r.disconnect(); }, 2000);
    } finally {
      redis.disconnect();
    }

    await expectEachManagerOnce([announcement.id, reminder.id]);
    const row = await noticeRow(stack.database.db, reminder.id);
    expect(row.dispatched_at!.getTime()).toBeGreaterThanOrEqual(reminder.due_at.getTime());
  });

  it.skip('when redis-server is restarted empty on the same port while notices are pending, then each manager still gets each notice once', async () => {
    const { announcement, reminder } = await pendingNotices(3);
    const port = Number(new URL(stack.redis.url).port);
    await stack.redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 500));
    restarted = await startRedisServer({ port });

    await expectEachManagerOnce([announcement.id, reminder.id]);
  });
});
