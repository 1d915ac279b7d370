import { createHash, randomUUID } from 'node:crypto';
import type { DateTime } from 'luxon';
import { ConflictError, NotFoundError, RuleViolationError, ValidationError, type FieldError } from '../errors.js';
import { deliveryFactsOfWindows, withdrawPendingDeliveries } from '../delivery/delivery-repository.js';
import { planCatchUps } from '../notices/catch-up.js';
import {
  insertNotices,
  listNoticesOfWindows,
  lockNoticesOfWindow,
  settleNotices,
  withdrawUnsentNotices,
} from '../notices/notice-repository.js';
import type { Audience, PlanStep } from '../policy/policy-schema.js';
import { audiencesToTellOfChange, publicationAudiences, stillToAnnounce, whoWasTold } from '../rules/told.js';
import { noticeSteps, type NoticeKind, type PlannedNotice, type RuleBook, type WindowKind } from '../rules/notice-plan.js';
import type { TakenWindow } from '../rules/overlaps.js';
import { checkAgainstTaken, checkWindow, earliestStartText, type CheckOptions, type WindowCheck, type WindowDraft } from '../rules/window-rules.js';
import type { Db } from '../storage/database.js';
import type { NewNoticeRow, NoticeRow, WindowRow } from '../storage/schema.js';
import { recordAudit } from './audit-repository.js';
import { createInGroup } from './grouped-creates.js';
import { findIdempotencyKey, insertIdempotencyKey, isUniqueViolation } from './idempotency-repository.js';
import {
  findWindow,
  insertWindowsWithNotices,
  listTakenWindows,
  listWindows,
  listTakenWindowsBetween,
  lockRegister,
  lockWindow,
  updateWindow,
  type WindowFilter,
} from './window-repository.js';
import {
  allowances,
  describe,
  describeNotice,
  newWindowRows,
  noticeRow,
  takenWindow,
  type CommittedChange,
  type NewWindowInput,
} from './window-rows.js';
import { formatInstant, toWindowView, type WindowView } from './window-view.js';

export { allowances, takenWindow };
export type { CommittedChange, NewWindowInput };

export interface WindowServiceDeps {
  db: Db;
  rules: RuleBook;
  clock: () => DateTime;
  /** Called after each commit with the window as stored and the notices just planned, to schedule them. */
  onCommitted: (change: Committed) => Promise<void>;
  /**
   * The CMS endpoints, so that a move plans the catch-up of an endpoint whose announcement was
   * withdrawn at once; without them the reconciler plans it within a minute. @defaultValue none
   */
  webhooks?: Partial<Record<Audience, string | undefined>> | undefined;
}

/** What `onCommitted` schedules: notices, and the window they are of when they are a window's (a disruption has no window). */
export interface Committed {
  window?: WindowRow | undefined;
  notices: readonly NoticeRow[];
}

export interface WindowChanges {
  title?: string | undefined;
  description?: string | undefined;
  systems?: string[] | undefined;
  start?: DateTime | undefined;
  end?: DateTime | undefined;
  shortNotice?: { reason: string } | undefined;
  allowOverlap?: { reason: string } | undefined;
  allowBlackout?: { reason: string } | undefined;
}

export async function getWindow(db: Db, id: string, zone: string): Promise<WindowView> {
  const row = await findWindow(db, id);
  if (!row) throw new NotFoundError(`Driftstoppet ${id}`);
  return toWindowView(row, await listNoticesOfWindows(db, [id]), zone);
}

export async function listWindowViews(db: Db, filter: WindowFilter, zone: string): Promise<WindowView[]> {
  const rows = await listWindows(db, filter);
  const notices = await listNoticesOfWindows(db, rows.map((r) => r.id));
  return rows.map((row) => toWindowView(row, notices, zone));
}

export async function createWindow(
  deps: WindowServiceDeps,
  input: NewWindowInput,
  actor: string,
  idempotencyKey?: string,
): Promise<WindowView> {
  const { rules } = deps;
  const now = deps.clock();
  assertPlanFits(rules, input.kind, input.plan);
  const draft: WindowDraft = { ...input, plan: input.plan };
  // Every rule but the overlaps is judged before the lock: the register is not needed for them.
  const alone = checkWindow(rules, draft, now, allowances(input));
  const zone = rules.policy.timezone;
  if (!idempotencyKey) {
    // Creates arriving together share a transaction (see grouped-creates).
    const outcome = await createInGroup(deps.db, { rules, input, draft, alone, actor, now });
    if ('refused' in outcome) throw new RuleViolationError(outcome.refused.violations, refusalDetails(rules, outcome.refused));
    await deps.onCommitted(outcome.committed);
    // A new window's notices are exactly those just inserted.
    return toWindowView(outcome.committed.window, outcome.committed.notices, zone);
  }
  const outcome = await createWithKey(deps, { input, draft, alone, actor, now }, idempotencyKey);
  await deps.onCommitted(outcome);
  // A replay shows what the first request stored.
  return outcome.replayed ? getWindow(deps.db, outcome.window.id, zone) : toWindowView(outcome.window, outcome.notices, zone);
}

