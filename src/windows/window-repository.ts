import { sql } from 'kysely';
import type { Audience } from '../policy/policy-schema.js';
import type { Db } from '../storage/database.js';
import type { NewAuditEventRow, NewNoticeRow, NewWindowRow, WindowRow, WindowStatus, WindowUpdate } from '../storage/schema.js';

export async function insertWindow(db: Db, row: NewWindowRow): Promise<WindowRow> {
  return db.insertInto('windows').values(row).returningAll().executeTakeFirstOrThrow();
}

/**
 * Writes new windows, their notices and their audit records in one statement and returns the
 * windows as stored. A create holds the register's lock until it commits, and every round
 * trip while it holds it is waited for by each create behind it. The notices reference their
 * windows: PostgreSQL checks those keys at the end of the statement, once the windows are
 * written. The audit records are numbered in the order given.
 */
export async function insertWindowsWithNotices(
  db: Db,
  windows: readonly NewWindowRow[],
  notices: readonly NewNoticeRow[],
  audits: readonly NewAuditEventRow[],
): Promise<WindowRow[]> {
  // An insert of no rows is no SQL: a group all refused writes nothing, a window with nothing to tell no notices.
  if (windows.length === 0) return [];
  const written = db
    .with('w', (q) => q.insertInto('windows').values([...windows]).returningAll())
    .with('a', (q) => q.insertInto('audit_events').values([...audits]));
  if (notices.length === 0) return written.selectFrom('w').selectAll().execute();
  return written
    .with('n', (q) => q.insertInto('notices').values([...notices]))
    .selectFrom('w')
    .selectAll()
    .execute();
}

export async function findWindow(db: Db, id: string): Promise<WindowRow | undefined> {
  return db.selectFrom('windows').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findWindows(db: Db, ids: readonly string[]): Promise<WindowRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('windows').selectAll().where('id', 'in', ids).execute();
}

/** Reads and locks the window for the rest of the transaction, so changes to it are serialised. */
export async function lockWindow(db: Db, id: string): Promise<WindowRow | undefined> {
  return db.selectFrom('windows').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function updateWindow(db: Db, id: string, changes: WindowUpdate): Promise<WindowRow> {
  return db.updateTable('windows').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/**
 * Serialises the checks of the register against itself for the rest of the transaction: two
 * requests for the same slot would each see the other's window missing and both be accepted.
 */
export async function lockRegister(db: Db): Promise<void> {
  await sql`select pg_advisory_xact_lock(${REGISTER_LOCK})`.execute(db);
}

/** The advisory lock key of the register: a fixed number no other lock of this service uses. */
const REGISTER_LOCK = 0x0d12f7;

/** What a check against the register reads of each window holding its time. */
export type TakenWindowRow = Pick<WindowRow, 'id' | 'title' | 'systems' | 'start_at' | 'end_at'>;

/**
 * The columns of a `TakenWindowRow`: a create reads every window sharing its time under the
 * register's lock, so their descriptions and plans are not parsed there.
 */
const TAKEN_COLUMNS = ['id', 'title', 'systems', 'start_at', 'end_at'] as const;

/** Windows that hold their time from `now` on: scheduled or running and not yet ended. */
export async function listTakenWindows(db: Db, now: Date): Promise<TakenWindowRow[]> {
  return db
    .selectFrom('windows')
    .select(TAKEN_COLUMNS)
    .where('status', 'in', ['scheduled', 'in_progress'])
    .where('end_at', '>', now)
    .orderBy('start_at')
    .execute();
}

/** The windows holding their time from `now` on that share some of [from, to): the only ones a window there can overlap. */
export async function listTakenWindowsBetween(db: Db, now: Date, range: { from: Date; to: Date }): Promise<TakenWindowRow[]> {
  return db
    .selectFrom('windows')
    .select(TAKEN_COLUMNS)
    .where('status', 'in', ['scheduled', 'in_progress'])
    .where('end_at', '>', now)
    .where('end_at', '>', range.from)
    .where('start_at', '<', range.to)
    .orderBy('start_at')
    .execute();
}

/** A series' windows, by start. */
export async function listWindowsOfSeries(db: Db, seriesId: string): Promise<WindowRow[]> {
  return db.selectFrom('windows').selectAll().where('series_id', '=', seriesId).orderBy('start_at').orderBy('id').execute();
}

export interface WindowFilter {
  /** Windows that end after this instant. */
  from?: Date | undefined;
  /** Windows that start before this instant. */
  to?: Date | undefined;
  status?: readonly WindowStatus[] | undefined;
  /** Only the occurrences of this series. */
  seriesId?: string | undefined;
  limit?: number | undefined;
}

export async function listWindows(db: Db, filter: WindowFilter): Promise<WindowRow[]> {
  let query = db.selectFrom('windows').selectAll().orderBy('start_at').orderBy('id');
  if (filter.from) query = query.where('end_at', '>', filter.from);
  if (filter.to) query = query.where('start_at', '<', filter.to);
  if (filter.status?.length) query = query.where('status', 'in', filter.status);
  if (filter.seriesId) query = query.where('series_id', '=', filter.seriesId);
  if (filter.limit) query = query.limit(filter.limit);
  return query.execute();
}

/**
 * Windows planned or running that have not ended and whose announcement to some audience has
 * gone out: those whose newcomers may be owed a catch-up.
 */
export async function listOpenWindowsAnnounced(db: Db, now: Date): Promise<WindowRow[]> {
  return db
    .selectFrom('windows as w')
    .selectAll('w')
    .where('w.status', 'in', ['scheduled', 'in_progress'])
    .where('w.end_at', '>', now)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('notices as n').select('n.id').whereRef('n.window_id', '=', 'w.id').where('n.kind', '=', 'announcement').where('n.dispatched_at', 'is not', null),
      ),
    )
    .orderBy('w.start_at')
    .execute();
}

