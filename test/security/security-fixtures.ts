import { expect } from 'vitest';
import { sql } from 'kysely';
import { operations } from '../../src/http/openapi.js';
import type { Db } from '../../src/storage/database.js';

/** The same fixed "now" as the other API tests: a Wednesday in late November 2026. */
export const NOW = '2026-11-25T12:00:00Z';

export type Operation = (typeof operations)[number];

/**
 * A minor window that keeps every rule at NOW (Tuesday 2027-03-30 09:00–12:00). The security
 * tests register it many times over; sharing the time is accepted, since clashes are not theirs to test.
 */
export const validWindowBody = (extra: Record<string, unknown> = {}) => ({
  title: 'Uppgradering av Tes',
  systems: ['tes', 'careapp'],
  kind: 'minor',
  start: '2027-03-30T09:00:00+02:00',
  end: '2027-03-30T12:00:00+02:00',
  allowOverlap: { reason: 'Säkerhetsprov: samma tid flera gånger' },
  ...extra,
});

export const validRecipientBody = (email: string) => ({ kind: 'manager', name: 'Anna Åberg', email, systems: ['tes'], unit: 'Hemtjänst Väster' });

/**
 * A body each write would accept from an admin, so that a refused viewer write proves the
 * role check and not a validation error. New endpoints fall back to an empty object.
 */
export function validWriteBody(op: Operation): { body?: unknown; contentType?: string } {
  const key = `${op.method} ${op.path}`;
  if (key === 'post /api/windows') return { body: validWindowBody() };
  if (key === 'patch /api/windows/{id}') return { body: { title: 'Ny titel' } };
  if (key === 'post /api/windows/{id}/cancel') return { body: { reason: 'Leverantören har skjutit upp' } };
  if (key === 'post /api/disruptions') return { body: { title: 'Tes nere', systems: ['tes'], description: 'Inloggningen svarar inte.' } };
  if (key === 'post /api/disruptions/{id}/updates') return { body: { status: 'identified', message: 'Orsaken är känd.' } };
  if (key === 'post /api/recipients') return { body: validRecipientBody('viewer.write@orebro.se') };
  if (key === 'patch /api/recipients/{id}') return { body: { name: 'Nytt namn' } };
  if (key === 'post /public/subscriptions') return { body: { email: 'allmanheten@example.org', systems: ['tes'] } };
  if (key === 'post /api/recipients/import') {
    return { body: 'name,email,kind,systems,unit\nBo,bo.import@orebro.se,chef,tes,', contentType: 'text/csv' };
  }
  if (op.method === 'delete' || op.method === 'get') return {};
  return { body: {} };
}

export interface PathIds {
  windowId: string;
  recipientId: string;
  seriesId: string;
  disruptionId: string;
}

/** A series of two Tuesdays at midday, clear of the window of `validWindowBody`. */
export const VALID_SERIES_BODY = {
  title: 'Lås i serie',
  systems: ['carelock'],
  kind: 'minor',
  rrule: 'FREQ=WEEKLY;BYDAY=TU',
  dtstart: '2027-03-02',
  start: '12:00',
  end: '13:00',
  count: 2,
};

/** Fills `{id}` with a recipient id under /api/recipients, a series id under /api/series, a disruption id under /api/disruptions and a window id elsewhere; audience is managers. */
export function fillPath(path: string, ids: PathIds): string {
  const id = path.startsWith('/api/recipients')
    ? ids.recipientId
    : path.startsWith('/api/series')
      ? ids.seriesId
      : path.startsWith('/api/disruptions')
        ? ids.disruptionId
        : ids.windowId;
  return path.replaceAll('{id}', id).replaceAll('{audience}', 'managers');
}

/** What a request may change: row counts, and what an update or a soft delete moves. */
export async function snapshot(db: Db): Promise<Record<string, number>> {
  const { rows } = await sql<Record<string, string | number>>`
    select (select count(*) from windows) as windows,
           (select coalesce(sum(revision), 0) from windows) as window_revisions,
           (select count(*) from windows where status = 'cancelled') as cancelled_windows,
           (select count(*) from notices) as notices,
           (select count(*) from recipients) as recipients,
           (select count(*) from recipients where deleted_at is not null) as removed_recipients,
           (select count(*) from deliveries) as deliveries,
           (select count(*) from audit_events) as audit_events,
           (select count(*) from idempotency_keys) as idempotency_keys,
           (select count(*) from disruptions) as disruptions,
           (select count(*) from disruption_updates) as disruption_updates`.execute(db);
  return Object.fromEntries(Object.entries(rows[0]!).map(([k, v]) => [k, Number(v)]));
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

export async function reply(response: Response): Promise<Reply> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** RFC 9457 as the contract words it; a 400 also names each bad field. */
export function problemFaults(res: Reply): string[] {
  const faults: string[] = [];
  if (!/^application\/problem\+json/.test(res.headers.get('content-type') ?? '')) {
    faults.push(`content-type ${res.headers.get('content-type')}`);
  }
  const b = res.body;
  if (typeof b !== 'object' || b === null) return [...faults, `body not JSON: ${res.text.slice(0, 200)}`];
  for (const key of ['type', 'title', 'detail'] as const) if (typeof b[key] !== 'string') faults.push(`${key} missing`);
  if (b.status !== res.status) faults.push(`status ${b.status} ≠ ${res.status}`);
  if (res.status === 400) {
    const errors = b.errors;
    if (!Array.isArray(errors) || errors.length === 0) faults.push('400 without errors[]');
    else if (!errors.every((e: any) => typeof e?.path === 'string')) faults.push('errors[].path not a string');
  }
  if (/\bat .*\.(ts|js):\d+/.test(res.text)) faults.push('stack trace in body');
  return faults;
}

export function expectProblem(res: Reply, status: number): void {
  expect(res.status).toBe(status);
  expect(problemFaults(res)).toEqual([]);
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
export const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});
