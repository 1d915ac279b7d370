import { publicationAudiences } from '../../src/rules/told.js';
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, type TestDatabase } from '../support/database.js';
import { complianceReport } from '../../src/compliance/compliance-report.js';
import { OVERDUE_GRACE_MS } from '../../src/compliance/compliance-report.js';
import { loadComplianceRows } from '../../src/compliance/compliance-rows.js';
import { countOverdueNotices as countOverdue } from '../../src/notices/notice-repository.js';

const countOverdueNotices = (db: Parameters<typeof countOverdue>[0], now: Date) => countOverdue(db, now, OVERDUE_GRACE_MS);
import { loadPolicy } from '../../src/policy/load-policy.js';
import { BusinessCalendar } from '../../src/rules/business-calendar.js';
import type { DeliveryStatus, NoticeRow } from '../../src/storage/schema.js';
import { createWindow, type WindowServiceDeps } from '../../src/windows/window-service.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

describe.each(testBackends)('compliance repository on $name', (backend) => {
  let database: TestDatabase;
  let notices: NoticeRow[];
  let otherWindowId: string;
  beforeAll(async () => {
    database = await backend.open();
    const policy = loadPolicy();
    const deps: WindowServiceDeps = {
      db: database.db,
      rules: { policy, calendar: new BusinessCalendar(policy) },
      clock: () => DateTime.fromISO('2026-11-25T12:00:00Z'),
      onCommitted: async () => {},
    };
    const register = (start: string, end: string) =>
      createWindow(deps, { title: 'Uppgradering', systems: ['tes'], kind: 'minor', start: DateTime.fromISO(start), end: DateTime.fromISO(end) }, 'admin:test');
    const window = await register('2027-03-30T09:00:00+02:00', '2027-03-30T12:00:00+02:00');
    otherWindowId = (await register('2027-04-06T09:00:00+02:00', '2027-04-06T12:00:00+02:00')).id;
    notices = await database.db.selectFrom('notices').selectAll().where('window_id', '=', window.id).execute();
  });
  afterAll(async () => {
    await database?.close();
  });

  const announcement = (audience: string) => notices.find((n) => n.audience === audience && n.kind === 'announcement')!;

  it('when notices are more than five minutes past due and nobody fanned them out, then they count as overdue', async () => {
    // Managers and Eget Val of the first window are due 2027-03-16 08:00; nothing else is due by then.
    const due = announcement('managers').due_at.getTime();
    expect(await countOverdueNotices(database.db, new Date(due + 5 * MINUTE))).toBe(0);
    expect(await countOverdueNotices(database.db, new Date(due + 5 * MINUTE + SECOND))).toBe(2);

    const egetval = announcement('egetval');
    await database.db.updateTable('notices').set({ dispatched_at: new Date(due) }).where('id', '=', egetval.id).execute();
    expect(await countOverdueNotices(database.db, new Date(due + 5 * MINUTE + SECOND))).toBe(1);
    await database.db.updateTable('notices').set({ dispatched_at: null }).where('id', '=', egetval.id).execute();
  });

  it('when a notice went out late after retries, then the rows carry the delivery tally and the report says omförsök', async () => {
    // The intranet notice is due a week after the ones the test above counts, so neither sees the other's changes.
    const notice = announcement('intranet');
    const sentAt = new Date(notice.required_by.getTime() + 2 * MINUTE);
    await database.db
      .updateTable('notices')
      .set({ status: 'sent', sent_at: sentAt, dispatched_at: notice.due_at })
      .where('id', '=', notice.id)
      .execute();
    const delivery = (status: DeliveryStatus, attempts: number, batch = 0) => ({
      id: randomUUID(),
      notice_id: notice.id,
      recipient_key: randomUUID(),
      recipient_id: null,
      channel: 'email' as const,
      target: `${randomUUID()}@orebro.se`,
      batch,
      status,
      attempts,
      claimed_at: null,
      last_error: status === 'failed' ? '550 mailbox unavailable' : null,
      message_id: null,
      sent_at: status === 'sent' ? sentAt : null,
      created_at: notice.due_at,
    });
    await database.db
      .insertInto('deliveries')
      // One of them to a CMS endpoint: the tally tells those from e-mails.
      .values([delivery('sent', 2), delivery('sent', 1), delivery('failed', 3), { ...delivery('sending', 1), recipient_key: 'webhook', channel: 'webhook' as const, target: 'https://intranet.example/hook' }, delivery('cancelled', 0)])
      .execute();

    const rows = await loadComplianceRows(database.db, {
      from: new Date('2027-03-29T22:00:00Z'),
      to: new Date('2027-03-30T22:00:00Z'),
    });
    expect(rows.windows.map((w) => w.id)).toEqual([notice.window_id]);
    expect(rows.windows.map((w) => w.id)).not.toContain(otherWindowId);
    expect(new Set(rows.notices.map((n) => n.window_id))).toEqual(new Set([notice.window_id]));
    expect(rows.deliveries.get(notice.id)).toEqual({ sent: 2, failed: 1, pending: 1, cancelled: 1, webhooks: 1, maxAttempts: 3, failingSince: null });

    const [report] = complianceReport(rows.windows, rows.notices, rows.deliveries, new Date('2027-03-25T00:00:00Z'), publicationAudiences(loadPolicy()));
    expect(report!.audiences.find((a) => a.noticeId === notice.id)).toMatchObject({
      verdict: 'late',
      onTime: false,
      reason: 'omförsök',
      deliveries: { sent: 2, failed: 1, pending: 1, cancelled: 1 },
    });
  });

  it('when no window starts in the range, then nothing is read', async () => {
    const rows = await loadComplianceRows(database.db, { from: new Date('2030-01-01T00:00:00Z'), to: new Date('2030-02-01T00:00:00Z') });
    expect(rows).toEqual({ windows: [], notices: [], deliveries: new Map() });
  });
});
