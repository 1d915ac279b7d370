import { stringify } from 'csv-stringify/sync';
import { Router, type Response } from 'express';
import { complianceCsv, localDateTime } from '../compliance/compliance-csv.js';
import { complianceReport, type WindowCompliance } from '../compliance/compliance-report.js';
import { loadComplianceRows } from '../compliance/compliance-repository.js';
import { listDeliveriesOfWindow } from '../delivery/delivery-repository.js';
import { AppError } from '../errors.js';
import type { Audience } from '../policy/policy-schema.js';
import { publicationAudiences } from '../rules/told.js';
import type { Db } from '../storage/database.js';
import { findWindow } from '../windows/window-repository.js';
import type { AdminContext } from './admin-context.js';
import { ALARMING, DELIVERY_STATUS, NOTICE_KIND, RECIPIENT_KIND, VERDICT, audienceName } from './admin-labels.js';
import { sendPage, when } from './admin-views.js';
import { windowId, windowSummary } from './window-form-view.js';

/**
 * The same spreadsheet conventions as the compliance CSV (Swedish Excel: BOM, `;`, CRLF),
 * and every typed value that starts like a formula is neutralised.
 */
const CSV_OPTIONS = { bom: true, delimiter: ';', record_delimiter: 'windows', header: true, escape_formulas: true } as const;

/** Who was told: per window each audience's due instant, when it went out, every delivery, the verdict. */
export function toldRoutes(ctx: AdminContext): Router {
  const router = Router();
  const { db, rules, clock } = ctx.deps;
  const { policy } = rules;
  const zone = policy.timezone;

  const load = async (id: unknown) => {
    const row = await findWindow(db, windowId(id));
    if (!row) throw new AppError('not_found', 404, 'Driftstoppet finns inte.');
    const [compliance, deliveries] = await Promise.all([
      windowCompliance(db, row.id, row.start_at, clock().toJSDate(), publicationAudiences(policy)),
      listDeliveriesOfWindow(db, row.id),
    ]);
    return { row, compliance, deliveries };
  };

  router.get('/admin/driftstopp/:id/besked', ctx.signedIn, async (req, res) => {
    const { row, compliance, deliveries } = await load(req.params.id);
    const notices = compliance.audiences.map((n) => ({
      audience: audienceName(policy, n.audience),
      kind: NOTICE_KIND[n.kind] ?? n.kind,
      revision: n.revision,
      requiredBy: n.kind === 'announcement' ? when(n.requiredBy, zone) : '',
      due: when(n.dueAt, zone),
      sent: when(n.sentAt, zone),
      verdict: VERDICT[n.verdict],
      verdictCode: n.verdict,
      alarming: ALARMING.has(n.verdict),
      reason: n.reason,
      delivered: n.deliveries.sent,
      total: n.deliveries.sent + n.deliveries.failed + n.deliveries.pending + n.deliveries.cancelled,
      feeds: n.feeds,
    }));
    const alarming = notices.filter((n) => n.alarming);
    sendPage(res, 'told', ctx.frame(res, `Vem har fått besked: ${row.title}`), {
      window: windowSummary(row, policy),
      notices,
      verdict:
        notices.length === 0
          ? 'Inga meddelanden är planerade.'
          : alarming.length === 0
            ? 'Inga meddelanden är sena eller i fara.'
            : `${alarming.length} av ${notices.length} meddelanden är sena, i fara eller misslyckades.`,
      alarmingCount: alarming.length,
      deliveries: deliveries.map((d) => ({
        audience: audienceName(policy, d.audience),
        kind: NOTICE_KIND[d.kind] ?? d.kind,
        revision: d.revision,
        recipient: d.recipient_name ?? (d.channel === 'webhook' ? 'Webbpublicering' : d.target),
        recipientKind: d.recipient_kind ? RECIPIENT_KIND[d.recipient_kind] : '',
        unit: d.recipient_unit ?? '',
        target: d.target,
        status: DELIVERY_STATUS[d.status] ?? d.status,
        statusCode: d.status,
        attempts: d.attempts,
        error: d.last_error ?? '',
        sent: when(d.sent_at, zone),
      })),
      deliveredCount: deliveries.filter((d) => d.status === 'sent').length,
      csvHref: `/admin/driftstopp/${row.id}/besked.csv`,
      complianceCsvHref: `/admin/driftstopp/${row.id}/efterlevnad.csv`,
    });
  });

  router.get('/admin/driftstopp/:id/besked.csv', ctx.signedIn, async (req, res) => {
    const { row, deliveries } = await load(req.params.id);
    const records = deliveries.map((d) => ({
      audience: audienceName(policy, d.audience),
      kind: NOTICE_KIND[d.kind] ?? d.kind,
      revision: d.revision,
      channel: d.channel === 'email' ? 'e-post' : 'webhook',
      name: d.recipient_name ?? '',
      unit: d.recipient_unit ?? '',
      target: d.target,
      status: DELIVERY_STATUS[d.status] ?? d.status,
      attempts: d.attempts,
      error: d.last_error ?? '',
      sentAt: localDateTime(d.sent_at, zone),
    }));
    const columns = [
      ['audience', 'målgrupp'],
      ['kind', 'meddelande'],
      ['revision', 'revision'],
      ['channel', 'kanal'],
      ['name', 'mottagare'],
      ['unit', 'enhet'],
      ['target', 'adress'],
      ['status', 'status'],
      ['attempts', 'försök'],
      ['error', 'fel'],
      ['sentAt', 'skickat'],
    ].map(([key, header]) => ({ key: key!, header: header! }));
    sendCsv(res, `driftstopp-${row.id}-besked.csv`, stringify(records, { ...CSV_OPTIONS, columns }));
  });

  router.get('/admin/driftstopp/:id/efterlevnad.csv', ctx.signedIn, async (req, res) => {
    const { row, compliance } = await load(req.params.id);
    sendCsv(res, `driftstopp-${row.id}-efterlevnad.csv`, complianceCsv([compliance], policy));
  });

  return router;
}

/** The compliance record of one window, judged as the report judges every window. */
async function windowCompliance(db: Db, id: string, start: Date, now: Date, publications: ReadonlySet<Audience>): Promise<WindowCompliance> {
  const rows = await loadComplianceRows(db, { from: start, to: new Date(start.getTime() + 1) });
  const report = complianceReport(
    rows.windows.filter((w) => w.id === id),
    rows.notices,
    rows.deliveries,
    now,
    publications,
  );
  return report[0]!;
}

function sendCsv(res: Response, filename: string, csv: string): void {
  res
    .set('Content-Disposition', `attachment; filename="${filename}"`)
    .set('Cache-Control', 'no-store')
    .type('text/csv; charset=utf-8')
    .send(csv);
}
