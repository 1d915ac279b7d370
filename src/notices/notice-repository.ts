import type { Db } from '../storage/database.js';
import type { NewNoticeRow, NoticeRow } from '../storage/schema.js';

export async function insertNotices(db: Db, rows: NewNoticeRow[]): Promise<NoticeRow[]> {
  if (rows.length === 0) return [];
  return db.insertInto('notices').values(rows).returningAll().execute();
}

export async function listNoticesOfWindows(db: Db, windowIds: readonly string[]): Promise<NoticeRow[]> {
  if (windowIds.length === 0) return [];
  return db
    .selectFrom('notices')
    .selectAll()
    .where('window_id', 'in', windowIds)
    .orderBy('due_at')
    .orderBy('created_at')
    .orderBy('audience')
    .execute();
}

/** Locks every notice of the window, so no worker dispatches one while the window changes. */
export async function lockNoticesOfWindow(db: Db, windowId: string): Promise<NoticeRow[]> {
  return db.selectFrom('notices').selectAll().where('window_id', '=', windowId).forUpdate().execute();
}

export async function cancelPendingNotices(db: Db, windowId: string): Promise<void> {
  await db
    .updateTable('notices')
    .set({ status: 'cancelled' })
    .where('window_id', '=', windowId)
    .where('status', '=', 'pending')
    .where('dispatched_at', 'is', null)
    .execute();
}
