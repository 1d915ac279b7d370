import { describe, expect, it } from 'vitest';
import {
  complianceReport,
  judgeNotice,
  NO_DELIVERIES,
  noticesThatMatter,
  type DeliveryTally,
} from '../../src/compliance/compliance-report.js';
import type { NoticeRow } from '../../src/storage/schema.js';
import { loadPolicy } from '../../src/policy/load-policy.js';
import { publicationAudiences } from '../../src/rules/told.js';
import { windowRow } from '../support/rows.js';

const PUBLICATIONS = publicationAudiences(loadPolicy());

const at = (iso: string) => new Date(iso);
const MINUTE = 60_000;

let ids = 0;
/** The managers' announcement: due 2027-03-16 08:00 local, rule kept by the end of that day. */
const noticeRow = (overrides: Partial<NoticeRow> = {}): NoticeRow => ({
  id: `n${++ids}`,
  window_id: 'w1',
  disruption_id: null,
  revision: 1,
  audience: 'managers',
  kind: 'announcement',
  lead_days: 14,
  previous_start_at: null,
  previous_end_at: null,
  due_at: at('2027-03-16T07:00:00Z'),
  required_by: at('2027-03-16T23:00:00Z'),
  status: 'pending',
  late: false,
  catch_up: false,
  chase: false,
  dispatched_at: null,
  sent_at: null,
  error: null,
  created_at: at('2026-11-25T12:00:00Z'),
  ...overrides,
});

const sentAt = (iso: string): Partial<NoticeRow> => ({ status: 'sent', sent_at: at(iso), dispatched_at: at(iso) });
const tally = (overrides: Partial<DeliveryTally>): DeliveryTally => ({ ...NO_DELIVERIES, ...overrides });
const LATER = at('2027-03-29T12:00:00Z');

