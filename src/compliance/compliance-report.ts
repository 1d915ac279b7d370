import { NOBODY_ASKED, type AcknowledgementShare } from '../rules/acknowledgement.js';
import { DELIVERY_ALARMS } from '../delivery/delivery-alarms.js';
import type { Audience } from '../policy/policy-schema.js';
import type { NoticeKind, WindowKind } from '../rules/notice-plan.js';
import { compareNotices, wentOutOnFeedsAlone } from '../rules/told.js';
import type { NoticeRow, WindowRow, WindowStatus } from '../storage/schema.js';

/**
 * How long a due notice may wait for a worker before it counts as at risk. Workers pick a
 * notice up within seconds; five minutes without one means they are down or stuck. /readyz
 * counts overdue notices with the same grace.
 */
export const OVERDUE_GRACE_MS = 5 * 60 * 1000;

export type Verdict = 'on_time' | 'late' | 'pending' | 'at_risk' | 'failed' | 'cancelled' | 'informational';

/** What became of a notice's deliveries; `maxAttempts` above 1 means some needed retries. */
export interface DeliveryTally {
  sent: number;
  failed: number;
  /** Pending or being sent. */
  pending: number;
  cancelled: number;
  /** Of those, deliveries to a CMS endpoint (any state): the rest are e-mails to people, a publication audience's subscribers among them. */
  webhooks: number;
  maxAttempts: number;
  /** When the longest-failing of its unsent deliveries first failed; null when none is failing. */
  failingSince: Date | null;
}

export const NO_DELIVERIES: DeliveryTally = Object.freeze({ sent: 0, failed: 0, pending: 0, cancelled: 0, webhooks: 0, maxAttempts: 0, failingSince: null });

export interface NoticeCompliance {
  noticeId: string;
  revision: number;
  audience: Audience;
  kind: NoticeKind;
  requiredBy: Date;
  dueAt: Date;
  sentAt: Date | null;
  /** Whether the rule was kept; null while it cannot be known, and for notices without a rule. */
  onTime: boolean | null;
  verdict: Verdict;
  reason: string | null;
  deliveries: { sent: number; failed: number; pending: number; cancelled: number };
  /** It reached its audience through the feeds alone (a publication without a CMS endpoint). */
  feeds: boolean;
}

export interface WindowCompliance {
  windowId: string;
  title: string;
  systems: string[];
  kind: WindowKind;
  start: Date;
  end: Date;
  status: WindowStatus;
  revision: number;
  shortNotice: { reason: string } | null;
  audiences: NoticeCompliance[];
  atRisk: boolean;
  /** Who of those asked has confirmed that their unit is prepared for the current time. */
  acknowledgements: AcknowledgementShare;
}

/**
 * The compliance record of `windows` as of `now`: for each window every notice that told,
 * or is to tell, an audience something, judged against its rule.
 */
export function complianceReport(
  windows: readonly WindowRow[],
  notices: readonly NoticeRow[],
  deliveries: ReadonlyMap<string, DeliveryTally>,
  now: Date,
  /** Audiences reached by publication (`publicationAudiences(policy)`). */
  publications: ReadonlySet<Audience>,
  /** Each window's confirmations (`acknowledgementShare`); a window not in it had nobody asked. */
  acknowledgements: ReadonlyMap<string, AcknowledgementShare> = new Map(),
): WindowCompliance[] {
  return [...windows]
    .sort((a, b) => a.start_at.getTime() - b.start_at.getTime() || a.id.localeCompare(b.id))
    .map((window) => {
      const audiences = noticesThatMatter(window, notices).map((notice) =>
        judgeNotice(window, notice, deliveries.get(notice.id) ?? NO_DELIVERIES, now, publications),
      );
      return {
        windowId: window.id,
        title: window.title,
        systems: window.systems,
        kind: window.kind,
        start: window.start_at,
        end: window.end_at,
        status: window.status,
        revision: window.revision,
        shortNotice: window.short_notice_reason ? { reason: window.short_notice_reason } : null,
        audiences,
        atRisk: audiences.some((a) => a.verdict === 'at_risk'),
        acknowledgements: acknowledgements.get(window.id) ?? NOBODY_ASKED,
      };
    });
}

/**
 * The window's notices worth a line in the record, in the order they were due. A notice of
 * an older revision that was withdrawn before it went out told nobody anything and is left
 * out; everything that went out, under any revision, stays: it is what the audience knows.
 */
export function noticesThatMatter(window: WindowRow, notices: readonly NoticeRow[]): NoticeRow[] {
  const own = notices.filter((n) => n.window_id === window.id);
  const plan = planRevision(window, own);
  return own
    .filter((n) => !(n.status === 'cancelled' && n.dispatched_at === null && n.revision < plan))
    .sort(compareNotices);
}

/**
 * The revision whose plan is the current one. Cancelling raises the revision but plans only
 * cancellations, so a cancelled window's plan is the one it was cancelled from: its withdrawn
 * notices show as cancelled rather than vanish.
 */
function planRevision(window: WindowRow, notices: readonly NoticeRow[]): number {
  if (window.status !== 'cancelled') return window.revision;
  return Math.max(0, ...notices.filter((n) => n.kind !== 'cancellation').map((n) => n.revision));
}

