import type { Request, Response } from 'express';
import { Router } from 'express';
import type { DateTime } from 'luxon';
import { z } from 'zod';
import type { ApplicationDeps } from '../../application/app-deps.js';
import {
  auditTrail,
  complianceReport,
  disruptionComplianceReport,
  type DisruptionCompliance,
  type WindowCompliance,
} from '../../application/compliance-queries.js';
import { auditCsv, complianceCsv } from '../../compliance/compliance-csv.js';
import { ValidationError } from '../../errors.js';
import type { Policy } from '../../policy/policy-schema.js';
import { formatInstant } from '../../windows/window-view.js';
import { parseInput, parseInstant } from '../validate.js';

const instantOrDate = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], 'ska vara en tidpunkt enligt ISO 8601 med tidszon eller ett datum ÅÅÅÅ-MM-DD')
  .describe('ISO 8601 instant with an offset, or a date (local midnight in the policy time zone)');

const format = z.enum(['json', 'csv']).optional().describe('csv: the same as a spreadsheet (also with Accept: text/csv)');

export const complianceQuery = z.strictObject({
  from: instantOrDate.optional().describe('Windows starting (and disruptions registered) at or after this; default 30 days ago'),
  to: instantOrDate.optional().describe('Windows starting (and disruptions registered) before this; default one year ahead'),
  format,
});

export const auditQuery = z.strictObject({
  from: instantOrDate.optional(),
  to: instantOrDate.optional(),
  windowId: z.uuid('ska vara ett driftstopps id (UUID)').optional(),
  disruptionId: z.uuid('ska vara en driftstörnings id (UUID)').optional(),
  format,
});

export interface ComplianceRouteDeps extends Pick<ApplicationDeps, 'db' | 'clock'> {
  policy: Policy;
}

/**
 * The record that proves every rule was kept (GET /compliance) and who did what (GET /audit),
 * as JSON or as CSV for a spreadsheet. Mount under /api after the token check.
 */
export function complianceRoutes(deps: ComplianceRouteDeps): Router {
  const router = Router();
  const zone = deps.policy.timezone;

  router.get('/compliance', async (req, res) => {
    const query = parseInput(complianceQuery, req.query, 'query');
    const now = deps.clock().setZone(zone);
    const given = range(query, zone, { from: now.minus({ days: 30 }), to: now.plus({ years: 1 }) });
    const [from, to] = [given.from!, given.to!];
    const span = { from: from.toJSDate(), to: to.toJSDate() };
    const [report, disruptions] = await Promise.all([complianceReport(deps, span, now.toJSDate()), disruptionComplianceReport(deps, span, now.toJSDate())]);
    if (wantsCsv(req, res, query.format)) {
      sendCsv(res, `driftstopp-efterlevnad-${from.toISODate()}-${to.toISODate()}.csv`, complianceCsv(report, deps.policy, disruptions));
      return;
    }
    res.json({
      from: formatInstant(from.toJSDate(), zone),
      to: formatInstant(to.toJSDate(), zone),
      items: report.map((window) => complianceView(window, zone)),
      disruptions: disruptions.map((d) => disruptionComplianceView(d, zone)),
      generatedAt: formatInstant(now.toJSDate(), zone),
    });
  });

  router.get('/audit', async (req, res) => {
    const query = parseInput(auditQuery, req.query, 'query');
    const { from, to } = range(query, zone, {});
    const events = await auditTrail(deps, { windowId: query.windowId, disruptionId: query.disruptionId, from: from?.toJSDate(), to: to?.toJSDate() });
    if (wantsCsv(req, res, query.format)) {
      const until = (to ?? deps.clock()).setZone(zone).toISODate();
      const span = from ? `${from.toISODate()}-${until}` : `till-${until}`;
      sendCsv(res, `driftstopp-logg-${span}.csv`, auditCsv(events, zone));
      return;
    }
    res.json({
      items: events.map((event) => ({
        id: event.id,
        windowId: event.window_id,
        disruptionId: event.disruption_id,
        actor: event.actor,
        action: event.action,
        at: formatInstant(event.at, zone),
        details: event.details,
      })),
    });
  });

  return router;
}

