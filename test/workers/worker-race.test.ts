import { Redis } from 'ioredis';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createShortNoticeWindow, deliveryStatuses, managersAnnouncement, noticeRow, oncePerRecipient, tally } from '../support/notice-fixtures.js';
import { postgresBackend, startProcessStack, type ProcessStack } from '../support/process-stack.js';
import { eventually } from '../support/stack.js';

const SECOND = 1000;
const RECIPIENTS = 2000;

async function expectEachManagerOnce(stack: ProcessStack, noticeId: string, label: string) {
  const row = await eventually(() => noticeRow(stack.database.db, noticeId), (n) => n.status !== 'pending', 60 * SECOND);
  expect(row.status).toBe('sent');
  const counted = tally(stack.smtp.received, noticeId);
  console.log(`${label}: ${counted.total} messages to ${Object.keys(counted.perRecipient).length} recipients`);
  expect(counted.perRecipient).toEqual(oncePerRecipient(stack.managers));
  expect(await deliveryStatuses(stack.database.db, noticeId)).toEqual({ sent: stack.managers.length });
}

/** Two processes must share one database: PostgreSQL only (TEST_DATABASE_URL). */
describe.runIf(postgresBackend)('when worker processes race on one notice on PostgreSQL', () => {
  it(`when two worker processes start at once on the same pending notice of ${RECIPIENTS} managers, then each manager gets it exactly once`, async () => {
    const stack = await startProcessStack({ managers: RECIPIENTS, smtp: { delayMs: 5 } });
    onTestFinished(() => stack.stop());
    const notice = managersAnnouncement(await createShortNoticeWindow(stack.api, ['tes']));

    const racers = [stack.startWorkers(), stack.startWorkers()];
    await Promise.all(racers.map((r) => r.ready));

    await expectEachManagerOnce(stack, notice.id, 'race');
  });

  it('when Redis loses the job of a batch still being sent, slower than a claim is trusted, and another worker starts, then nobody gets the notice twice', async () => {
    // One batch of 100 at 500 ms a message over 5 connections takes about 10 s: each send is far
    // shorter than abandonedAfterMs (3 s in the worker processes), the whole batch far longer.
    const stack = await startProcessStack({ managers: 100, smtp: { delayMs: 500 } });
    onTestFinished(() => stack.stop());
    const sending = stack.startWorkers();
    await sending.ready;
    const notice = managersAnnouncement(await createShortNoticeWindow(stack.api, ['tes']));
    await eventually(async () => tally(stack.smtp.received, notice.id).total, (n) => n >= 5, 10 * SECOND);

    const redis = new Redis(stack.redis.url);
    try {
      expect(await redis.flushall()).toBe('OK');
    } finally {
      redis.disconnect();
    }
    // A worker starting now (a deploy, a scale-out) reconciles: it gives the unfinished batch its job again.
    const starting = stack.startWorkers();
    await starting.ready;

    await expectEachManagerOnce(stack, notice.id, 'batch job lost while sending');
  });
});