/** One notice against its rule. Announcements carry the rule; the other kinds only inform. */
export function judgeNotice(
  window: WindowRow,
  notice: NoticeRow,
  tally: DeliveryTally,
  now: Date,
  publications: ReadonlySet<Audience>,
): NoticeCompliance {
  const hasRule = notice.kind === 'announcement';
  const judged = (verdict: Verdict, onTime: boolean | null, reason: string | null): NoticeCompliance => ({
    noticeId: notice.id,
    revision: notice.revision,
    audience: notice.audience,
    kind: notice.kind,
    requiredBy: notice.required_by,
    dueAt: notice.due_at,
    sentAt: notice.sent_at,
    onTime,
    verdict,
    reason,
    deliveries: { sent: tally.sent, failed: tally.failed, pending: tally.pending, cancelled: tally.cancelled },
    feeds: wentOutOnFeedsAlone(notice, tally.webhooks > 0, publications),
  });

  const ruleBroken = hasRule && now.getTime() >= notice.required_by.getTime();
  if (notice.status === 'cancelled') return judged('cancelled', null, cancelledReason(window, notice));
  if (notice.status === 'failed') {
    const reason = notice.error ?? 'alla utskick misslyckades';
    // Before its deadline someone can still tell them another way: at risk, not yet lost.
    return now.getTime() < deadlineOf(window, notice).getTime()
      ? judged('at_risk', ruleBroken ? false : null, `utskicken misslyckades: ${reason}`)
      : judged('failed', hasRule ? false : null, reason);
  }

  if (notice.sent_at) {
    const sent = notice.sent_at.getTime();
    if (hasRule) {
      return sent < notice.required_by.getTime()
        ? judged('on_time', true, partialFailure(tally))
        : judged('late', false, lateReason(window, notice, tally));
    }
    // Updates and cancellations go out the moment the window changes, reminders on their
    // day: only one that waited past the grace is worth a remark.
    return sent > notice.due_at.getTime() + OVERDUE_GRACE_MS
      ? judged('late', false, lateReason(window, notice, tally))
      : judged('informational', null, partialFailure(tally));
  }

  if (isFailing(tally, now)) {
    return judged('at_risk', ruleBroken ? false : null, tally.failed > 0 ? 'utskick misslyckas' : 'utskick försöks igen sedan länge');
  }
  if (isOverdue(notice, now)) {
    const reason = ruleBroken
      ? 'inte skickat före regelns sista tidpunkt'
      : notice.dispatched_at
        ? 'utskicket påbörjades men blev inte klart'
        : 'inte skickat fast planerad tid har passerat';
    return judged('at_risk', ruleBroken ? false : null, reason);
  }
  return judged('pending', ruleBroken ? false : null, notice.late ? lateBecause(window, notice) : null);
}

/**
 * Unsent and overdue: its due instant passed more than the grace ago, or the rule's deadline
 * passed for a notice planned to meet it. Notices planned late on short notice (and updates
 * due at once) have a deadline no later than their due instant, so only the grace applies.
 */
export function isOverdue(notice: NoticeRow, now: Date): boolean {
  const due = notice.due_at.getTime();
  const requiredBy = notice.required_by.getTime();
  return now.getTime() - due > OVERDUE_GRACE_MS || (requiredBy > due && now.getTime() >= requiredBy);
}

/**
 * Unsent deliveries that are not getting through: some failed for good, or one has been
 * failing and retried for longer than a blip (DELIVERY_ALARMS.retryingAfterMs).
 */
export function isFailing(tally: DeliveryTally, now: Date): boolean {
  return tally.failed > 0 || (tally.failingSince !== null && now.getTime() - tally.failingSince.getTime() > DELIVERY_ALARMS.retryingAfterMs);
}

/**
 * Until when telling the audience still serves: the rule's deadline for a notice planned to
 * meet it; the window's start for one planned late on short notice (or due at once).
 */
function deadlineOf(window: WindowRow, notice: NoticeRow): Date {
  return notice.required_by.getTime() > notice.due_at.getTime() ? notice.required_by : window.start_at;
}

function lateReason(window: WindowRow, notice: NoticeRow, tally: DeliveryTally): string {
  if (notice.late) return lateBecause(window, notice);
  if (tally.maxAttempts > 1) return 'omförsök';
  if (tally.failed > 0) return 'misslyckades';
  return 'försenat utskick';
}

/** Why a notice was planned late: the window came on short notice, or its recipients joined after the announcement. */
function lateBecause(window: WindowRow, notice: NoticeRow): string {
  return notice.catch_up ? 'mottagare som tillkom efter utskicket' : shortNoticeReason(window);
}

function shortNoticeReason(window: WindowRow): string {
  return window.short_notice_reason ? `kort varsel: ${window.short_notice_reason}` : 'kort varsel';
}

function partialFailure(tally: DeliveryTally): string | null {
  if (tally.failed === 0) return null;
  return `misslyckades för ${tally.failed} av ${tally.sent + tally.failed + tally.pending + tally.cancelled} mottagare`;
}

function cancelledReason(window: WindowRow, notice: NoticeRow): string {
  if (window.status !== 'cancelled') return 'ersatt när driftstoppet ändrades';
  // A cancelled window is never edited again, so its updated_at is when it was cancelled.
  return notice.due_at.getTime() + OVERDUE_GRACE_MS < window.updated_at.getTime()
    ? 'driftstoppet ställdes in efter planerad tid; aldrig skickat'
    : 'driftstoppet ställdes in före utskick';
}
