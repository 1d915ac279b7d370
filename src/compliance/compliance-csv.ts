import { stringify } from 'csv-stringify/sync';
import { DateTime } from 'luxon';
import { formatDeadlineCell } from '../messages/swedish-time.js';
import type { Policy } from '../policy/policy-schema.js';
import type { NoticeKind } from '../rules/notice-plan.js';
import type { WindowStatus } from '../storage/schema.js';
import { DISRUPTION_STATUS_LABELS } from '../rules/disruption-status.js';
import type { Verdict, WindowCompliance } from './compliance-report.js';
import type { DisruptionCompliance } from './disruption-compliance.js';

/**
 * Spreadsheet-ready CSV as Swedish Excel opens it by double-click: a UTF-8 BOM (without it
 * Excel reads the file as Windows-1252 and å, ä, ö break), `;` between fields (the comma is
 * the Swedish decimal sign), CRLF line ends. Titles and actors are typed by people, so a cell
 * starting with =, +, -, @, tab or CR gets a leading ' and is never run as a formula.
 */
const CSV_OPTIONS = {
  bom: true,
  delimiter: ';',
  record_delimiter: 'windows',
  header: true,
  escape_formulas: true,
} as const;

const VERDICTS: Record<Verdict, string> = {
  on_time: 'i tid',
  late: 'sent',
  pending: 'väntar',
  at_risk: 'i fara',
  failed: 'misslyckades',
  cancelled: 'återkallat',
  informational: 'information',
};

const NOTICE_KINDS: Record<NoticeKind, string> = {
  announcement: 'meddelande',
  reminder: 'påminnelse',
  update: 'ändring',
  cancellation: 'inställelse',
};

const WINDOW_STATUSES: Record<WindowStatus, string> = {
  scheduled: 'schemalagt',
  in_progress: 'pågår',
  completed: 'genomfört',
  cancelled: 'inställt',
};

const AUDIT_ACTIONS: Record<string, string> = {
  'window.created': 'registrerat',
  'window.edited': 'ändrat',
  'window.rescheduled': 'flyttat',
  'window.cancelled': 'inställt',
  'disruption.created': 'driftstörning registrerad',
  'disruption.updated': 'driftstörning uppdaterad',
  'window.acknowledged': 'bekräftat förberett',
  'recipient.created': 'mottagare tillagd',
  'recipient.removed': 'mottagare borttagen',
  'recipients.imported': 'mottagare importerade',
};

const COMPLIANCE_COLUMNS = [
  ['window', 'fönster'],
  ['title', 'titel'],
  ['systems', 'system'],
  ['start', 'start'],
  ['end', 'slut'],
  ['status', 'status'],
  ['audience', 'målgrupp'],
  ['kind', 'typ'],
  ['requiredBy', 'senast enligt regel'],
  ['dueAt', 'planerat'],
  ['sentAt', 'skickat'],
  ['onTime', 'i tid'],
  ['verdict', 'bedömning'],
  ['reason', 'orsak'],
  ['sent', 'skickade'],
  ['failed', 'misslyckade'],
  ['feeds', 'i flödena'],
  ['subject', 'gäller'],
  ['reachedAfter', 'sekunder till mottagarna'],
  // Per window, on each of its rows: who of those asked confirmed that their unit is prepared.
  ['confirmed', 'bekräftat förberedda'],
  ['confirmedShare', 'andel bekräftade'],
] as const;

type ComplianceRecord = Partial<Record<(typeof COMPLIANCE_COLUMNS)[number][0], string | number>>;

/** An instant as a spreadsheet shows it: local wall-clock time, `2027-03-16 08:00`. */
export function localDateTime(instant: Date | null, zone: string): string {
  return instant ? DateTime.fromJSDate(instant).setZone(zone).toFormat('yyyy-MM-dd HH:mm') : '';
}

/**
 * One row per window and notice; a window without notices still gets a row of its own. Then
 * one row per disruption and message, with the seconds from its registration or update until
 * it reached its audience.
 */