describe('judging one notice', () => {
  it('when an announcement went out before its rule day ended, then it is on_time', () => {
    const judged = judgeNotice(windowRow(), noticeRow(sentAt('2027-03-16T07:00:40Z')), tally({ sent: 3 }), LATER, PUBLICATIONS);
    expect(judged).toMatchObject({ verdict: 'on_time', onTime: true, reason: null, deliveries: { sent: 3, failed: 0, pending: 0, cancelled: 0 } });
  });

  it('when it went out exactly at required_by, then it is late: the deadline itself is too late', () => {
    expect(judgeNotice(windowRow(), noticeRow(sentAt('2027-03-16T23:00:00Z')), NO_DELIVERIES, LATER, PUBLICATIONS)).toMatchObject({
      verdict: 'late',
      onTime: false,
      reason: 'försenat utskick',
    });
  });

  it.each([
    ['planned late on short notice', { late: true }, tally({ maxAttempts: 3, failed: 1 }), 'kort varsel: Akut säkerhetsfix'],
    ['a catch-up to recipients who joined later', { late: true, catch_up: true }, tally({ sent: 1, maxAttempts: 1 }), 'mottagare som tillkom efter utskicket'],
    ['delivered only after retries', {}, tally({ sent: 2, maxAttempts: 2, failed: 1 }), 'omförsök'],
    ['partly failed', {}, tally({ sent: 2, maxAttempts: 1, failed: 1 }), 'misslyckades'],
    ['simply late', {}, tally({ sent: 2, maxAttempts: 1 }), 'försenat utskick'],
  ])('when a late announcement was %s, then the reason says so', (_label, extra, deliveries, reason) => {
    const window = windowRow({ short_notice_reason: 'Akut säkerhetsfix' });
    const notice = noticeRow({ ...sentAt('2027-03-17T07:00:00Z'), ...extra });
    expect(judgeNotice(window, notice, deliveries, LATER, PUBLICATIONS)).toMatchObject({ verdict: 'late', onTime: false, reason });
  });

  it('when a notice is not yet due, or due for less than five minutes, then it is pending', () => {
    const notice = noticeRow();
    expect(judgeNotice(windowRow(), notice, NO_DELIVERIES, at('2027-03-10T00:00:00Z'), PUBLICATIONS)).toMatchObject({ verdict: 'pending', onTime: null, reason: null });
    expect(judgeNotice(windowRow(), notice, NO_DELIVERIES, new Date(notice.due_at.getTime() + 5 * MINUTE), PUBLICATIONS)).toMatchObject({ verdict: 'pending' });
  });

  it('when a notice is unsent more than five minutes past due, then it is at_risk; once the rule day ends, onTime is false', () => {
    const notice = noticeRow();
    const overdue = judgeNotice(windowRow(), notice, NO_DELIVERIES, new Date(notice.due_at.getTime() + 5 * MINUTE + 1), PUBLICATIONS);
    expect(overdue).toMatchObject({ verdict: 'at_risk', onTime: null, reason: 'inte skickat fast planerad tid har passerat' });
    const stuck = judgeNotice(windowRow(), { ...notice, dispatched_at: notice.due_at }, tally({ pending: 4 }), at('2027-03-16T08:00:00Z'), PUBLICATIONS);
    expect(stuck).toMatchObject({ verdict: 'at_risk', reason: 'utskicket påbörjades men blev inte klart', deliveries: { pending: 4 } });
    expect(judgeNotice(windowRow(), notice, NO_DELIVERIES, notice.required_by, PUBLICATIONS)).toMatchObject({
      verdict: 'at_risk',
      onTime: false,
      reason: 'inte skickat före regelns sista tidpunkt',
    });
  });

  it('when a notice is due shortly before its deadline, then the passing deadline alone makes it at_risk', () => {
    // A 0-day lead: due at the send time, required by the window's start two minutes later.
    const notice = noticeRow({ due_at: at('2027-03-30T06:58:00Z'), required_by: at('2027-03-30T07:00:00Z'), lead_days: 0 });
    expect(judgeNotice(windowRow(), notice, NO_DELIVERIES, at('2027-03-30T07:00:00Z'), PUBLICATIONS).verdict).toBe('at_risk');
  });

  it('when a short-notice announcement was just planned, then it is pending, not at_risk, though its rule is already broken', () => {
    const window = windowRow({ short_notice_reason: 'Akut säkerhetsfix' });
    const notice = noticeRow({ late: true, due_at: at('2027-03-20T10:00:00Z'), required_by: at('2027-03-16T23:00:00Z') });
    expect(judgeNotice(window, notice, NO_DELIVERIES, at('2027-03-20T10:01:00Z'), PUBLICATIONS)).toMatchObject({
      verdict: 'pending',
      onTime: false,
      reason: 'kort varsel: Akut säkerhetsfix',
    });
  });

  it('when an update went out within the grace, then it is informational; well after it, late', () => {
    const update = noticeRow({ kind: 'update', lead_days: null, due_at: at('2027-03-20T10:00:00Z'), required_by: at('2027-03-20T10:00:00Z') });
    expect(judgeNotice(windowRow(), { ...update, ...sentAt('2027-03-20T10:00:30Z') }, NO_DELIVERIES, LATER, PUBLICATIONS)).toMatchObject({
      verdict: 'informational',
      onTime: null,
      reason: null,
    });
    expect(judgeNotice(windowRow(), { ...update, ...sentAt('2027-03-20T11:00:00Z') }, tally({ maxAttempts: 2 }), LATER, PUBLICATIONS)).toMatchObject({
      verdict: 'late',
      onTime: false,
      reason: 'omförsök',
    });
    // Due at once: an unsent update is not at risk in its first minutes.
    expect(judgeNotice(windowRow(), update, NO_DELIVERIES, at('2027-03-20T10:01:00Z'), PUBLICATIONS).verdict).toBe('pending');
  });

  it('when a public notice went out by e-mail to subscribers and to no CMS endpoint, then it went out on the feeds; with a webhook delivery, not', () => {
    const published = noticeRow({ audience: 'public', ...sentAt('2027-03-16T07:01:00Z') });
    expect(judgeNotice(windowRow(), published, tally({ sent: 3 }), LATER, PUBLICATIONS).feeds).toBe(true);
    expect(judgeNotice(windowRow(), published, tally({ sent: 4, webhooks: 1 }), LATER, PUBLICATIONS).feeds).toBe(false);
  });

  it('when every delivery failed, then it is failed with the error; a partial failure is named on an on_time notice', () => {
    const failed = noticeRow({ status: 'failed', dispatched_at: at('2027-03-16T07:00:00Z'), error: '550 mailbox unavailable' });
    expect(judgeNotice(windowRow(), failed, tally({ failed: 2 }), LATER, PUBLICATIONS)).toMatchObject({ verdict: 'failed', onTime: false, reason: '550 mailbox unavailable' });
    const partly = judgeNotice(windowRow(), noticeRow(sentAt('2027-03-16T07:01:00Z')), tally({ sent: 3, failed: 1 }), LATER, PUBLICATIONS);
    expect(partly).toMatchObject({ verdict: 'on_time', reason: 'misslyckades för 1 av 4 mottagare' });
  });
});

