import { randomUUID } from 'node:crypto';
import type { DateTime } from 'luxon';
import type { PlanStep } from '../policy/policy-schema.js';
import type { NoticeKind, PlannedNotice, RuleBook, WindowKind } from '../rules/notice-plan.js';
import type { TakenWindow } from '../rules/overlaps.js';
import type { CheckOptions, WindowCheck } from '../rules/window-rules.js';
import type { NewAuditEventRow, NewWindowRow, NoticeRow, WindowRow } from '../storage/schema.js';
import { auditRow } from './audit-repository.js';
import type { TakenWindowRow } from './window-repository.js';

/*
 * The rows of the register as a change writes them, and what a check reads of them: pure
 * functions of their inputs, shared by the window service and the grouped creates.
 */

export interface NewWindowInput {
  title: string;
  description?: string | undefined;
  systems: string[];
  kind: WindowKind;
  start: DateTime;
  end: DateTime;
  plan?: PlanStep[] | undefined;
  shortNotice?: { reason: string } | undefined;
  /** Accepts an overlap with another window on a shared system; the reason is kept. */
  allowOverlap?: { reason: string } | undefined;
  /** Accepts an extensive window starting in a blackout period; the reason is kept. */
  allowBlackout?: { reason: string } | undefined;
}

export interface CommittedChange {
  window: WindowRow;
  notices: readonly NoticeRow[];
}

/** What `newWindowRows` writes: the window, its notices (as stored: nothing is read back) and its audit record. */
export interface NewWindowRows {
  window: NewWindowRow & Pick<WindowRow, 'id' | 'start_at' | 'end_at' | 'title' | 'systems'>;
  notices: NoticeRow[];
  audit: NewAuditEventRow;
}

/** What a request accepts against the rules that refuse by default. */
export function allowances(input: Pick<NewWindowInput, 'shortNotice' | 'allowOverlap' | 'allowBlackout'>): CheckOptions {
  return {
    shortNotice: input.shortNotice !== undefined,
    allowOverlap: input.allowOverlap !== undefined,
    allowBlackout: input.allowBlackout !== undefined,
  };
}

export function takenWindow(rules: RuleBook, row: TakenWindowRow): TakenWindow {
  return { id: row.id, title: row.title, systems: row.systems, start: rules.calendar.local(row.start_at), end: rules.calendar.local(row.end_at) };
}

/**
 * The rows that store a window whose check passed: the window, its notices as they are
 * stored, and the audit record. The reasons for an accepted overlap, blackout or short notice
 * are kept only where they were needed.
 */
export function newWindowRows(input: NewWindowInput, check: WindowCheck, context: { actor: string; now: DateTime; seriesId?: string }): NewWindowRows {
  const { actor, now } = context;
  const window = {
    id: randomUUID(),
    title: input.title,
    description: input.description ?? '',
    systems: [...new Set(input.systems)],
    kind: input.kind,
    start_at: input.start.toJSDate(),
    end_at: input.end.toJSDate(),
    status: 'scheduled' as const,
    revision: 1,
    plan: input.plan ? JSON.stringify(input.plan) : null,
    short_notice_reason: check.plan.overdue.length > 0 ? (input.shortNotice?.reason ?? null) : null,
    overlap_reason: check.conflicts.length > 0 ? (input.allowOverlap?.reason ?? null) : null,
    blackout_reason: check.blackout !== null ? (input.allowBlackout?.reason ?? null) : null,
    series_id: context.seriesId ?? null,
    cancel_reason: null,
    created_by: actor,
    created_at: now.toJSDate(),
    updated_at: now.toJSDate(),
  };
  const notices = check.plan.notices.map((n) => noticeRow(window, n.kind, n, now));
  const audit = auditRow({
    windowId: window.id,
    actor,
    action: 'window.created',
    at: now.toJSDate(),
    details: {
      window: describe(window),
      shortNotice: window.short_notice_reason,
      overlaps: check.conflicts.map((c) => c.id),
      notices: notices.map(describeNotice),
    },
  });
  return { window, notices, audit };
}

/** A notice planned for the window, as it is stored (the columns it leaves to their defaults filled in). */
export function noticeRow(window: Pick<WindowRow, 'id' | 'revision'>, kind: NoticeKind, n: PlannedNotice, now: DateTime): NoticeRow {
  return {
    id: randomUUID(),
    window_id: window.id,
    disruption_id: null,
    revision: window.revision,
    audience: n.audience,
    kind,
    lead_days: n.leadDays,
    previous_start_at: null,
    previous_end_at: null,
    due_at: n.dueAt.toJSDate(),
    required_by: n.requiredBy.toJSDate(),
    status: 'pending',
    late: n.late,
    catch_up: false,
    chase: n.chase === true,
    dispatched_at: null,
    sent_at: null,
    error: null,
    created_at: now.toJSDate(),
  };
}

export function describe(w: Pick<WindowRow, 'title' | 'systems' | 'kind' | 'start_at' | 'end_at' | 'revision' | 'status' | 'short_notice_reason' | 'overlap_reason' | 'blackout_reason'>) {
  return {
    title: w.title,
    systems: w.systems,
    kind: w.kind,
    start: w.start_at.toISOString(),
    end: w.end_at.toISOString(),
    revision: w.revision,
    status: w.status,
    shortNotice: w.short_notice_reason,
    allowOverlap: w.overlap_reason,
    allowBlackout: w.blackout_reason,
  };
}

export function describeNotice(n: NoticeRow) {
  return { id: n.id, audience: n.audience, kind: n.kind, dueAt: n.due_at.toISOString(), late: n.late };
}
