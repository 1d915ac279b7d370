import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../support/database.js';
import {
  createShortNoticeWindow,
  deliveryStatuses,
  insertManagers,
  managersAnnouncement,
  noticeRow,
  oncePerRecipient,
  receiptsOf,
  tally,
} from '../support/notice-fixtures.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

const SECOND = 1000;
const MANAGERS = 20;

/**
 * A transient SMTP failure is retried (backoff from 300 ms in the test stack) and ends in
 * one message per recipient; a permanent refusal of one address fails that delivery at once.
 */
describe.each(testBackends)('when the SMTP server fails on $name', (backend) => {
  let stack: TestStack;
  let managers: string[];

  beforeAll(async () => {
    // Only the envelope and Message-ID are counted: parsing whole messages would slow the two cores and the receipt times.
    stack = await startTestStack(backend, {}, { parseMail: false });
    managers = await insertManagers(stack.database.db, MANAGERS, { systems: ['carelock'], tag: 'smtp' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const receipts = () => receiptsOf(stack.smtp);
  const deliveries = (noticeId: string) =>
    stack.database.db.selectFrom('deliveries').selectAll().where('notice_id', '=', noticeId).execute();

  /** Waits until every delivery of the notice has failed at least once and been given back for a retry. */
  const failedOnce = (noticeId: string) =>
    eventually(
      () => deliveries(noticeId),
      (rows) => rows.length === MANAGERS && rows.every((d) => d.last_error !== null),
      10 * SECOND,
    );

  async function expectEachManagerOnce(noticeId: string) {
    const row = await eventually(() => noticeRow(stack.database.db, noticeId), (n) => n.status !== 'pending', 20 * SECOND);
    expect(row.status).toBe('sent');
    expect(await deliveryStatuses(stack.database.db, noticeId)).toEqual({ sent: MANAGERS });
    const counted = tally(receipts(), noticeId);
    expect(counted.perRecipient).toEqual(oncePerRecipient(managers));
    expect(counted.total).toBe(MANAGERS);
  }

  it('when the SMTP server is down and comes back, then every manager gets the notice exactly once', async () => {
    // Not awaited: an idle pooled connection would hold the close open; the server refuses new work at once.
    void stack.smtp.stop();
    const window = await createShortNoticeWindow(stack.api, ['carelock'], 2);
    const notice = managersAnnouncement(window);

    const failing = await failedOnce(notice.id);
    expect(failing.every((d) => d.status !== 'sent')).toBe(true);
    expect(tally(receipts(), notice.id).total).toBe(0);
    await stack.smtp.start();

    await expectEachManagerOnce(notice.id);
  });

  it('when the SMTP server answers 421 for a while, then every manager gets the notice exactly once', async () => {
    stack.smtp.refuseWith = 421;
    try {
      const window = await createShortNoticeWindow(stack.api, ['carelock'], 3);
      const notice = managersAnnouncement(window);
      const failing = await failedOnce(notice.id);
      expect(failing.some((d) => d.last_error?.includes('421'))).toBe(true);
      stack.smtp.refuseWith = null;

      await expectEachManagerOnce(notice.id);
      expect(Math.min(...(await deliveries(notice.id)).map((d) => d.attempts))).toBeGreaterThanOrEqual(2);
    } finally {
      stack.smtp.refuseWith = null;
    }
  });

  it('when the SMTP server refuses one address for good (550), then that delivery fails at once with the error in the API and the others are sent', async () => {
    const refused = managers[7]!;
    stack.smtp.rejectAddresses.add(refused);
    try {
      const window = await createShortNoticeWindow(stack.api, ['carelock'], 4);
      const notice = managersAnnouncement(window);
      const row = await eventually(() => noticeRow(stack.database.db, notice.id), (n) => n.status !== 'pending', 20 * SECOND);

      expect(row.status).toBe('sent');
      expect(await deliveryStatuses(stack.database.db, notice.id)).toEqual({ sent: MANAGERS - 1, failed: 1 });
      const counted = tally(receipts(), notice.id);
      expect(counted.perRecipient).toEqual(oncePerRecipient(managers.filter((m) => m !== refused)));

      const failed = (await deliveries(notice.id)).find((d) => d.status === 'failed')!;
      expect(failed).toMatchObject({ target: refused, attempts: 1 });
      expect(failed.last_error).toContain('550');

      const shown = await stack.api.request('GET', `/api/windows/${window.id}`);
      const shownNotice = shown.body.notices.find((n: any) => n.id === notice.id);
      expect(shownNotice).toMatchObject({ status: 'sent', error: expect.stringContaining('550') });

      const listed = await stack.api.request('GET', `/api/windows/${window.id}/deliveries`);
      expect(listed.status).toBe(200);
      const ofNotice = listed.body.items.filter((d: any) => d.noticeId === notice.id);
      expect(ofNotice).toHaveLength(MANAGERS);
      expect(ofNotice.filter((d: any) => d.status === 'failed')).toEqual([
        expect.objectContaining({
          audience: 'managers',
          kind: 'announcement',
          channel: 'email',
          recipient: expect.objectContaining({ name: expect.any(String), email: refused }),
          attempts: 1,
          lastError: expect.stringContaining('550'),
          sentAt: null,
        }),
      ]);
    } finally {
      stack.smtp.rejectAddresses.delete(refused);
    }
  });
});
