import { sql } from 'kysely';
import type { Db } from '../storage/database.js';
import type { NoticeRow, WindowRow } from '../storage/schema.js';
import { OVERDUE_GRACE_MS, type DeliveryTally } from './compliance-report.js';

export interface ComplianceRows {
  windows: WindowRow[];
  notices: NoticeRow[];
  deliveries: Map<string, DeliveryTally>;
}

/**
 * Everything the compliance record of the windows starting in [from, to) is made of, read
 * with subqueries so a year of windows does not become a list of thousands of parameters.
 */
export async function loadComplianceRows(db: Db, range: { from: Date; to: Date }): Promise<ComplianceRows> {
  const windowIds = db
    .selectFrom('windows')
    .select('id')
    .where('start_at', '>=', range.from)
    .where('start_at', '<', range.to);
  const windows = await db
    .selectFrom('windows')
    .selectAll()
    .where('start_at', '>=', range.from)
    .where('start_at', '<', range.to)
    .orderBy('start_at')
    .orderBy('id')
    .execute();
  if (windows.length === 0) return { windows, notices: [], deliveries: new Map() };

  const notices = await db
    .selectFrom('notices')
    .selectAll()
    .where('window_id', 'in', windowIds)
    .orderBy('due_at')
    .orderBy('created_at')
    .execute();
  const tallies = await db
    .selectFrom('deliveries')
    .select([
      'notice_id',
      'status',
      sql<string>`count(*)`.as('n'),
      sql<number>`max(attempts)`.as('max_attempts'),
    ])
    .where('notice_id', 'in', (eb) => eb.selectFrom('notices').select('id').where('window_id', 'in', windowIds))
    .groupBy(['notice_id', 'status'])
    .execute();

  const deliveries = new Map<string, DeliveryTally>();
  for (const row of tallies) {
    const tally = deliveries.get(row.notice_id) ?? { sent: 0, failed: 0, pending: 0, cancelled: 0, maxAttempts: 0 };
    const n = Number(row.n);
    // A delivery being sent has not reached anyone yet: for the record it is still pending.
    if (row.status === 'sending') tally.pending += n;
    else tally[row.status] += n;
    tally.maxAttempts = Math.max(tally.maxAttempts, Number(row.max_attempts));
    deliveries.set(row.notice_id, tally);
  }
  return { windows, notices, deliveries };
}

/**
 * Pending notices no worker has fanned out although their due instant passed more than the
 * grace ago: while this is above zero, notices are not going out. /readyz reports it.
 */
export async function countOverdueNotices(db: Db, now: Date): Promise<number> {
  const row = await db
    .selectFrom('notices')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('status', '=', 'pending')
    .where('dispatched_at', 'is', null)
    .where('due_at', '<', new Date(now.getTime() - OVERDUE_GRACE_MS))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