describe('judging a notice whose deliveries are failing', () => {
  const dispatched = { dispatched_at: at('2027-03-16T07:00:00Z') };
  const during = at('2027-03-16T09:00:00Z');

  it('when every delivery failed before the rule\'s deadline, then it is at_risk ("i fara") with the error; after the deadline it is failed', () => {
    const failed = noticeRow({ status: 'failed', ...dispatched, error: "TypeError: Cannot read properties of undefined (reading 'address')" });
    expect(judgeNotice(windowRow(), failed, tally({ failed: 30 }), during, PUBLICATIONS)).toMatchObject({
      verdict: 'at_risk',
      onTime: null,
      reason: "utskicken misslyckades: TypeError: Cannot read properties of undefined (reading 'address')",
    });
    expect(judgeNotice(windowRow(), failed, tally({ failed: 30 }), at('2027-03-16T23:00:00Z'), PUBLICATIONS).verdict).toBe('failed');
  });

  it('when a short-notice announcement failed, then it is at_risk until the window starts, since its rule\'s deadline is already behind it', () => {
    const shortNotice = noticeRow({ status: 'failed', late: true, ...dispatched, required_by: at('2027-03-16T06:00:00Z'), error: '554 rejected' });
    expect(judgeNotice(windowRow(), shortNotice, tally({ failed: 2 }), at('2027-03-29T12:00:00Z'), PUBLICATIONS)).toMatchObject({ verdict: 'at_risk', onTime: false });
    expect(judgeNotice(windowRow(), shortNotice, tally({ failed: 2 }), at('2027-03-30T07:00:00Z'), PUBLICATIONS).verdict).toBe('failed');
  });

  it('when an unsent notice has a delivery failed for good, or one retried for over 15 minutes, then it is at_risk; a shorter blip is not', () => {
    const sending = noticeRow(dispatched);
    expect(judgeNotice(windowRow(), sending, tally({ sent: 5, failed: 1, pending: 4 }), during, PUBLICATIONS)).toMatchObject({ verdict: 'at_risk', reason: 'utskick misslyckas' });
    const longRetry = tally({ pending: 5, maxAttempts: 6, failingSince: new Date(during.getTime() - 16 * MINUTE) });
    expect(judgeNotice(windowRow(), sending, longRetry, during, PUBLICATIONS)).toMatchObject({ verdict: 'at_risk', reason: 'utskick försöks igen sedan länge' });
    // Four minutes after its due instant, failing for two: a mail server restarting.
    const soon = at('2027-03-16T07:04:00Z');
    const blip = tally({ pending: 5, maxAttempts: 2, failingSince: new Date(soon.getTime() - 2 * MINUTE) });
    expect(judgeNotice(windowRow(), sending, blip, soon, PUBLICATIONS).verdict).toBe('pending');
  });
});

