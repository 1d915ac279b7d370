import { sql } from 'kysely';
import type { Db } from '../storage/database.js';
import type { WindowRow } from '../storage/schema.js';

/** A window whose public notice has gone out, with what the public was told and when. */
export interface PublishedWindow {
  window: WindowRow;
  /** The latest instant a public notice of this window went out. */
  publishedAt: Date;
  /** The time the public was told before the latest published change, when there was one. */
  previous: { start: Date; end: Date } | null;
}

/** What the public page and feeds show now, and what they need to say since when. */
export interface PublishedWindows {
  /** Windows not yet ended, newest information first. */
  windows: PublishedWindow[];
  /** The end of the latest published window that has ended: the page changed then too. */
  lastEndedAt: Date | null;
}

/**
 * A public notice has gone out once it is sent, or once it was fanned out and not withdrawn
 * (its webhook may still be retrying, but the publication is made). A notice that never went
 * out, or was withdrawn before anything left, publishes nothing.
 */
function wentOut(alias: string) {
  const column = (name: string) => sql.ref(`${alias}.${name}`);
  return sql<boolean>`${column('audience')} = ${'public'} and (${column('status')} = ${'sent'}
    or (${column('dispatched_at')} is not null and ${column('status')} <> ${'cancelled'}))`;
}

/**
 * The instant a notice went out. The fan-out instant comes first: it is what the webhook
 * body calls `publishedAt`, and it does not move when the notice settles later.
 */
function publishedAt(alias: string) {
  const column = (name: string) => sql.ref(`${alias}.${name}`);
  return sql<Date>`coalesce(${column('dispatched_at')}, ${column('sent_at')}, ${column('due_at')})`;
}

/**
 * Windows that have not ended and whose public notice has gone out, cancelled ones
 * included, newest publication first. Windows are read by `end_at` and each window's
 * notices through `notices_window_id`, so the cost follows the windows still to come.
 */
export async function listPublishedWindows(db: Db, now: Date): Promise<PublishedWindow[]> {
  const rows = await db
    .selectFrom('windows as w')
    .innerJoinLateral(
      (eb) =>
        eb
          .selectFrom('notices as n')
          .select(publishedAt('n').as('published_at'))
          .whereRef('n.window_id', '=', 'w.id')
          .where(wentOut('n'))
          .orderBy('published_at', 'desc')
          .limit(1)
          .as('p'),
      (join) => join.onTrue(),
    )
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('notices as n')
          .select(['n.previous_start_at', 'n.previous_end_at'])
          .whereRef('n.window_id', '=', 'w.id')
          .where(wentOut('n'))
          .where('n.kind', '=', 'update')
          .where('n.previous_start_at', 'is not', null)
          .where('n.previous_end_at', 'is not', null)
          .orderBy('n.revision', 'desc')
          .orderBy('n.created_at', 'desc')
          .limit(1)
          .as('u'),
      (join) => join.onTrue(),
    )
    .selectAll('w')
    .select(['p.published_at', 'u.previous_start_at', 'u.previous_end_at'])
    .where('w.end_at', '>', now)
    .orderBy('p.published_at', 'desc')
    .orderBy('w.start_at')
    .orderBy('w.id')
    .execute();
  return rows.map(({ published_at, previous_start_at, previous_end_at, ...window }) => ({
    window,
    publishedAt: published_at,
    previous: previous_start_at && previous_end_at ? { start: previous_start_at, end: previous_end_at } : null,
  }));
}

/**
 * The end of the latest published window that has ended by `now`. When a window drops off
 * the page the page changes without any new notice; Last-Modified must still move forward.
 * Read backwards by `end_at`, stopping at the first published window.
 */
export async function latestPublishedEnd(db: Db, now: Date): Promise<Date | null> {
  const row = await db
    .selectFrom('windows as w')
    .select('w.end_at')
    .where('w.end_at', '<=', now)
    .where(({ exists, selectFrom }) =>
      exists(selectFrom('notices as n').select('n.id').whereRef('n.window_id', '=', 'w.id').where(wentOut('n'))),
    )
    .orderBy('w.end_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.end_at ?? null;
}

/** Everything the public page and feeds are made from, as of `now`. */
export async function loadPublishedWindows(db: Db, now: Date): Promise<PublishedWindows> {
  const [windows, lastEndedAt] = await Promise.all([listPublishedWindows(db, now), latestPublishedEnd(db, now)]);
  return { windows, lastEndedAt };
}
