import { sql } from 'kysely';
import type { Db } from '../storage/database.js';
import type { NewNoticeRow, NoticeRow, NoticeStatus } from '../storage/schema.js';

export async function insertNotices(db: Db, rows: NewNoticeRow[]): Promise<NoticeRow[]> {
  if (rows.length === 0) return [];
  return db.insertInto('notices').values(rows).returningAll().execute();
}

/** What a notice tells of: the column naming its window or its disruption. */
export type SubjectColumn = 'window_id' | 'disruption_id';

export async function listNoticesOfWindows(db: Db, windowIds: readonly string[]): Promise<NoticeRow[]> {
  return listNoticesOf(db, 'window_id', windowIds);
}

/** The notices of these windows or disruptions, by due instant. */
export async function listNoticesOf(db: Db, column: SubjectColumn, ids: readonly string[]): Promise<NoticeRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('notices')
    .selectAll()
    .where(column, 'in', ids)
    .orderBy('due_at')
    .orderBy('created_at')
    .execute();
}

export async function findNotice(db: Db, id: string): Promise<NoticeRow | undefined> {
  return db.selectFrom('notices').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findNotices(db: Db, ids: readonly string[]): Promise<NoticeRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('notices').selectAll().where('id', '=', anyOf(ids)).execute();
}

/** Notices still to fan out that fall due by `until`: each must have its delayed job. */
export async function listNoticesToSchedule(db: Db, until: Date): Promise<Pick<NoticeRow, 'id' | 'revision' | 'due_at'>[]> {
  return db
    .selectFrom('notices')
    .select(['id', 'revision', 'due_at'])
    .where('status', '=', 'pending')
    .where('dispatched_at', 'is', null)
    .where('due_at', '<=', until)
    .execute();
}

/** Reads and locks one notice for the rest of the transaction. */
export async function lockNotice(db: Db, id: string): Promise<NoticeRow | undefined> {
  return db.selectFrom('notices').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Due notices not yet fanned out that no other transaction holds, oldest first. */
export async function lockDueNotices(db: Db, now: Date, limit: number): Promise<NoticeRow[]> {
  return db
    .selectFrom('notices')
    .selectAll()
    .where('status', '=', 'pending')
    .where('dispatched_at', 'is', null)
    .where('due_at', '<=', now)
    .orderBy('due_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

export async function markDispatched(db: Db, ids: readonly string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('notices').set({ dispatched_at: now }).where('id', '=', anyOf(ids)).execute();
}

export async function setNoticesStatus(db: Db, ids: readonly string[], status: NoticeStatus): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('notices').set({ status }).where('id', '=', anyOf(ids)).execute();
}

/** `= any($1::uuid[])`: one parameter however many ids, so a statement's text stays the same. */
export function anyOf(ids: readonly string[]) {
  return sql<string>`any(${sql.val([...ids])}::uuid[])`;
}

/** Locks every notice of the window, so no worker dispatches one while the window changes. */
export async function lockNoticesOfWindow(db: Db, windowId: string): Promise<NoticeRow[]> {
  return lockNoticesOf(db, 'window_id', windowId);
}

/** Locks every notice of a window or disruption, so no worker dispatches one while it changes. */
export async function lockNoticesOf(db: Db, column: SubjectColumn, id: string): Promise<NoticeRow[]> {
  return db.selectFrom('notices').selectAll().where(column, '=', id).forUpdate().execute();
}

/** Withdraws the notices of a window not yet fanned out: they will not go out as planned. */
export async function withdrawUnsentNotices(db: Db, windowId: string): Promise<void> {
  await withdrawUnsentNoticesOf(db, 'window_id', windowId);
}

/** Withdraws the notices of a window or disruption not yet fanned out. */
export async function withdrawUnsentNoticesOf(db: Db, column: SubjectColumn, id: string): Promise<void> {
  await db
    .updateTable('notices')
    .set({ status: 'cancelled' })
    .where(column, '=', id)
    .where('status', '=', 'pending')
    .where('dispatched_at', 'is', null)
    .execute();
}

/**
 * A fanned-out notice is settled once none of its deliveries is pending or being sent:
 * sent when anything reached anyone (or there was nobody to tell), failed when every
 * delivery failed, cancelled when everything was withdrawn.
 */
export async function settleNotices(db: Db, noticeIds: readonly string[], now: Date): Promise<void> {
  if (noticeIds.length === 0) return;
  await sql`
    update notices n set
      status = case
        when exists (select 1 from deliveries d where d.notice_id = n.id and d.status = 'sent') then 'sent'
        when exists (select 1 from deliveries d where d.notice_id = n.id and d.status = 'failed') then 'failed'
        when exists (select 1 from deliveries d where d.notice_id = n.id and d.status = 'cancelled') then 'cancelled'
        else 'sent' end,
      sent_at = coalesce(
        (select max(d.sent_at) from deliveries d where d.notice_id = n.id and d.status = 'sent'),
        case when not exists (select 1 from deliveries d where d.notice_id = n.id) then ${now}::timestamptz end),
      error = (select d.last_error from deliveries d where d.notice_id = n.id and d.status = 'failed' limit 1)
    where n.id in (${sql.join(noticeIds)})
      and n.status = 'pending'
      and n.dispatched_at is not null
      and not exists (select 1 from deliveries d where d.notice_id = n.id and d.status in ('pending', 'sending'))
  `.execute(db);
}


/**
 * The notices of the windows starting in [from, to), read with a subquery so a year of
 * windows does not become a list of thousands of parameters.
 */
export async function listNoticesOfWindowsStartingIn(db: Db, range: { from: Date; to: Date }): Promise<NoticeRow[]> {
  return db
    .selectFrom('notices')
    .selectAll()
    .where('window_id', 'in', (eb) => eb.selectFrom('windows').select('id').where('start_at', '>=', range.from).where('start_at', '<', range.to))
    .orderBy('due_at')
    .orderBy('created_at')
    .execute();
}

/**
 * Pending notices no worker has fanned out although their due instant passed more than
 * `graceMs` ago: while this is above zero, notices are not going out. /readyz reports it.
 */
export async function countOverdueNotices(db: Db, now: Date, graceMs: number): Promise<number> {
  const row = await db
    .selectFrom('notices')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('status', '=', 'pending')
    .where('dispatched_at', 'is', null)
    .where('due_at', '<', new Date(now.getTime() - graceMs))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Notices by status, plus "late" (sent after the rule's deadline, or planned late) and
 * "overdue" (pending more than `graceMs` past due), for the metrics.
 */
export async function noticeCounts(db: Db, now: Date, graceMs: number): Promise<Map<string, number>> {
  const { rows } = await sql<{ status: string; n: string }>`
    select status, count(*) as n from notices group by status
    union all select 'late', count(*) from notices where late or (sent_at is not null and sent_at >= required_by)
    union all select 'overdue', count(*) from notices
      where status = 'pending' and dispatched_at is null and due_at < ${new Date(now.getTime() - graceMs)}::timestamptz`.execute(db);
  return new Map(rows.map((r) => [r.status, Number(r.n)]));
}
