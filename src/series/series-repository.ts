import type { Db } from '../storage/database.js';
import type { NewSeriesRow, SeriesRow } from '../storage/schema.js';

export async function insertSeries(db: Db, row: NewSeriesRow): Promise<SeriesRow> {
  return db.insertInto('series').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findSeries(db: Db, id: string): Promise<SeriesRow | undefined> {
  return db.selectFrom('series').selectAll().where('id', '=', id).executeTakeFirst();
}
