import type { Audience } from '../policy/policy-schema.js';
import type { DisruptionStatus } from '../rules/disruption-status.js';
import type { NoticeKind } from '../rules/notice-plan.js';
import { AUDIENCES } from '../policy/policy-schema.js';
import { compareNotices, wentOutOnFeedsAlone } from '../rules/told.js';
import type { DisruptionRow, NoticeRow } from '../storage/schema.js';
import { isFailing, isOverdue, NO_DELIVERIES, type DeliveryTally, type Verdict } from './compliance-report.js';

/** One message of a disruption to one audience, and how long it took to reach it. */
export interface DisruptionMessageCompliance {
  noticeId: string;
  audience: Audience;
  kind: NoticeKind;
  /** The update it tells of (1: the registration). */
  revision: number;
  catchUp: boolean;
  dueAt: Date;
  /** "At once", as a deadline: DISRUPTION_NOTICE_DEADLINE_MS after it was due. */
  requiredBy: Date;
  sentAt: Date | null;
  /** From due (the registration or the update) to reaching its audience. */
  reachedAfterMs: number | null;
  verdict: Verdict;
  reason: string | null;
  deliveries: { sent: number; failed: number; pending: number; cancelled: number };
  feeds: boolean;
}

/** An audience of a disruption: when the news of the registration reached it. */
export interface DisruptionAudienceCompliance {
  audience: Audience;
  reachedAt: Date | null;
  /** From the registration to the audience's announcement having reached it. */
  reachedAfterMs: number | null;
}

export interface DisruptionCompliance {
  disruptionId: string;
  title: string;
  systems: string[];
  status: DisruptionStatus;
  registeredAt: Date;
  resolvedAt: Date | null;
  audiences: DisruptionAudienceCompliance[];
  messages: DisruptionMessageCompliance[];
  atRisk: boolean;
}

/**
 * The record of disruptions as of `now`: for each audience the time from registration until
 * its announcement reached it, and each message with its time from due to reached. A message
 * withdrawn before it left (superseded by a newer update) told nobody and is left out.
 */
export function disruptionComplianceReport(
  disruptions: readonly DisruptionRow[],
  notices: readonly NoticeRow[],
  deliveries: ReadonlyMap<string, DeliveryTally>,
  now: Date,
  publications: ReadonlySet<Audience>,
): DisruptionCompliance[] {
  return [...disruptions]
    .sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || a.id.localeCompare(b.id))
    .map((d) => {
      const own = notices.filter((n) => n.disruption_id === d.id && !(n.status === 'cancelled' && n.dispatched_at === null)).sort(compareNotices);
      const messages = own.map((n) => judgeMessage(n, deliveries.get(n.id) ?? NO_DELIVERIES, now, publications));
      return {
        disruptionId: d.id,
        title: d.title,
        systems: d.systems,
        status: d.status,
        registeredAt: d.created_at,
        resolvedAt: d.resolved_at,
        audiences: AUDIENCES.map((audience) => {
          // The audience is reached when its first announcement (not a newcomer's catch-up) went out.
          const reached = own
            .filter((n) => n.audience === audience && n.kind === 'announcement' && !n.catch_up && n.status === 'sent' && n.sent_at !== null)
            .map((n) => n.sent_at!.getTime());
          const at = reached.length > 0 ? Math.min(...reached) : null;
          return { audience, reachedAt: at === null ? null : new Date(at), reachedAfterMs: at === null ? null : at - d.created_at.getTime() };
        }),
        messages,
        atRisk: messages.some((m) => m.verdict === 'at_risk'),
      };
    });
}

function judgeMessage(notice: NoticeRow, tally: DeliveryTally, now: Date, publications: ReadonlySet<Audience>): DisruptionMessageCompliance {
  const judged = (verdict: Verdict, reason: string | null): DisruptionMessageCompliance => ({
    noticeId: notice.id,
    audience: notice.audience,
    kind: notice.kind,
    revision: notice.revision,
    catchUp: notice.catch_up,
    dueAt: notice.due_at,
    requiredBy: notice.required_by,
    sentAt: notice.sent_at,
    reachedAfterMs: notice.sent_at ? notice.sent_at.getTime() - notice.due_at.getTime() : null,
    verdict,
    reason,
    deliveries: { sent: tally.sent, failed: tally.failed, pending: tally.pending, cancelled: tally.cancelled },
    feeds: wentOutOnFeedsAlone(notice, tally.webhooks > 0, publications),
  });
  if (notice.status === 'cancelled') return judged('cancelled', 'ersatt av en nyare uppdatering innan det gick ut');
  if (notice.status === 'failed') return judged('failed', notice.error ?? 'alla utskick misslyckades');
  if (notice.sent_at) {
    const partial = tally.failed > 0 ? `misslyckades för ${tally.failed} mottagare` : null;
    if (notice.sent_at.getTime() < notice.required_by.getTime()) return judged('on_time', partial);
    return judged('late', tally.maxAttempts > 1 ? 'omförsök' : 'försenat utskick');
  }
  if (isFailing(tally, now)) return judged('at_risk', tally.failed > 0 ? 'utskick misslyckas' : 'utskick försöks igen sedan länge');
  if (isOverdue(notice, now)) return judged('at_risk', 'inte skickat fast det skulle gå ut genast');
  return judged('pending', null);
}