/**
 * The query's from/to (dates are local midnight) over the defaults; `to` must come after
 * `from`, and the error names whichever of them the caller gave.
 */
function range(
  query: { from?: string | undefined; to?: string | undefined },
  zone: string,
  defaults: { from?: DateTime; to?: DateTime },
): { from: DateTime | undefined; to: DateTime | undefined } {
  const from = query.from === undefined ? defaults.from : parseInstant(query.from, zone);
  const to = query.to === undefined ? defaults.to : parseInstant(query.to, zone);
  if (from && to && to <= from) {
    const path = query.to === undefined ? 'from' : 'to';
    const message = path === 'to' ? 'ska ligga efter from' : 'ska ligga före to (ange to också)';
    throw new ValidationError([{ path, code: 'invalid_range', message }], `Frågan i adressen har fel: ${path} ${message}.`);
  }
  return { from, to };
}

/** `?format=` decides; without it the Accept header does, JSON first. */
function wantsCsv(req: Request, res: Response, format: 'json' | 'csv' | undefined): boolean {
  res.vary('Accept');
  if (format) return format === 'csv';
  return req.accepts(['application/json', 'text/csv']) === 'text/csv';
}

/** `filename` is ASCII (dates and words without å, ä, ö), so it needs no RFC 5987 form. */
function sendCsv(res: Response, filename: string, csv: string): void {
  res.set('Content-Disposition', `attachment; filename="${filename}"`).type('text/csv; charset=utf-8').send(csv);
}

function complianceView(window: WindowCompliance, zone: string) {
  return {
    windowId: window.windowId,
    title: window.title,
    systems: window.systems,
    kind: window.kind,
    start: formatInstant(window.start, zone),
    end: formatInstant(window.end, zone),
    status: window.status,
    revision: window.revision,
    shortNotice: window.shortNotice,
    audiences: window.audiences.map((notice) => ({
      noticeId: notice.noticeId,
      revision: notice.revision,
      audience: notice.audience,
      kind: notice.kind,
      requiredBy: formatInstant(notice.requiredBy, zone),
      dueAt: formatInstant(notice.dueAt, zone),
      sentAt: formatInstant(notice.sentAt, zone),
      onTime: notice.onTime,
      verdict: notice.verdict,
      reason: notice.reason,
      deliveries: notice.deliveries,
      feeds: notice.feeds,
    })),
    atRisk: window.atRisk,
    acknowledgements: { asked: window.acknowledgements.asked, confirmed: window.acknowledgements.confirmed, share: window.acknowledgements.share },
  };
}

const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);

/** A disruption in the record: for each audience the seconds from registration to reached, and each message. */
export function disruptionComplianceView(d: DisruptionCompliance, zone: string) {
  return {
    disruptionId: d.disruptionId,
    title: d.title,
    systems: d.systems,
    status: d.status,
    registeredAt: formatInstant(d.registeredAt, zone),
    resolvedAt: formatInstant(d.resolvedAt, zone),
    audiences: d.audiences.map((a) => ({ audience: a.audience, reachedAt: formatInstant(a.reachedAt, zone), reachedAfterSeconds: seconds(a.reachedAfterMs) })),
    messages: d.messages.map((m) => ({
      noticeId: m.noticeId,
      audience: m.audience,
      kind: m.kind,
      revision: m.revision,
      catchUp: m.catchUp,
      dueAt: formatInstant(m.dueAt, zone),
      requiredBy: formatInstant(m.requiredBy, zone),
      sentAt: formatInstant(m.sentAt, zone),
      reachedAfterSeconds: seconds(m.reachedAfterMs),
      verdict: m.verdict,
      reason: m.reason,
      deliveries: m.deliveries,
      feeds: m.feeds,
    })),
    atRisk: d.atRisk,
  };
}
