import { stringify } from 'csv-stringify/sync';
import { Router, type Response } from 'express';
import { whoWasTold, windowCompliance, type DeliveryRecord } from '../application/compliance-queries.js';
import type { Verdict } from '../compliance/compliance-report.js';
import type { Policy } from '../policy/policy-schema.js';
import { complianceCsv, localDateTime } from '../compliance/compliance-csv.js';
import type { AdminContext } from './admin-context.js';
import { ALARMING, DELIVERY_STATUS, NOTICE_KIND, RECIPIENT_KIND, VERDICT, audienceName } from './admin-labels.js';
import { deadline, sendPage, when } from './admin-views.js';
import { windowId, windowSummary } from './window-form-view.js';

/**
 * The same spreadsheet conventions as the compliance CSV (Swedish Excel: BOM, `;`, CRLF),
 * and every typed value that starts like a formula is neutralised.
 */
const CSV_OPTIONS = { bom: true, delimiter: ';', record_delimiter: 'windows', header: true, escape_formulas: true } as const;

/** Who was told: per window each audience's due instant, when it went out, every delivery, the verdict. */
export function toldRoutes(ctx: AdminContext): Router {
  const router = Router();
  const { app } = ctx;
  const { policy } = app;
  const zone = policy.timezone;

  router.get('/admin/driftstopp/:id/besked', ctx.signedIn, async (req, res) => {
    const id = windowId(req.params.id);
    const [{ window: row, deliveries }, compliance] = await Promise.all([whoWasTold(app, id), windowCompliance(app, id)]);
    const notices = compliance.audiences.map((n) => ({
      audience: audienceName(policy, n.audience),
      kind: NOTICE_KIND[n.kind] ?? n.kind,
      revision: n.revision,
      requiredBy: n.kind === 'announcement' ? deadline(n.requiredBy, zone) : '',
      due: when(n.dueAt, zone),
      sent: when(n.sentAt, zone),
      ...judgement(n),
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
      ...deliveryRows(deliveries, policy, NOTICE_KIND),
      csvHref: `/admin/driftstopp/${row.id}/besked.csv`,
      complianceCsvHref: `/admin/driftstopp/${row.id}/efterlevnad.csv`,
    });
  });

  router.get('/admin/driftstopp/:id/besked.csv', ctx.signedIn, async (req, res) => {
    const { window: row, deliveries } = await whoWasTold(app, windowId(req.params.id));
    sendCsv(res, `driftstopp-${row.id}-besked.csv`, deliveriesCsv(deliveries, policy, NOTICE_KIND));
  });

  router.get('/admin/driftstopp/:id/efterlevnad.csv', ctx.signedIn, async (req, res) => {
    const compliance = await windowCompliance(app, windowId(req.params.id));
    sendCsv(res, `driftstopp-${compliance.windowId}-efterlevnad.csv`, complianceCsv([compliance], policy));
  });

  return router;
}

/** A notice's verdict and what reached whom, as the told tables show it. */
export function judgement(n: { verdict: Verdict; reason: string | null; deliveries: { sent: number; failed: number; pending: number; cancelled: number }; feeds: boolean }) {
  return {
    verdict: VERDICT[n.verdict],
    verdictCode: n.verdict,
    alarming: ALARMING.has(n.verdict),
    reason: n.reason,
    delivered: n.deliveries.sent,
    total: n.deliveries.sent + n.deliveries.failed + n.deliveries.pending + n.deliveries.cancelled,
    feeds: n.feeds,
  };
}

/** Every delivery as the told tables show it (the partial `deliveries`), and how many reached their recipient. */
export function deliveryRows(deliveries: readonly DeliveryRecord[], policy: Policy, kinds: Record<string, string>) {
  const zone = policy.timezone;
  return {
    deliveries: deliveries.map((d) => ({
      audience: audienceName(policy, d.audience),
      kind: kinds[d.kind] ?? d.kind,
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
  };
}

/** The recipient list as a spreadsheet: one row per delivery. */
export function deliveriesCsv(deliveries: readonly DeliveryRecord[], policy: Policy, kinds: Record<string, string>): string {
  const zone = policy.timezone;
  const records = deliveries.map((d) => ({
    audience: audienceName(policy, d.audience),
    kind: kinds[d.kind] ?? d.kind,
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
  return stringify(records, { ...CSV_OPTIONS, columns });
}

export function sendCsv(res: Response, filename: string, csv: string): void {
  res
    .set('Content-Disposition', `attachment; filename="${filename}"`)
    .set('Cache-Control', 'no-store')
    .type('text/csv; charset=utf-8')
    .send(csv);
}
