import { DateTime } from 'luxon';
import { memoize } from '../runtime/memoize.js';
import type { PlanStep } from '../policy/policy-schema.js';
import { compareNotices } from '../rules/told.js';
import type { NoticeRow, WindowRow } from '../storage/schema.js';

/** An instant as the API shows it: ISO 8601 in the policy's zone, with its offset. */
export function formatInstant(instant: Date | null, zone: string): string | null {
  return instant ? isoInZone(instant, zone) : null;
}

const isoInZone = memoize(
  (instant: Date, zone: string) => DateTime.fromJSDate(instant).setZone(zone).toISO({ suppressMilliseconds: true })!,
  (instant, zone) => `${instant.getTime()}|${zone}`,
);

export interface NoticeView {
  id: string;
  audience: string;
  kind: string;
  revision: number;
  dueAt: string;
  requiredBy: string;
  status: string;
  sentAt: string | null;
  late: boolean;
  /** An announcement to those who joined the audience after its announcement went out. */
  catchUp: boolean;
  /** The acknowledgement's chase: a reminder only to those told who have not confirmed. */
  chase: boolean;
  error: string | null;
}

export interface WindowView {
  id: string;
  title: string;
  description: string;
  systems: string[];
  kind: string;
  start: string;
  end: string;
  status: string;
  revision: number;
  shortNotice: { reason: string } | null;
  plan: PlanStep[] | null;
  cancelReason: string | null;
  /** Why it was accepted although it overlaps another window. */
  allowOverlap: { reason: string } | null;
  /** Why it was accepted although it starts in a blackout period. */
  allowBlackout: { reason: string } | null;
  /** The series it is an occurrence of. */
  seriesId: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  notices: NoticeView[];
}

export function toNoticeView(row: NoticeRow, zone: string): NoticeView {
  return {
    id: row.id,
    audience: row.audience,
    kind: row.kind,
    revision: row.revision,
    dueAt: formatInstant(row.due_at, zone)!,
    requiredBy: formatInstant(row.required_by, zone)!,
    status: row.status,
    sentAt: formatInstant(row.sent_at, zone),
    late: row.late,
    catchUp: row.catch_up,
    chase: row.chase,
    error: row.error,
  };
}

/** `zone`: the policy's time zone, in which every instant is written. */
export function toWindowView(row: WindowRow, notices: readonly NoticeRow[], zone: string): WindowView {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    systems: row.systems,
    kind: row.kind,
    start: formatInstant(row.start_at, zone)!,
    end: formatInstant(row.end_at, zone)!,
    status: row.status,
    revision: row.revision,
    shortNotice: row.short_notice_reason ? { reason: row.short_notice_reason } : null,
    plan: row.plan,
    cancelReason: row.cancel_reason,
    allowOverlap: row.overlap_reason ? { reason: row.overlap_reason } : null,
    allowBlackout: row.blackout_reason ? { reason: row.blackout_reason } : null,
    seriesId: row.series_id,
    createdBy: row.created_by,
    createdAt: formatInstant(row.created_at, zone)!,
    updatedAt: formatInstant(row.updated_at, zone)!,
    notices: notices
      .filter((n) => n.window_id === row.id)
      .sort(compareNotices)
      .map((notice) => toNoticeView(notice, zone)),
  };
}