export function complianceCsv(report: readonly WindowCompliance[], policy: Policy, disruptions: readonly DisruptionCompliance[] = []): string {
  const zone = policy.timezone;
  const systemNames = (systems: readonly string[]) => systems.map((id) => policy.systems[id]?.displayName ?? id).join(', ');
  const records = report.flatMap((window): ComplianceRecord[] => {
    const windowCells: ComplianceRecord = {
      window: window.windowId,
      title: window.title,
      systems: systemNames(window.systems),
      start: localDateTime(window.start, zone),
      end: localDateTime(window.end, zone),
      status: WINDOW_STATUSES[window.status],
      subject: 'driftstopp',
      ...confirmedCells(window),
    };
    if (window.audiences.length === 0) return [windowCells];
    return window.audiences.map((notice) => ({
      ...windowCells,
      audience: policy.audiences[notice.audience].displayName,
      kind: NOTICE_KINDS[notice.kind],
      // The rule's last day, as people say it (the midnight after it is how it is stored).
      requiredBy: formatDeadlineCell(notice.requiredBy, zone),
      dueAt: localDateTime(notice.dueAt, zone),
      sentAt: localDateTime(notice.sentAt, zone),
      onTime: notice.onTime === null ? '' : notice.onTime ? 'ja' : 'nej',
      verdict: VERDICTS[notice.verdict],
      reason: notice.reason ?? '',
      sent: notice.deliveries.sent,
      failed: notice.deliveries.failed,
      feeds: notice.feeds ? 'ja' : 'nej',
    }));
  });
  const disruptionRecords = disruptions.flatMap((d) =>
    d.messages.map((m): ComplianceRecord => ({
      window: d.disruptionId,
      title: d.title,
      systems: systemNames(d.systems),
      start: localDateTime(d.registeredAt, zone),
      end: localDateTime(d.resolvedAt, zone),
      status: DISRUPTION_STATUS_LABELS[d.status].toLowerCase(),
      audience: policy.audiences[m.audience].displayName,
      kind: m.catchUp ? 'meddelande till ny mottagare' : m.kind === 'update' ? 'uppdatering' : 'meddelande',
      requiredBy: localDateTime(m.requiredBy, zone),
      dueAt: localDateTime(m.dueAt, zone),
      sentAt: localDateTime(m.sentAt, zone),
      onTime: m.verdict === 'on_time' ? 'ja' : m.verdict === 'late' ? 'nej' : '',
      verdict: VERDICTS[m.verdict],
      reason: m.reason ?? '',
      sent: m.deliveries.sent,
      failed: m.deliveries.failed,
      feeds: m.feeds ? 'ja' : 'nej',
      subject: 'driftstörning',
      reachedAfter: m.reachedAfterMs === null ? '' : Math.round(m.reachedAfterMs / 1000),
    })),
  );
  return stringify([...records, ...disruptionRecords], {
    ...CSV_OPTIONS,
    columns: COMPLIANCE_COLUMNS.map(([key, header]) => ({ key, header })),
  });
}

/** `2 av 3` and `67 %` (the Swedish way: a space before the sign); empty when nobody was asked. */
function confirmedCells({ acknowledgements: a }: WindowCompliance): ComplianceRecord {
  if (a.share === null) return { confirmed: '', confirmedShare: '' };
  return { confirmed: `${a.confirmed} av ${a.asked}`, confirmedShare: `${Math.round(a.share * 100)} %` };
}

export interface AuditCsvEvent {
  id: string;
  window_id: string | null;
  disruption_id?: string | null | undefined;
  actor: string;
  action: string;
  at: Date;
  details: Record<string, unknown>;
}

/** The audit trail, one row per event; details stay JSON, as they were recorded. */
export function auditCsv(events: readonly AuditCsvEvent[], zone: string): string {
  const records = events.map((event) => ({
    id: event.id,
    window: event.window_id ?? '',
    disruption: event.disruption_id ?? '',
    actor: event.actor,
    action: AUDIT_ACTIONS[event.action] ?? event.action,
    at: localDateTime(event.at, zone),
    details: JSON.stringify(event.details),
  }));
  return stringify(records, {
    ...CSV_OPTIONS,
    columns: [
      { key: 'id', header: 'id' },
      { key: 'window', header: 'fönster' },
      { key: 'disruption', header: 'driftstörning' },
      { key: 'actor', header: 'utförd av' },
      { key: 'action', header: 'händelse' },
      { key: 'at', header: 'tidpunkt' },
      { key: 'details', header: 'detaljer' },
    ],
  });
}
