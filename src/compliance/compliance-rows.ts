import { deliveryTalliesOfWindowsStartingIn } from '../delivery/delivery-repository.js';
import { listNoticesOfWindowsStartingIn } from '../notices/notice-repository.js';
import type { Db } from '../storage/database.js';
import type { NoticeRow, WindowRow } from '../storage/schema.js';
import { listWindowsStartingIn } from '../windows/window-repository.js';
import type { DeliveryTally } from './compliance-report.js';

export interface ComplianceRows {
  windows: WindowRow[];
  notices: NoticeRow[];
  deliveries: Map<string, DeliveryTally>;
}

/** Everything the compliance record of the windows starting in [from, to) is made of, each table through its repository. */
export async function loadComplianceRows(db: Db, range: { from: Date; to: Date }): Promise<ComplianceRows> {
  const windows = await listWindowsStartingIn(db, range);
  if (windows.length === 0) return { windows, notices: [], deliveries: new Map() };
  const [notices, deliveries] = await Promise.all([listNoticesOfWindowsStartingIn(db, range), deliveryTalliesOfWindowsStartingIn(db, range)]);
  return { windows, notices, deliveries };
}
