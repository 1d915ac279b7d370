import { affectedSystems } from '../rules/dependencies.js';
import {
  deliveryFactsOfWindows,
  insertRecipientDeliveries,
  insertWebhookDelivery,
  unfinishedBatchesOfNotice,
} from '../delivery/delivery-repository.js';
import type { Audience, Policy } from '../policy/policy-schema.js';
import {
  AUDIENCE_MEMBERS,
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
import type { NoticeRow, WindowRow } from '../storage/schema.js';
import { findWindow, findWindows } from '../windows/window-repository.js';
import { listNoticesOfWindows, lockDueNotices, lockNotice, markDispatched, setNoticeStatus, settleNotices } from './notice-repository.js';

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
    const window = (await findWindow(trx, notice.window_id!))!;
    const told = await toldOfWindows(trx, [window.id], options.policy);
    return fanOut(trx, notice, window, told.get(window.id)!, options);
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
    const windowIds = [...new Set(notices.map((n) => n.window_id!))];
    const windows = new Map((await findWindows(trx, windowIds)).map((w) => [w.id, w]));
    // Read once for the whole instant. The fan-outs below add only pending deliveries and
    // fan-out marks, which change neither who was told nor who was tried.
    const told = await toldOfWindows(trx, windowIds, options.policy);
    const dispatched: DueDispatch[] = [];
    for (const notice of notices) {
      const outcome = await fanOut(trx, notice, windows.get(notice.window_id!)!, told.get(notice.window_id!)!, options);
      dispatched.push({ noticeId: notice.id, outcome });
    }
    return dispatched;
  });
}

/** Who each window's messages reached so far, read in two statements for all of them. */
async function toldOfWindows(db: Db, windowIds: readonly string[], policy: Policy): Promise<Map<string, Map<Audience, AudienceTold>>> {
  const [notices, facts] = await Promise.all([listNoticesOfWindows(db, windowIds), deliveryFactsOfWindows(db, windowIds)]);
  const windowOf = new Map(notices.map((n) => [n.id, n.window_id]));
  const byWindow = new Map(windowIds.map((id) => [id, { notices: [] as NoticeRow[], facts: [] as DeliveryFact[] }]));
  for (const n of notices) byWindow.get(n.window_id!)!.notices.push(n);
  for (const f of facts) byWindow.get(windowOf.get(f.notice_id)!)!.facts.push(f);
  const publications = publicationAudiences(policy);
  return new Map([...byWindow].map(([id, w]) => [id, whoWasTold(w.notices, w.facts, publications)]));
}

/** The fan-out of one locked, pending, due notice. */
async function fanOut(
  trx: Db,
  notice: NoticeRow,
  window: WindowRow,
  told: ReadonlyMap<Audience, AudienceTold>,
  options: DispatchOptions,
): Promise<DispatchOutcome> {
  const { now } = options;
  if (window.status === 'cancelled' && notice.kind !== 'cancellation') {
    await setNoticeStatus(trx, notice.id, 'cancelled');
    return { outcome: 'skipped', reason: 'window is cancelled' };
  }

  const publications = publicationAudiences(options.policy);
  if (reachOf(notice.kind) === 'told' && mustWaitForInFlight(told, notice.audience)) {
    return { outcome: 'not_due', dueAt: new Date(now.getTime() + IN_FLIGHT_WAIT_MS) };
  }
  const selection = selectionFor(notice.kind, told.get(notice.audience)!);

  const members = AUDIENCE_MEMBERS[notice.audience];
  if (members && !publications.has(notice.audience)) {
    await insertRecipientDeliveries(trx, {
      noticeId: notice.id,
      recipientKind: members,
      // Subscribers of a system that depends on the window's are told too; once each, by the delivery key.
      systems: affectedSystems(options.policy, window.systems),
      selection,
      batchSize: options.batchSize,
      now,
    });
  }
  const webhook = options.webhooks[notice.audience];
  if (webhook && isSelected(selection, WEBHOOK_KEY, true)) await insertWebhookDelivery(trx, notice.id, webhook, now);

  await markDispatched(trx, notice.id, now);
  const batches = await unfinishedBatchesOfNotice(trx, notice.id);
  if (batches.length === 0) await settleNotices(trx, [notice.id], now);
  return { outcome: 'dispatched', batches };
}
