import type { DisruptionStatus } from '../rules/disruption-status.js';
import type { Db } from '../storage/database.js';
import type { DisruptionRow, DisruptionUpdateRow, NewDisruptionRow, NewDisruptionUpdateRow } from '../storage/schema.js';

/** A disruption with its updates, the registration first. */
export interface DisruptionWithUpdates {
  disruption: DisruptionRow;
  updates: DisruptionUpdateRow[];
}

export interface DisruptionFilter {
  /** Disruptions not resolved before this instant (still open, or resolved at or after it). */
  from?: Date | undefined;
  /** Disruptions registered before this instant. */
  to?: Date | undefined;
  /** Only these statuses; empty or missing: all. */
  statuses?: readonly DisruptionStatus[] | undefined;
  limit?: number | undefined;
}

/**
 * Disruptions that were going on at some time in [from, to), newest registration first
 * (the order a status page and an administrator read them in).
 */
export async function listDisruptions(db: Db, filter: DisruptionFilter = {}): Promise<DisruptionRow[]> {
  let query = db.selectFrom('disruptions').selectAll().orderBy('created_at', 'desc').orderBy('id');
  if (filter.from) {
    const from = filter.from;
    query = query.where((eb) => eb.or([eb('resolved_at', 'is', null), eb('resolved_at', '>=', from)]));
  }
  if (filter.to) query = query.where('created_at', '<', filter.to);
  if (filter.statuses?.length) query = query.where('status', 'in', filter.statuses);
  if (filter.limit) query = query.limit(filter.limit);
  return query.execute();
}

export async function findDisruption(db: Db, id: string): Promise<DisruptionRow | undefined> {
  return db.selectFrom('disruptions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findDisruptions(db: Db, ids: readonly string[]): Promise<DisruptionRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('disruptions').selectAll().where('id', 'in', ids).execute();
}

/** The updates of these disruptions, each disruption's in order (the registration first). */
export async function listUpdatesOfDisruptions(db: Db, disruptionIds: readonly string[]): Promise<DisruptionUpdateRow[]> {
  if (disruptionIds.length === 0) return [];
  return db
    .selectFrom('disruption_updates')
    .selectAll()
    .where('disruption_id', 'in', disruptionIds)
    .orderBy('disruption_id')
    .orderBy('sequence')
    .execute();
}

/** One disruption with its updates in order, or undefined for an unknown id. */
export async function findDisruptionWithUpdates(db: Db, id: string): Promise<DisruptionWithUpdates | undefined> {
  const disruption = await findDisruption(db, id);
  if (!disruption) return undefined;
  return { disruption, updates: await listUpdatesOfDisruptions(db, [id]) };
}

/** As `listDisruptions`, each with its updates in order; two statements whatever the count. */
export async function listDisruptionsWithUpdates(db: Db, filter: DisruptionFilter = {}): Promise<DisruptionWithUpdates[]> {
  const disruptions = await listDisruptions(db, filter);
  const updates = await listUpdatesOfDisruptions(db, disruptions.map((d) => d.id));
  const byDisruption = new Map(disruptions.map((d) => [d.id, [] as DisruptionUpdateRow[]]));
  for (const u of updates) byDisruption.get(u.disruption_id)!.push(u);
  return disruptions.map((disruption) => ({ disruption, updates: byDisruption.get(disruption.id)! }));
}

export async function insertDisruption(db: Db, row: NewDisruptionRow): Promise<DisruptionRow> {
  return db.insertInto('disruptions').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function insertDisruptionUpdate(db: Db, row: NewDisruptionUpdateRow): Promise<DisruptionUpdateRow> {
  return db.insertInto('disruption_updates').values(row).returningAll().executeTakeFirstOrThrow();
}

/** Reads and locks the disruption for the rest of the transaction, so its updates are serialised. */
export async function lockDisruption(db: Db, id: string): Promise<DisruptionRow | undefined> {
  return db.selectFrom('disruptions').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Records a new latest update on the disruption itself: its status, revision and, when resolved, the instant. */
export async function setDisruptionStatus(
  db: Db,
  id: string,
  change: { status: DisruptionStatus; revision: number; at: Date },
): Promise<DisruptionRow> {
  return db
    .updateTable('disruptions')
    .set({
      status: change.status,
      revision: change.revision,
      updated_at: change.at,
      resolved_at: change.status === 'resolved' ? change.at : null,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Disruptions going on whose announcement to some audience has gone out: those whose newcomers may be owed it. */
export async function listOpenDisruptionsAnnounced(db: Db): Promise<DisruptionRow[]> {
  return db
    .selectFrom('disruptions as x')
    .selectAll('x')
    .where('x.status', '<>', 'resolved')
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('notices as n')
          .select('n.id')
          .whereRef('n.disruption_id', '=', 'x.id')
          .where('n.kind', '=', 'announcement')
          .where('n.dispatched_at', 'is not', null),
      ),
    )
    .orderBy('x.created_at')
    .execute();
}

/** Disruptions registered in [from, to), oldest first: those the compliance record of that range holds. */
export async function listDisruptionsRegisteredIn(db: Db, range: { from: Date; to: Date }): Promise<DisruptionRow[]> {
  return db
    .selectFrom('disruptions')
    .selectAll()
    .where('created_at', '>=', range.from)
    .where('created_at', '<', range.to)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}
