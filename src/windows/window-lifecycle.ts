import type { Db } from '../storage/database.js';
import type { WindowRow } from '../storage/schema.js';

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
