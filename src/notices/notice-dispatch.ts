import { currentAcknowledgements } from '../acknowledgements/acknowledgement-repository.js';
import { affectedSystems } from '../rules/dependencies.js';
import { localDate } from '../rules/deputies.js';
import {
  deliveryFactsOf,
  insertRecipientDeliveries,
  insertWebhookDelivery,
  unfinishedBatchesOfNotices,
  type RecipientDeliveryGroup,
} from '../delivery/delivery-repository.js';
import type { Audience, Policy } from '../policy/policy-schema.js';
import {
  emailMembersOf,
  isSelected,
  mustWaitForInFlight,
  publicationAudiences,
  reachOf,
  selectionFor,
  whoWasTold,
  WEBHOOK_KEY,
  type AudienceTold,
  type DeliveryFact,
} from '../rules/told.js';
import type { Db } from '../storage/database.js';
import type { NoticeRow } from '../storage/schema.js';
import { listNoticesOf, lockDueNotices, lockNotice, markDispatched, setNoticesStatus, settleNotices, type SubjectColumn } from './notice-repository.js';
import { findSubjects, subjectRefOf, type NoticeSubject, type SubjectRef } from './notice-subject.js';

/** How long a change's message waits for a message to the same audience that is being sent right now. */
export const IN_FLIGHT_WAIT_MS = 2000;

export type DispatchOutcome =
  | { outcome: 'dispatched'; batches: number[] }
  | { outcome: 'not_due'; dueAt: Date }
  | { outcome: 'skipped'; reason: string };

export interface DispatchOptions {
  now: Date;
  policy: Policy;
  /** The CMS endpoint of each audience that has one. */
  webhooks: Partial<Record<Audience, string | undefined>>;
  /** Deliveries per batch job. */
  batchSize: number;
}

/**
 * Fans a due notice out into one delivery per recipient, in one transaction that locks
 * the notice, so two workers (or a worker and a reschedule) never both do it. Whom it
 * reaches is the told rule's decision (src/rules/told.ts), made from the window's deliveries
 * as they are now; an update or cancellation whose audience has a message in flight waits
 * for its outcome, so it reaches exactly those told.
 */
export async function dispatchNotice(db: Db, noticeId: string, options: DispatchOptions): Promise<DispatchOutcome> {
  const { now } = options;
  return db.transaction().execute(async (trx) => {
    const notice = await lockNotice(trx, noticeId);
    if (!notice) return { outcome: 'skipped', reason: 'notice no longer exists' };
    if (notice.status !== 'pending') return { outcome: 'skipped', reason: `notice is ${notice.status}` };
    if (notice.dispatched_at) return { outcome: 'dispatched', batches: (await unfinishedBatchesOfNotices(trx, [noticeId])).get(noticeId) ?? [] };
    if (notice.due_at.getTime() > now.getTime()) return { outcome: 'not_due', dueAt: notice.due_at };
    const subjects = await findSubjects(trx, [notice]);
    const told = await toldOfSubjects(trx, [subjectRefOf(notice)], options.policy);
    return (await fanOutAll(trx, [notice], subjects, told, options)).get(notice.id)!;
  });
}

export interface DueDispatch {
  noticeId: string;
  outcome: DispatchOutcome;
}

/**
 * Fans out every due notice that no other worker holds, up to `limit`, in one transaction:
 * the notices of one instant (every Tuesday 08:00 has many) start together instead of one
 * job after another. Rows another worker has locked are skipped, not waited for.
 */
export async function dispatchDueNotices(db: Db, options: DispatchOptions & { limit: number }): Promise<DueDispatch[]> {
  return db.transaction().execute(async (trx) => {
    const notices = await lockDueNotices(trx, options.now, options.limit);
    if (notices.length === 0) return [];
    const subjects = await findSubjects(trx, notices);
    // Read once for the whole instant. The fan-outs below add only pending deliveries and
    // fan-out marks, which change neither who was told nor who was tried.
    const told = await toldOfSubjects(trx, notices.map(subjectRefOf), options.policy);
    const outcomes = await fanOutAll(trx, notices, subjects, told, options);
    return notices.map((notice) => ({ noticeId: notice.id, outcome: outcomes.get(notice.id)! }));
  });
}

/** Who each window's or disruption's messages reached so far, read in two statements per kind of subject. */
async function toldOfSubjects(db: Db, refs: readonly SubjectRef[], policy: Policy): Promise<Map<string, Map<Audience, AudienceTold>>> {
  const told = new Map<string, Map<Audience, AudienceTold>>();
  for (const column of ['window_id', 'disruption_id'] as const satisfies readonly SubjectColumn[]) {
    const ids = [...new Set(refs.filter((r) => r.column === column).map((r) => r.id))];
    if (ids.length === 0) continue;
    const [notices, facts] = await Promise.all([listNoticesOf(db, column, ids), deliveryFactsOf(db, column, ids)]);
    const subjectOf = new Map(notices.map((n) => [n.id, subjectRefOf(n).id]));
    const bySubject = new Map(ids.map((id) => [id, { notices: [] as NoticeRow[], facts: [] as DeliveryFact[] }]));
    for (const n of notices) bySubject.get(subjectRefOf(n).id)!.notices.push(n);
    for (const f of facts) bySubject.get(subjectOf.get(f.notice_id)!)!.facts.push(f);
    const publications = publicationAudiences(policy);
    for (const [id, w] of bySubject) told.set(id, whoWasTold(w.notices, w.facts, publications));
  }
  return told;
}

/** Who each window's messages reached so far (the acknowledgements ask this of windows only). */
export async function toldOfWindows(db: Db, windowIds: readonly string[], policy: Policy): Promise<Map<string, Map<Audience, AudienceTold>>> {
  return toldOfSubjects(db, windowIds.map((id) => ({ column: 'window_id' as const, id })), policy);
}

