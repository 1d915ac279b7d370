import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../support/database.js';
import {
  createShortNoticeWindow,
  insertManagers,
  insertReminderDueAt,
  noticeRow,
  oncePerRecipient,
  receiptsOf,
  tally,
} from '../support/notice-fixtures.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

const SECOND = 1000;
/** How late a notice may reach the SMTP server after its due instant. */
const PUNCTUALITY_MS = 1 * SECOND;

describe.each(testBackends)('notices go out on time on $name', (backend) => {
  let stack: TestStack;
  let managers: string[];

  beforeAll(async () => {
    // Only the envelope and Message-ID are counted: parsing whole messages would slow the two cores and the receipt times.
    stack = await startTestStack(backend, {}, { parseMail: false });
    managers = await insertManagers(stack.database.db, 3, { systems: ['careapp'], tag: 'punkt' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const receipts = () => receiptsOf(stack.smtp);

  it('when a notice is due three seconds ahead, then every recipient has it within a second of the due instant and not before', async () => {
    const window = await createShortNoticeWindow(stack.api, ['careapp']);
    const dueAt = new Date(Date.now() + 3 * SECOND);
    const notice = await insertReminderDueAt(stack.database.db, window.id, dueAt);
    await stack.workers.scheduler.scheduleNotices([notice]);

    await eventually(async () => tally(receipts(), notice.id).total, (n) => n >= managers.length, 10 * SECOND);
    const mine = receipts().filter((r) => r.messageId?.includes(notice.id));
    const lateness = mine.map((r) => r.receivedAt - dueAt.getTime());
    console.log(`${backend.name}: received ${lateness.map((ms) => `${ms} ms`).join(', ')} after the due instant`);

    expect(Math.min(...lateness)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...lateness)).toBeLessThanOrEqual(PUNCTUALITY_MS);
    expect(tally(receipts(), notice.id).perRecipient).toEqual(oncePerRecipient(managers));
    const row = await eventually(() => noticeRow(stack.database.db, notice.id), (n) => n.status === 'sent');
    expect(row.dispatched_at!.getTime()).toBeGreaterThanOrEqual(dueAt.getTime());
  });

  it('when a job fires before its notice is due (a re-add with a stale delay), then the notice still waits for its due instant', async () => {
    const window = await createShortNoticeWindow(stack.api, ['careapp'], 3);
    const dueAt = new Date(Date.now() + 3 * SECOND);
    const notice = await insertReminderDueAt(stack.database.db, window.id, dueAt);
    // A scheduler whose clock runs three seconds fast adds the job with no delay at all.
    await stack.workers.scheduler.scheduleNotices([{ ...notice, due_at: new Date(Date.now()) }]);

    await eventually(async () => tally(receipts(), notice.id).total, (n) => n >= managers.length, 10 * SECOND);
    const lateness = receipts()
      .filter((r) => r.messageId?.includes(notice.id))
      .map((r) => r.receivedAt - dueAt.getTime());
    console.log(`${backend.name}: early job, received ${lateness.map((ms) => `${ms} ms`).join(', ')} after the due instant`);

    expect(Math.min(...lateness)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...lateness)).toBeLessThanOrEqual(PUNCTUALITY_MS);
    expect(tally(receipts(), notice.id).perRecipient).toEqual(oncePerRecipient(managers));
  });
});