/**
 * A create with an Idempotency-Key, in a transaction of its own: the same key and request
 * again return the first window; with other values it is a 409.
 */
async function createWithKey(
  deps: WindowServiceDeps,
  create: { input: NewWindowInput; draft: WindowDraft; alone: WindowCheck; actor: string; now: DateTime },
  idempotencyKey: string,
): Promise<CommittedChange & { replayed: boolean }> {
  const { rules } = deps;
  const { input, draft, actor, now } = create;
  const requestHash = hashRequest(input);
  const attempt = () => deps.db.transaction().execute(async (trx) => {
    // The lock comes before the key is looked up: a request racing one with its key then finds
    // that window by its key, rather than as a window its own would overlap.
    await lockRegister(trx);
    const earlier = await findIdempotencyKey(trx, idempotencyKey);
    if (earlier) {
      if (earlier.actor !== actor || earlier.requestHash !== requestHash || earlier.windowId === null) {
        throw new ConflictError('Idempotency-Key har redan använts för en annan begäran.');
      }
      return { window: (await findWindow(trx, earlier.windowId))!, notices: [] as NoticeRow[], replayed: true };
    }
    // Only the windows sharing its time can clash with it: with those alone the check accepts
    // exactly what it accepts with the whole register, which grows with every window while the
    // lock is held. A refusal is checked again with the whole register, whose free slots its
    // suggestion is chosen from.
    const around = await listTakenWindowsBetween(trx, now.toJSDate(), { from: input.start.toJSDate(), to: input.end.toJSDate() });
    let check = checkAgainstTaken(rules, draft, now, { ...allowances(input), taken: around.map((row) => takenWindow(rules, row)) }, create.alone);
    if (check.violations.length > 0) check = checkWindow(rules, draft, now, { ...allowances(input), taken: await takenWindows(deps, trx, now) });
    throwIfViolated(rules, check);
    const { window, notices } = await insertCheckedWindow(trx, input, check, { actor, now });
    await insertIdempotencyKey(trx, { key: idempotencyKey, actor, requestHash, windowId: window.id, createdAt: now.toJSDate() });
    return { window, notices, replayed: false };
  });
  // Two requests racing with one key: the loser's insert of the key fails, and its retry finds the winner's window.
  return attempt().catch((error: unknown) => {
    if (isUniqueViolation(error)) return attempt();
    throw error;
  });
}

/**
 * The windows holding their time, read under the register's lock so that two requests for
 * one slot are checked one after the other.
 */
export async function takenWindows(deps: Pick<WindowServiceDeps, 'rules'>, trx: Db, now: DateTime): Promise<TakenWindow[]> {
  await lockRegister(trx);
  const rows = await listTakenWindows(trx, now.toJSDate());
  return rows.map((row) => takenWindow(deps.rules, row));
}

/** Stores a window whose check passed, with its notices and the audit record, in one statement. */
export async function insertCheckedWindow(
  trx: Db,
  input: NewWindowInput,
  check: WindowCheck,
  context: { actor: string; now: DateTime; seriesId?: string },
): Promise<CommittedChange> {
  const rows = newWindowRows(input, check, context);
  const [window] = await insertWindowsWithNotices(trx, [rows.window], rows.notices, [rows.audit]);
  return { window: window!, notices: rows.notices };
}

/**
 * Changes a scheduled window. A new time or new systems raise the revision: audiences
 * already told get an update at once, and every notice not yet sent is planned anew.
 */
export async function changeWindow(deps: WindowServiceDeps, id: string, changes: WindowChanges, actor: string): Promise<WindowView> {
  return commitChange(deps, id, (trx, now) => changeWindowWithin(deps, trx, id, changes, actor, now));
}

/** One change of a window in one transaction; what it planned is scheduled after the commit, and the window shown as stored. */
async function commitChange(
  deps: WindowServiceDeps,
  id: string,
  change: (trx: Db, now: DateTime) => Promise<CommittedChange>,
): Promise<WindowView> {
  const now = deps.clock();
  const committed = await deps.db.transaction().execute((trx) => change(trx, now));
  await deps.onCommitted(committed);
  return getWindow(deps.db, id, deps.rules.policy.timezone);
}

