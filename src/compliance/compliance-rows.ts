import { deliveryTalliesOfDisruptions, deliveryTalliesOfWindowsStartingIn } from '../delivery/delivery-repository.js';
import { findDisruption, listDisruptionsRegisteredIn } from '../disruptions/disruption-repository.js';
import { listNoticesOf, listNoticesOfWindowsStartingIn } from '../notices/notice-repository.js';
import type { Db } from '../storage/database.js';
import type { DisruptionRow, NoticeRow, WindowRow } from '../storage/schema.js';
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

export interface DisruptionComplianceRows {
  disruptions: DisruptionRow[];
  notices: NoticeRow[];
  deliveries: Map<string, DeliveryTally>;
}

/** The same for the disruptions registered in [from, to), or the one with `id`. */
export async function loadDisruptionComplianceRows(db: Db, of: { from: Date; to: Date } | { id: string }): Promise<DisruptionComplianceRows> {
  const disruptions = 'id' in of ? [await findDisruption(db, of.id)].filter((d): d is DisruptionRow => d !== undefined) : await listDisruptionsRegisteredIn(db, of);
  const ids = disruptions.map((d) => d.id);
  const [notices, deliveries] = await Promise.all([listNoticesOf(db, 'disruption_id', ids), deliveryTalliesOfDisruptions(db, ids)]);
  return { disruptions, notices, deliveries };
}
