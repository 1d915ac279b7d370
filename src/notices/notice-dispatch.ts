import { sql } from 'kysely';
import type { Audience } from '../policy/policy-schema.js';
import type { Db } from '../storage/database.js';
import type { NoticeRow, RecipientKind, WindowRow } from '../storage/schema.js';
import { settleNotices } from './notice-repository.js';

/** Which kind of recipient each e-mail audience reaches; intranet and public reach only their CMS. */
const RECIPIENT_KIND: Partial<Record<Audience, RecipientKind>> = { managers: 'manager', egetval: 'provider' };

export type DispatchOutcome =
  | { outcome: 'dispatched'; batches: number[] }
  | { outcome: 'not_due'; dueAt: Date }
  | { outcome: 'skipped'; reason: string };

export interface DispatchOptions {
  now: Date;
  /** The CMS endpoint of each audience that has one. */
  webhooks: Partial<Record<Audience, string | undefined>>;
  /** Deliveries per batch job. */
  batchSize: number;
}

/**
 * Fans a due notice out into one delivery per recipient, in one transaction that locks
 * the notice, so two workers (or a worker and a reschedule) never both do it. Who is
 * reached: announcements and reminders the audience's current subscribers of the
 * window's systems; an update those and everyone told before; a cancellation only those
 * told before. Recipients are snapshotted now; the unique (notice, recipient) key makes a
 * repeat harmless.
 */
export async function dispatchNotice(db: Db, noticeId: string, options: DispatchOptions): Promise<DispatchOutcome> {
  const { now } = options;
  return db.transaction().execute(async (trx) => {
    const notice = await trx.selectFrom('notices').selectAll().where('id', '=', noticeId).forUpdate().executeTakeFirst();
    if (!notice) return { outcome: 'skipped', reason: 'notice no longer exists' };
    if (notice.status !== 'pending') return { outcome: 'skipped', reason: `notice is ${notice.status}` };
    if (notice.dispatched_at) return { outcome: 'dispatched', batches: await unfinishedBatches(trx, noticeId) };
    if (notice.due_at.getTime() > now.getTime()) return { outcome: 'not_due', dueAt: notice.due_at };
    const window = await trx.selectFrom('windows').selectAll().where('id', '=', notice.window_id).executeTakeFirstOrThrow();
    return fanOut(trx, notice, window, options);
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
    const notices = await trx
      .selectFrom('notices')
      .selectAll()
      .where('status', '=', 'pending')
      .where('dispatched_at', 'is', null)
      .where('due_at', '<=', options.now)
      .orderBy('due_at')
      .limit(options.limit)
      .forUpdate()
      .skipLocked()
      .execute();
    if (notices.length === 0) return [];
    const windowIds = [...new Set(notices.map((n) => n.window_id))];
    const windows = new Map((await trx.selectFrom('windows').selectAll().where('id', 'in', windowIds).execute()).map((w) => [w.id, w]));
    const dispatched: DueDispatch[] = [];
    for (const notice of notices) {
      dispatched.push({ noticeId: notice.id, outcome: await fanOut(trx, notice, windows.get(notice.window_id)!, options) });
    }
    return dispatched;
  });
}

/** The fan-out of one locked, pending, due notice. */
async function fanOut(trx: Db, notice: NoticeRow, window: WindowRow, options: DispatchOptions): Promise<DispatchOutcome> {
  const { now } = options;
  const noticeId = notice.id;
  if (window.status === 'cancelled' && notice.kind !== 'cancellation') {
    await trx.updateTable('notices').set({ status: 'cancelled' }).where('id', '=', noticeId).execute();
    return { outcome: 'skipped', reason: 'window is cancelled' };
  }

  const kind = RECIPIENT_KIND[notice.audience];
  if (kind) await insertEmailDeliveries(trx, notice, kind, window.systems, options);
  const webhook = options.webhooks[notice.audience];
  if (webhook) {
    const next = await trx
      .selectFrom('deliveries')
      .select((eb) => eb.fn.coalesce(eb.fn.max('batch'), sql<number>`-1`).as('last'))
      .where('notice_id', '=', noticeId)
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('deliveries')
      .values({
        id: crypto.randomUUID(),
        notice_id: noticeId,
        recipient_key: 'webhook',
        recipient_id: null,
        channel: 'webhook',
        target: webhook,
        batch: Number(next.last) + 1,
        status: 'pending',
        attempts: 0,
        created_at: now,
      })
      .onConflict((oc) => oc.columns(['notice_id', 'recipient_key']).doNothing())
      .execute();
  }
  await trx.updateTable('notices').set({ dispatched_at: now }).where('id', '=', noticeId).execute();
  const batches = await unfinishedBatches(trx, noticeId);
  if (batches.length === 0) await settleNotices(trx, [noticeId], now);
  return { outcome: 'dispatched', batches };
}

async function insertEmailDeliveries(
  db: Db,
  notice: NoticeRow,
  kind: RecipientKind,
  systems: string[],
  { now, batchSize }: DispatchOptions,
): Promise<void> {
  const toldBefore = sql<boolean>`r.id in (
    select d.recipient_id from deliveries d join notices n on n.id = d.notice_id
    where n.window_id = ${notice.window_id} and n.audience = ${notice.audience}
      and n.kind <> 'cancellation' and d.channel = 'email' and d.status in ('sent', 'sending'))`;
  const subscribed = sql<boolean>`(r.kind = ${kind} and r.systems && ${sql.val(systems)}::text[])`;
  const reached =
    notice.kind === 'cancellation' ? toldBefore : notice.kind === 'update' ? sql`(${subscribed} or ${toldBefore})` : subscribed;
  await sql`
    insert into deliveries (id, notice_id, recipient_key, recipient_id, channel, target, batch, status, attempts, created_at)
    select gen_random_uuid(), ${notice.id}, r.id::text, r.id, 'email', r.email,
           ((row_number() over (order by r.id)) - 1) / ${batchSize}, 'pending', 0, ${now}::timestamptz
    from recipients r
    where r.deleted_at is null and ${reached}
    on conflict (notice_id, recipient_key) do nothing
  `.execute(db);
}

async function unfinishedBatches(db: Db, noticeId: string): Promise<number[]> {
  const rows = await db
    .selectFrom('deliveries')
    .select('batch')
    .distinct()
    .where('notice_id', '=', noticeId)
    .where('status', 'in', ['pending', 'sending'])
    .orderBy('batch')
    .execute();
  return rows.map((r) => r.batch);
}