/** `changeWindow` inside the caller's transaction, which calls `onCommitted` after the commit. */
export async function changeWindowWithin(
  deps: WindowServiceDeps,
  trx: Db,
  id: string,
  changes: WindowChanges,
  actor: string,
  now: DateTime,
): Promise<CommittedChange> {
  const { rules } = deps;
  const before = await lockScheduledWindow(trx, id);
  const notices = await lockNoticesOfWindow(trx, id);
  const start = changes.start ?? rules.calendar.local(before.start_at);
  const end = changes.end ?? rules.calendar.local(before.end_at);
  const systems = changes.systems ? [...new Set(changes.systems)] : before.systems;
  const moved =
    start.toMillis() !== before.start_at.getTime() ||
    end.toMillis() !== before.end_at.getTime() ||
    systems.join(',') !== before.systems.join(',');

  let newNotices: NewNoticeRow[] = [];
  const revision = moved ? before.revision + 1 : before.revision;
  let overdue = false;
  let allowed: Pick<WindowRow, 'overlap_reason' | 'blackout_reason'> = before;
  if (moved) {
    const told = await whoWasToldOf(deps, trx, id, notices);
    // An audience whose announcement went out hears of the change; its newcomers are owed a catch-up.
    const steps = noticeSteps(before.kind, rules.policy, before.plan ?? undefined).filter(
      (step) => step.kind !== 'announcement' || stillToAnnounce(told, step.audience),
    );
    const draft: WindowDraft = { kind: before.kind, systems, start, end, plan: before.plan ?? undefined };
    const taken = await takenWindows(deps, trx, now);
    const check = checkWindow(rules, draft, now, { ...allowances(changes), steps, taken, except: id });
    throwIfViolated(rules, check);
    overdue = check.plan.overdue.length > 0;
    allowed = {
      overlap_reason: check.conflicts.length > 0 ? (changes.allowOverlap?.reason ?? null) : null,
      blackout_reason: check.blackout !== null ? (changes.allowBlackout?.reason ?? before.blackout_reason) : null,
    };
    await withdrawUnsent(trx, id, now);
    const nextRevision = { ...before, revision };
    newNotices = [
      ...audiencesToTellOfChange(told).map((audience) => ({
        ...noticeRow(nextRevision, 'update', immediate(audience, now), now),
        previous_start_at: before.start_at,
        previous_end_at: before.end_at,
      })),
      ...check.plan.notices.map((n) => noticeRow(nextRevision, n.kind, n, now)),
    ];
  }
  // A new reason replaces the old one (the audit trail keeps both) wherever notice is short.
  const shortNoticeReason =
    changes.shortNotice && (overdue || before.short_notice_reason !== null) ? changes.shortNotice.reason : before.short_notice_reason;
  const after = await updateWindow(trx, id, {
    title: changes.title ?? before.title,
    description: changes.description ?? before.description,
    systems,
    start_at: start.toJSDate(),
    end_at: end.toJSDate(),
    revision,
    short_notice_reason: shortNoticeReason,
    overlap_reason: allowed.overlap_reason,
    blackout_reason: allowed.blackout_reason,
    updated_at: now.toJSDate(),
  });
  const inserted = [
    ...(await insertNotices(trx, newNotices)),
    ...(moved ? await planCatchUps(trx, after, { now: now.toJSDate(), policy: rules.policy, webhooks: deps.webhooks ?? {} }) : []),
  ];
  await recordAudit(trx, {
    windowId: id,
    actor,
    action: moved ? 'window.rescheduled' : 'window.edited',
    at: now.toJSDate(),
    details: { before: describe(before), after: describe(after), notices: inserted.map(describeNotice) },
  });
  return { window: after, notices: inserted };
}

/** Cancels a scheduled window: those already told get a cancellation, nothing else goes out. */
export async function cancelWindow(deps: WindowServiceDeps, id: string, reason: string, actor: string): Promise<WindowView> {
  return commitChange(deps, id, (trx, now) => cancelWindowWithin(deps, trx, id, reason, actor, now));
}

/** `cancelWindow` inside the caller's transaction, which calls `onCommitted` after the commit. */
export async function cancelWindowWithin(
  deps: WindowServiceDeps,
  trx: Db,
  id: string,
  reason: string,
  actor: string,
  now: DateTime,
): Promise<CommittedChange> {
  const before = await lockScheduledWindow(trx, id);
  const told = await whoWasToldOf(deps, trx, id, await lockNoticesOfWindow(trx, id));
  await withdrawUnsent(trx, id, now);
  const after = await updateWindow(trx, id, {
    status: 'cancelled',
    revision: before.revision + 1,
    cancel_reason: reason,
    updated_at: now.toJSDate(),
  });
  const inserted = await insertNotices(
    trx,
    audiencesToTellOfChange(told).map((audience) => noticeRow(after, 'cancellation', immediate(audience, now), now)),
  );
  await recordAudit(trx, {
    windowId: id,
    actor,
    action: 'window.cancelled',
    at: now.toJSDate(),
    details: { reason, before: describe(before), notices: inserted.map(describeNotice) },
  });
  return { window: after, notices: inserted };
}

