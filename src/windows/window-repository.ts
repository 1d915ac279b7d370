import type { Db } from '../storage/database.js';
import type { NewWindowRow, WindowRow, WindowStatus, WindowUpdate } from '../storage/schema.js';

export async function insertWindow(db: Db, row: NewWindowRow): Promise<WindowRow> {
  return db.insertInto('windows').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findWindow(db: Db, id: string): Promise<WindowRow | undefined> {
  return db.selectFrom('windows').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Reads and locks the window for the rest of the transaction, so changes to it are serialised. */
export async function lockWindow(db: Db, id: string): Promise<WindowRow | undefined> {
  return db.selectFrom('windows').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function updateWindow(db: Db, id: string, changes: WindowUpdate): Promise<WindowRow> {
  return db.updateTable('windows').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export interface WindowFilter {
  /** Windows that end after this instant. */
  from?: Date | undefined;
  /** Windows that start before this instant. */
  to?: Date | undefined;
  status?: readonly WindowStatus[] | undefined;
  limit?: number | undefined;
}

export async function listWindows(db: Db, filter: WindowFilter): Promise<WindowRow[]> {
  let query = db.selectFrom('windows').selectAll().orderBy('start_at').orderBy('id');
  if (filter.from) query = query.where('end_at', '>', filter.from);
  if (filter.to) query = query.where('start_at', '<', filter.to);
  if (filter.status?.length) query = query.where('status', 'in', filter.status);
  if (filter.limit) query = query.limit(filter.limit);
  return query.execute();
}
