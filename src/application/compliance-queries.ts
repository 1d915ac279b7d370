import { whoIsReady } from '../acknowledgements/who-is-ready.js';
import { acknowledgementShare, type AcknowledgementShare } from '../rules/acknowledgement.js';
import { noticeImpact as impactOfNotices, type NoticeImpact } from './notice-impact.js';
import { complianceReport as judgeWindows, type WindowCompliance } from '../compliance/compliance-report.js';
import { loadComplianceRows, loadDisruptionComplianceRows } from '../compliance/compliance-rows.js';
import { disruptionComplianceReport as judgeDisruptions, type DisruptionCompliance } from '../compliance/disruption-compliance.js';
import { listDeliveriesOf } from '../delivery/delivery-repository.js';
import { NotFoundError } from '../errors.js';
import { listDeliveriesOfWindow } from '../delivery/delivery-repository.js';
import { listNoticesOfWindows } from '../notices/notice-repository.js';
import type { Policy } from '../policy/policy-schema.js';
import { publicationAudiences } from '../rules/told.js';
import type { WindowRow } from '../storage/schema.js';
import { listAudit } from '../windows/audit-repository.js';
import type { ApplicationDeps } from './app-deps.js';
import { requireWindow } from './window-queries.js';

export type { DisruptionCompliance, NoticeImpact, WindowCompliance };

/*
 * The record: who was told what and when, whether in time, who hears of a change, and who
 * did what. Every adapter reads these answers, so the API, the admin pages and the CSVs
 * cannot disagree about a window.
 */

/** What judging notices needs: the database, the clock, and which audiences are publications. */
export interface ComplianceDeps extends Pick<ApplicationDeps, 'db' | 'clock'> {
  policy: Policy;
}

/** A stored audit event: who did what to which window, and when. */
export type AuditRecord = Awaited<ReturnType<typeof listAudit>>[number];

export interface AuditFilter {
  windowId?: string | undefined;
  disruptionId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

/**
 * The compliance record of the windows starting in [from, to), judged at `now`: the API's
 * report, its CSV and the admin calendar's warnings are this one judgement. A caller that
 * also prints when the report was made passes that instant, so the two agree.
 */
export async function complianceReport(
  deps: ComplianceDeps,
  range: { from: Date; to: Date },
  now: Date = deps.clock().toJSDate(),
): Promise<WindowCompliance[]> {
  const rows = await loadComplianceRows(deps.db, range);
  return judgeWindows(rows.windows, rows.notices, rows.deliveries, now, publicationAudiences(deps.policy), await sharesOf(deps, rows.windows));
}

/** The compliance record of one window, judged exactly as the report judges every window. */
export async function windowCompliance(deps: ComplianceDeps, id: string): Promise<WindowCompliance> {
  const window = await requireWindow(deps, id);
  // The report selects by start: a one-millisecond range around this start, then this window alone.
  const rows = await loadComplianceRows(deps.db, { from: window.start_at, to: new Date(window.start_at.getTime() + 1) });
  const windows = rows.windows.filter((w) => w.id === id);
  const report = judgeWindows(windows, rows.notices, rows.deliveries, deps.clock().toJSDate(), publicationAudiences(deps.policy), await sharesOf(deps, windows));
  return report[0]!;
}

/** How far each window's confirmations have come: the report's share confirmed per window. */
async function sharesOf(deps: ComplianceDeps, windows: readonly WindowRow[]): Promise<Map<string, AcknowledgementShare>> {
  const ready = await whoIsReady(deps.db, windows, deps.policy);
  return new Map([...ready].map(([id, items]) => [id, acknowledgementShare(items)]));
}

/** The record of the disruptions registered in [from, to): when each audience was reached, and each message. */
export async function disruptionComplianceReport(
  deps: ComplianceDeps,
  range: { from: Date; to: Date },
  now: Date = deps.clock().toJSDate(),
): Promise<DisruptionCompliance[]> {
  const rows = await loadDisruptionComplianceRows(deps.db, range);
  return judgeDisruptions(rows.disruptions, rows.notices, rows.deliveries, now, publicationAudiences(deps.policy));
}

/** The record of one disruption, judged as the report judges every one. */
export async function disruptionCompliance(deps: ComplianceDeps, id: string): Promise<DisruptionCompliance> {
  const rows = await loadDisruptionComplianceRows(deps.db, { id });
  const [report] = judgeDisruptions(rows.disruptions, rows.notices, rows.deliveries, deps.clock().toJSDate(), publicationAudiences(deps.policy));
  if (!report) throw new NotFoundError(`Driftstörningen ${id}`);
  return report;
}

/** Every delivery of a disruption's messages, oldest message first: who was told what, and when. */
export async function whoWasToldOfDisruption(deps: Pick<ApplicationDeps, 'db'>, id: string): Promise<DeliveryRecord[]> {
  return listDeliveriesOf(deps.db, 'disruption_id', id);
}

/** The audit trail, oldest first, narrowed to a window and a range of instants when given. */
export async function auditTrail(deps: Pick<ApplicationDeps, 'db'>, filter: AuditFilter): Promise<AuditRecord[]> {
  return listAudit(deps.db, filter);
}

/** One delivery of a window's notice: to whom, by which channel, and how it went. */
export type DeliveryRecord = Awaited<ReturnType<typeof listDeliveriesOfWindow>>[number];

export interface WhoWasTold {
  window: WindowRow;
  /** Every delivery of the window's notices, oldest notice first, then by audience and address. */
  deliveries: DeliveryRecord[];
}

/**
 * Who was told what about a window, delivery by delivery: the API's
 * `GET /api/windows/:id/deliveries`, the admin page "Vem har fått besked" and its CSV.
 */
export async function whoWasTold(deps: Pick<ApplicationDeps, 'db'>, id: string): Promise<WhoWasTold> {
  const window = await requireWindow(deps, id);
  return { window, deliveries: await listDeliveriesOfWindow(deps.db, id) };
}

/**
 * Who hears of a reschedule or cancellation of this window, before it is confirmed.
 * It delegates to `noticeImpact`, which is being rewritten on the one told rule (issue 10);
 * adapters ask here so that change reaches them without an edit.
 */
export async function noticeImpact(deps: Pick<ApplicationDeps, 'db' | 'rules'>, window: WindowRow): Promise<NoticeImpact> {
  const [notices, deliveries] = await Promise.all([listNoticesOfWindows(deps.db, [window.id]), listDeliveriesOfWindow(deps.db, window.id)]);
  return impactOfNotices(notices, deliveries, deps.rules.policy);
}