/** Who the window's messages reached so far: the told rule over its notices and deliveries. */
async function whoWasToldOf(deps: WindowServiceDeps, db: Db, id: string, notices: readonly NoticeRow[]) {
  return whoWasTold(notices, await deliveryFactsOfWindows(db, [id]), publicationAudiences(deps.rules.policy));
}

/**
 * Withdraws everything of the window that has not left: notices not yet fanned out, and
 * deliveries no worker has claimed. A fanned-out notice is settled by what did go out.
 */
async function withdrawUnsent(db: Db, id: string, now: DateTime): Promise<void> {
  await withdrawUnsentNotices(db, id);
  await settleNotices(db, await withdrawPendingDeliveries(db, id), now.toJSDate());
}

/** Why a window can no longer change, in words (the code `status` stays English in the body). */
const STATUS_PHRASE: Record<WindowRow['status'], string> = {
  scheduled: 'är planerat',
  in_progress: 'har redan börjat',
  completed: 'är redan genomfört',
  cancelled: 'är inställt',
};

async function lockScheduledWindow(db: Db, id: string): Promise<WindowRow> {
  const window = await lockWindow(db, id);
  if (!window) throw new NotFoundError(`Driftstoppet ${id}`);
  if (window.status !== 'scheduled') {
    throw new ConflictError(`Driftstoppet ${STATUS_PHRASE[window.status]} och kan inte längre ändras.`);
  }
  return window;
}

/**
 * Refuses a window that breaks a rule, with what the client can act on: the earliest start
 * (short notice), the nearest compliant slot, and the windows it would overlap.
 */
export function throwIfViolated(rules: RuleBook, check: WindowCheck): void {
  if (check.violations.length === 0) return;
  throw new RuleViolationError(check.violations, refusalDetails(rules, check));
}

/** The data beside a refusal's messages, as the API shows it. */
export function refusalDetails(rules: RuleBook, check: WindowCheck): Record<string, unknown> {
  const zone = rules.policy.timezone;
  const at = (dt: DateTime) => formatInstant(dt.toJSDate(), zone);
  const codes = new Set(check.violations.map((v) => v.code));
  return {
    ...(check.earliestCompliantStart
      ? {
          earliestCompliantStart: at(check.earliestCompliantStart),
          earliestCompliantStartText: earliestStartText(check.earliestCompliantStart, zone),
        }
      : {}),
    ...(check.suggestion ? { suggestedStart: at(check.suggestion.start), suggestedEnd: at(check.suggestion.end) } : {}),
    ...(codes.has('overlapping_window')
      ? { conflicts: check.conflicts.map((c) => ({ id: c.id, title: c.title, start: at(c.start), end: at(c.end) })) }
      : {}),
    ...(codes.has('blackout_period') && check.blackout ? { blackout: check.blackout } : {}),
  };
}

/**
 * An extensive window's own plan must reach every audience, each at least as early as
 * the routine's minimum for that audience.
 */
function assertPlanFits(rules: RuleBook, kind: WindowKind, plan: PlanStep[] | undefined): void {
  if (!plan) return;
  if (kind !== 'extensive') {
    throw new ValidationError([{ path: 'plan', code: 'not_allowed', message: 'plan gäller bara omfattande driftstopp (kind "extensive").' }]);
  }
  const errors: FieldError[] = [];
  for (const [audience, { leadDays, displayName }] of Object.entries(rules.policy.audiences)) {
    const longest = Math.max(-1, ...plan.filter((s) => s.audience === audience).map((s) => s.leadDays));
    if (longest < leadDays) {
      errors.push({
        path: 'plan',
        code: 'too_small',
        message: `plan måste informera ${displayName} (${audience}) minst ${leadDays} dagar före start.`,
      });
    }
  }
  if (errors.length) throw new ValidationError(errors);
}

function immediate(audience: Audience, now: DateTime): PlannedNotice {
  return { audience, kind: 'announcement', leadDays: null, dueAt: now, requiredBy: now, late: false };
}

function hashRequest(input: NewWindowInput): string {
  const canonical = { ...input, start: input.start.toMillis(), end: input.end.toMillis() };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

