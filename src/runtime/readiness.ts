import { OVERDUE_GRACE_MS } from '../compliance/compliance-report.js';
import { DELIVERY_ALARMS, type DeliveryAlarms } from '../delivery/delivery-alarms.js';
import { deliveryHealth } from '../delivery/delivery-repository.js';
import { countOverdueNotices } from '../notices/notice-repository.js';
import { databaseReachable, type Db } from '../storage/database.js';

export interface Readiness {
  /** Each dependency the service needs to do its work, and whether it answers now. */
  checks: Record<string, boolean>;
  /** Due notices no worker has fanned out (workers down?). */
  overdueNotices: number;
  /** Deliveries not going out: retried too long, held by a worker that stopped renewing, failed for good. */
  deliveries: { retrying: number; stalled: number; failed: number };
}

export const NOTHING_WRONG: Readiness['deliveries'] = Object.freeze({ retrying: 0, stalled: 0, failed: 0 });

/** What /readyz reports: the database and other dependencies, and whether notices and deliveries are going out. */
export async function readiness(
  db: Db,
  options: { otherChecks?: () => Promise<Record<string, boolean>>; now?: Date; alarms?: DeliveryAlarms } = {},
): Promise<Readiness> {
  const now = options.now ?? new Date();
  const database = await databaseReachable(db);
  const checks = { database, ...(await options.otherChecks?.()) };
  if (!database) return { checks, overdueNotices: 0, deliveries: NOTHING_WRONG };
  const { retrying, stalled, failed } = await deliveryHealth(db, now, options.alarms ?? DELIVERY_ALARMS);
  return { checks, overdueNotices: await countOverdueNotices(db, now, OVERDUE_GRACE_MS), deliveries: { retrying, stalled, failed } };
}