/** What one locked, pending, due notice's fan-out does, decided before anything is written. */
type FanOutPlan =
  | { noticeId: string; outcome: Exclude<DispatchOutcome, { outcome: 'dispatched' }>; cancel: boolean }
  | { noticeId: string; deliveries: RecipientDeliveryGroup | null; webhook: string | null };

/**
 * The fan-outs of locked, pending, due notices, in a handful of statements whatever their
 * number: whom each reaches is decided here for all of them, the recipient deliveries of
 * notices that reach the same people are written by one insert, and the fan-out marks, the
 * batches and the notices with nobody to reach are each one statement. A morning rush of a
 * thousand notices thereby costs a few dozen round trips, not thousands.
 */
async function fanOutAll(
  trx: Db,
  notices: readonly NoticeRow[],
  subjects: ReadonlyMap<string, NoticeSubject>,
  told: ReadonlyMap<string, ReadonlyMap<Audience, AudienceTold>>,
  options: DispatchOptions,
): Promise<Map<string, DispatchOutcome>> {
  const { now } = options;
  const chased = notices.filter((n) => n.chase && n.window_id !== null).map((n) => n.window_id!);
  const acknowledged = new Map<string, Set<string>>();
  for (const a of await currentAcknowledgements(trx, [...new Set(chased)])) {
    acknowledged.set(a.window_id, (acknowledged.get(a.window_id) ?? new Set()).add(a.recipient_id));
  }
  const plans = notices.map((notice) => {
    const { id } = subjectRefOf(notice);
    return planFanOut(notice, subjects.get(id)!, told.get(id)!, acknowledged, options);
  });

  const outcomes = new Map<string, DispatchOutcome>();
  const cancelled = plans.flatMap((p) => ('cancel' in p && p.cancel ? [p.noticeId] : []));
  if (cancelled.length > 0) await setNoticesStatus(trx, cancelled, 'cancelled');
  for (const p of plans) if ('outcome' in p) outcomes.set(p.noticeId, p.outcome);

  const going = plans.filter((p): p is Extract<FanOutPlan, { deliveries: unknown }> => 'deliveries' in p);
  if (going.length === 0) return outcomes;
  const groups = new Map<string, { group: RecipientDeliveryGroup; noticeIds: string[] }>();
  for (const { noticeId, deliveries } of going) {
    if (!deliveries) continue;
    const key = groupKey(deliveries);
    const found = groups.get(key) ?? { group: deliveries, noticeIds: [] };
    found.noticeIds.push(noticeId);
    groups.set(key, found);
  }
  for (const { group, noticeIds } of groups.values()) {
    await insertRecipientDeliveries(trx, { ...group, noticeIds, batchSize: options.batchSize, now });
  }
  for (const { noticeId, webhook } of going) if (webhook) await insertWebhookDelivery(trx, noticeId, webhook, now);

  const ids = going.map((p) => p.noticeId);
  await markDispatched(trx, ids, now);
  const batches = await unfinishedBatchesOfNotices(trx, ids);
  const nothingToSend = ids.filter((id) => !batches.has(id));
  await settleNotices(trx, nothingToSend, now);
  for (const id of ids) outcomes.set(id, { outcome: 'dispatched', batches: batches.get(id) ?? [] });
  return outcomes;
}

/** Whom one notice reaches, by the told rule, or why it does not go out now. */
function planFanOut(
  notice: NoticeRow,
  subject: NoticeSubject,
  told: ReadonlyMap<Audience, AudienceTold>,
  acknowledged: ReadonlyMap<string, ReadonlySet<string>>,
  options: DispatchOptions,
): FanOutPlan {
  const { now } = options;
  // A disruption's notices all go out, its resolution too: only a cancelled window withdraws what is left.
  if (subject.kind === 'window' && subject.row.status === 'cancelled' && notice.kind !== 'cancellation') {
    return { noticeId: notice.id, outcome: { outcome: 'skipped', reason: 'window is cancelled' }, cancel: true };
  }
  if (reachOf(notice.kind) === 'told' && mustWaitForInFlight(told, notice.audience)) {
    return { noticeId: notice.id, outcome: { outcome: 'not_due', dueAt: new Date(now.getTime() + IN_FLIGHT_WAIT_MS) }, cancel: false };
  }
  // A chase skips whoever confirmed the window's current revision.
  const chase = notice.chase && subject.kind === 'window' ? { acknowledged: acknowledged.get(subject.row.id) ?? new Set<string>() } : undefined;
  const selection = selectionFor(notice.kind, told.get(notice.audience)!, chase);
  const members = emailMembersOf(options.policy, notice.audience);
  const webhook = options.webhooks[notice.audience];
  return {
    noticeId: notice.id,
    deliveries: members
      ? {
          recipientKind: members,
          // Subscribers of a system that depends on the window's are told too; once each, by the delivery key.
          systems: affectedSystems(options.policy, subject.row.systems),
          selection,
          // A recipient whose deputy's range covers the day it goes out is sent to the deputy instead.
          sendDate: localDate(now, options.policy.timezone),
        }
      : null,
    webhook: webhook && isSelected(selection, WEBHOOK_KEY, true) ? webhook : null,
  };
}

/** Notices whose recipient deliveries are the same selection share one insert. */
function groupKey(d: RecipientDeliveryGroup): string {
  const keys = (set: ReadonlySet<string> | null) => (set === null ? null : [...set].sort());
  const { selection } = d;
  return JSON.stringify([d.recipientKind, [...d.systems].sort(), d.sendDate, selection.subscribers, keys(selection.only), keys(selection.except)]);
}