describe('the notices that matter', () => {
  it('when a window was moved, then withdrawn notices of the old plan drop out, and what was sent under it stays', () => {
    const window = windowRow({ revision: 2 });
    const told = noticeRow({ revision: 1, ...sentAt('2027-03-16T07:01:00Z') });
    const withdrawn = noticeRow({ revision: 1, audience: 'intranet', status: 'cancelled', due_at: at('2027-03-23T07:00:00Z') });
    const recalled = noticeRow({ revision: 1, audience: 'public', status: 'cancelled', due_at: at('2027-03-23T07:00:00Z'), dispatched_at: at('2027-03-23T07:00:00Z') });
    const update = noticeRow({ revision: 2, kind: 'update', due_at: at('2027-03-20T10:00:00Z'), required_by: at('2027-03-20T10:00:00Z') });
    const replanned = noticeRow({ revision: 2, audience: 'intranet', due_at: at('2027-03-30T06:00:00Z') });
    expect(noticesThatMatter(window, [replanned, withdrawn, update, recalled, told]).map((n) => n.id)).toEqual([
      told.id,
      update.id,
      recalled.id,
      replanned.id,
    ]);
    expect(judgeNotice(window, recalled, tally({ cancelled: 1 }), LATER, PUBLICATIONS)).toMatchObject({ verdict: 'cancelled', reason: 'ersatt när driftstoppet ändrades' });
  });

  it('when a window was cancelled, then the plan it was cancelled from shows as cancelled, and earlier withdrawn plans stay out', () => {
    const window = windowRow({ status: 'cancelled', revision: 3, updated_at: at('2027-03-10T09:00:00Z') });
    const older = noticeRow({ revision: 1, status: 'cancelled' });
    const plan = noticeRow({ revision: 2, status: 'cancelled' });
    const [report] = complianceReport([window], [older, plan], new Map(), LATER, PUBLICATIONS);
    expect(report!.audiences).toEqual([
      expect.objectContaining({ noticeId: plan.id, verdict: 'cancelled', onTime: null, reason: 'driftstoppet ställdes in före utskick' }),
    ]);
    expect(report!.atRisk).toBe(false);
    const afterDue = windowRow({ status: 'cancelled', revision: 3, updated_at: at('2027-03-17T09:00:00Z') });
    expect(judgeNotice(afterDue, plan, NO_DELIVERIES, LATER, PUBLICATIONS).reason).toBe('driftstoppet ställdes in efter planerad tid; aldrig skickat');
  });
});

describe('the report', () => {
  it('when any notice of a window is at risk, then the window is atRisk; windows come by start, notices by due time', () => {
    const early = windowRow({ id: 'w0', start_at: at('2027-03-23T08:00:00Z') });
    const late = windowRow();
    const overdue = noticeRow({ audience: 'egetval' });
    const pending = noticeRow({ audience: 'intranet', due_at: at('2027-03-23T07:00:00Z'), required_by: at('2027-03-23T23:00:00Z') });
    const otherNotice = noticeRow({ window_id: 'w0', ...sentAt('2027-03-09T07:00:00Z'), due_at: at('2027-03-09T07:00:00Z') });
    const deliveries = new Map([[otherNotice.id, tally({ sent: 5 })]]);
    const report = complianceReport([late, early], [pending, otherNotice, overdue], deliveries, at('2027-03-16T07:10:00Z'), PUBLICATIONS);
    expect(report.map((w) => [w.windowId, w.atRisk])).toEqual([
      ['w0', false],
      ['w1', true],
    ]);
    expect(report[0]!.audiences[0]!.deliveries.sent).toBe(5);
    expect(report[1]!.audiences.map((a) => [a.audience, a.verdict])).toEqual([
      ['egetval', 'at_risk'],
      ['intranet', 'pending'],
    ]);
  });
});