/**
 * Windows with a notice to the audience that has been fanned out (what could have told it
 * anything): those ending after `endAfter`, by start; or, with `endedBy`, those ended by then,
 * latest end first. Read by `end_at` and each window's notices through `notices_window_id`.
 */
export async function listWindowsWithDispatchedNotice(
  db: Db,
  audience: Audience,
  range: { endAfter: Date } | { endedBy: Date; limit: number; offset: number },
): Promise<WindowRow[]> {
  let query = db
    .selectFrom('windows as w')
    .selectAll('w')
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('notices as n').select('n.id').whereRef('n.window_id', '=', 'w.id').where('n.audience', '=', audience).where('n.dispatched_at', 'is not', null),
      ),
    );
  if ('endAfter' in range) return query.where('w.end_at', '>', range.endAfter).orderBy('w.start_at').orderBy('w.id').execute();
  query = query.where('w.end_at', '<=', range.endedBy).orderBy('w.end_at', 'desc').orderBy('w.id').limit(range.limit).offset(range.offset);
  return query.execute();
}

/**
 * Moves windows along by the clock: scheduled ones whose start has come are in progress,
 * and those whose end has come are completed. Idempotent; returns the windows it moved.
 */
export async function advanceWindows(db: Db, now: Date): Promise<WindowRow[]> {
  const completed = await db
    .updateTable('windows')
    .set({ status: 'completed', updated_at: now })
    .where('status', 'in', ['scheduled', 'in_progress'])
    .where('end_at', '<=', now)
    .returningAll()
    .execute();
  const started = await db
    .updateTable('windows')
    .set({ status: 'in_progress', updated_at: now })
    .where('status', '=', 'scheduled')
    .where('start_at', '<=', now)
    .returningAll()
    .execute();
  return [...completed, ...started];
}

/** Windows that start or end within the horizon: the reconciler makes sure each has its jobs. */
export async function windowsChangingBefore(db: Db, until: Date): Promise<WindowRow[]> {
  return db
    .selectFrom('windows')
    .selectAll()
    .where('status', 'in', ['scheduled', 'in_progress'])
    .where((eb) => eb.or([eb('start_at', '<=', until), eb('end_at', '<=', until)]))
    .execute();
}

/** Windows starting in [from, to), by start. */
export async function listWindowsStartingIn(db: Db, range: { from: Date; to: Date }): Promise<WindowRow[]> {
  return db
    .selectFrom('windows')
    .selectAll()
    .where('start_at', '>=', range.from)
    .where('start_at', '<', range.to)
    .orderBy('start_at')
    .orderBy('id')
    .execute();
}

/** The admin's lists: what is to come, what is running now, and what is over (ended or cancelled). */
export type WindowListKind = 'upcoming' | 'running' | 'done';
export type WindowSortKey = 'start' | 'title' | 'systems';

export interface WindowPageQuery {
  list: WindowListKind;
  now: Date;
  /** Matches a title containing `text`, or a window on one of `systemIds` (case-insensitive). */
  search?: { text: string; systemIds: readonly string[] } | undefined;
  sort: WindowSortKey;
  descending: boolean;
  offset: number;
  limit: number;
}

const SORT_COLUMNS = { start: 'start_at', title: 'title', systems: 'systems' } as const;

/**
 * One page of a list, and how many rows the whole list has. The lists go by the clock, not
 * only by status, so a window whose start has passed is running even before the worker has
 * advanced it.
 */
export async function pageWindows(db: Db, query: WindowPageQuery): Promise<{ rows: WindowRow[]; total: number }> {
  const { now } = query;
  let base = db.selectFrom('windows');
  base =
    query.list === 'upcoming'
      ? base.where('status', 'in', ['scheduled', 'in_progress']).where('start_at', '>', now)
      : query.list === 'running'
        ? base.where('status', 'in', ['scheduled', 'in_progress']).where('start_at', '<=', now).where('end_at', '>', now)
        : base.where((eb) => eb.or([eb('status', 'in', ['completed', 'cancelled']), eb('end_at', '<=', now)]));
  if (query.search?.text) {
    const { text, systemIds } = query.search;
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    base = base.where((eb) =>
      eb.or([
        eb('title', 'ilike', pattern),
        ...(systemIds.length > 0 ? [sql<boolean>`systems && ${sql.val([...systemIds])}::text[]`] : []),
      ]),
    );
  }
  const column = SORT_COLUMNS[query.sort];
  const direction = query.descending ? 'desc' : 'asc';
  const rows = await base.selectAll().orderBy(column, direction).orderBy('start_at', direction).orderBy('id').offset(query.offset).limit(query.limit).execute();
  const count = await base.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow();
  return { rows, total: Number(count.total) };
}

/** Windows not cancelled that are going on at `at`, by start: what a disruption at that instant may fall in. */
export async function listWindowsAt(db: Db, at: Date): Promise<WindowRow[]> {
  return db
    .selectFrom('windows')
    .selectAll()
    .where('status', '!=', 'cancelled')
    .where('start_at', '<=', at)
    .where('end_at', '>', at)
    .orderBy('start_at')
    .orderBy('id')
    .execute();
}
