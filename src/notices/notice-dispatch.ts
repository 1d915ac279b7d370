import { currentAcknowledgements } from '../acknowledgements/acknowledgement-repository.js';
import { affectedSystems } from '../rules/dependencies.js';
import { localDate } from '../rules/deputies.js';
import {
  deliveryFactsOf,
  insertRecipientDeliveries,
  insertWebhookDelivery,
  unfinishedBatchesOfNotice,
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
import { listNoticesOf, lockDueNotices, lockNotice, markDispatched, setNoticeStatus, settleNotices, type SubjectColumn } from './notice-repository.js';
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
    if (notice.dispatched_at) return { outcome: 'dispatched', batches: await unfinishedBatchesOfNotice(trx, noticeId) };
    if (notice.due_at.getTime() > now.getTime()) return { outcome: 'not_due', dueAt: notice.due_at };
    const ref = subjectRefOf(notice);
    const subject = (await findSubjects(trx, [notice])).get(ref.id)!;
    const told = await toldOfSubjects(trx, [ref], options.policy);
    return fanOut(trx, notice, subject, told.get(ref.id)!, options);
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
    const dispatched: DueDispatch[] = [];
    for (const notice of notices) {
      const { id } = subjectRefOf(notice);
      const outcome = await fanOut(trx, notice, subjects.get(id)!, told.get(id)!, options);
      dispatched.push({ noticeId: notice.id, outcome });
    }
    return dispatched;
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

/** The fan-out of one locked, pending, due notice. */
async function fanOut(
  trx: Db,
  notice: NoticeRow,
  subject: NoticeSubject,
  told: ReadonlyMap<Audience, AudienceTold>,
  options: DispatchOptions,
): Promise<DispatchOutcome> {
  const { now } = options;
  // A disruption's notices all go out, its resolution too: only a cancelled window withdraws what is left.
  if (subject.kind === 'window' && subject.row.status === 'cancelled' && notice.kind !== 'cancellation') {
    await setNoticeStatus(trx, notice.id, 'cancelled');
    return { outcome: 'skipped', reason: 'window is cancelled' };
  }

  if (reachOf(notice.kind) === 'told' && mustWaitForInFlight(told, notice.audience)) {
    return { outcome: 'not_due', dueAt: new Date(now.getTime() + IN_FLIGHT_WAIT_MS) };
  }
  // A chase skips whoever confirmed the window's current revision.
  const chase =
    notice.chase && subject.kind === 'window'
      ? { acknowledged: new Set((await currentAcknowledgements(trx, [subject.row.id])).map((a) => a.recipient_id)) }
      : undefined;
  const selection = selectionFor(notice.kind, told.get(notice.audience)!, chase);

  const members = emailMembersOf(options.policy, notice.audience);
  if (members) {
    await insertRecipientDeliveries(trx, {
      noticeId: notice.id,
      recipientKind: members,
      // Subscribers of a system that depends on the window's are told too; once each, by the delivery key.
      systems: affectedSystems(options.policy, subject.row.systems),
      selection,
      batchSize: options.batchSize,
      now,
      // A recipient whose deputy's range covers the day it goes out is sent to the deputy instead.
      sendDate: localDate(now, options.policy.timezone),
    });
  }
  const webhook = options.webhooks[notice.audience];
  if (webhook && isSelected(selection, WEBHOOK_KEY, true)) await insertWebhookDelivery(trx, notice.id, webhook, now);

  await markDispatched(trx, notice.id, now);
  const batches = await unfinishedBatchesOfNotice(trx, notice.id);
  if (batches.length === 0) await settleNotices(trx, [notice.id], now);
  return { outcome: 'dispatched', batches };
}
