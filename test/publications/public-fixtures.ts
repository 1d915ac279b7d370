import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import express from 'express';
import { HtmlValidate } from 'html-validate';
import { DateTime } from 'luxon';
import { pino } from 'pino';
import { findDisruptionWithUpdates, insertDisruption, insertDisruptionUpdate, setDisruptionStatus } from '../../src/disruptions/disruption-repository.js';
import { notFoundHandler, problemHandler } from '../../src/http/problem.js';
import { publicRoutes } from '../../src/http/routes/public-routes.js';
import { loadPolicy } from '../../src/policy/load-policy.js';
import type { DisruptionStatus } from '../../src/rules/disruption-status.js';
import type { Db } from '../../src/storage/database.js';
import type { NewNoticeRow, NewWindowRow, NoticeRow, WindowRow } from '../../src/storage/schema.js';
import { windowRow } from '../support/rows.js';

export const policy = loadPolicy();
export const PUBLIC_BASE_URL = 'https://driftstopp.example.se';

/** An instant from Stockholm wall-clock time, e.g. `local('2027-03-30T09:00')`. */
export function local(wallClock: string): Date {
  return DateTime.fromISO(wallClock, { zone: 'Europe/Stockholm' }).toJSDate();
}

export interface PublicTestApi {
  baseUrl: string;
  /** Moves the service's clock; the next request sees the new `now`. */
  setNow(wallClock: string): void;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; text: string; headers: Headers }>;
  close(): Promise<void>;
}

/** The public router alone over real HTTP on a free port, behind the app's own error handlers. */
export async function startPublicApi(db: Db, now: string, options: { cacheMs?: number } = {}): Promise<PublicTestApi> {
  let clock = DateTime.fromISO(now, { zone: 'Europe/Stockholm' });
  const app = express();
  app.use(publicRoutes({ db, policy, publicBaseUrl: PUBLIC_BASE_URL, clock: () => clock, cacheMs: options.cacheMs }));
  app.use(notFoundHandler);
  app.use(problemHandler(pino({ level: 'silent' })));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    baseUrl,
    setNow(wallClock) {
      clock = DateTime.fromISO(wallClock, { zone: 'Europe/Stockholm' });
    },
    async get(path, headers = {}) {
      const response = await fetch(`${baseUrl}${path}`, { headers });
      return { status: response.status, text: await response.text(), headers: response.headers };
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A minor window in Tes and CareApp, first revision, registered well before; override what matters. */
export async function arrangeWindow(db: Db, overrides: Partial<NewWindowRow> & Pick<NewWindowRow, 'start_at' | 'end_at'>): Promise<WindowRow> {
  return db
    .insertInto('windows')
    .values({
      ...windowRow({
        id: randomUUID(),
        description: 'Tes uppgraderas till version 24.2.',
        systems: ['tes', 'careapp'],
        created_at: local('2027-03-01T10:00'),
        updated_at: local('2027-03-01T10:00'),
      }),
      ...overrides,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A public announcement of the window unless overridden: pending, or gone out at `sentAt`. */
export async function arrangeNotice(
  db: Db,
  window: WindowRow,
  overrides: Partial<NewNoticeRow> & { sentAt?: Date } = {},
): Promise<NoticeRow> {
  const { sentAt, ...row } = overrides;
  return db
    .insertInto('notices')
    .values({
      id: randomUUID(),
      window_id: window.id,
      revision: window.revision,
      audience: 'public',
      kind: 'announcement',
      lead_days: 7,
      previous_start_at: null,
      previous_end_at: null,
      due_at: sentAt ?? DateTime.fromJSDate(window.start_at).minus({ days: 7 }).toJSDate(),
      required_by: DateTime.fromJSDate(window.start_at).minus({ days: 7 }).toJSDate(),
      status: sentAt ? 'sent' : 'pending',
      late: false,
      dispatched_at: sentAt ?? null,
      sent_at: sentAt ?? null,
      error: null,
      created_at: local('2027-03-01T10:00'),
      ...row,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A disruption registered at `at` (Stockholm wall-clock time), as the disruptions repository records one. */
export async function arrangeDisruption(
  db: Db,
  options: { title: string; systems: string[]; description?: string; at: string; message?: string },
): Promise<string> {
  const id = randomUUID();
  const at = local(options.at);
  await insertDisruption(db, {
    id,
    title: options.title,
    description: options.description ?? 'Det går inte att logga in.',
    systems: options.systems,
    status: 'investigating',
    revision: 1,
    created_by: 'admin',
    created_at: at,
    updated_at: at,
  });
  await insertDisruptionUpdate(db, {
    id: randomUUID(),
    disruption_id: id,
    sequence: 1,
    status: 'investigating',
    message: options.message ?? 'Vi undersöker felet.',
    created_by: 'admin',
    at,
  });
  return id;
}

/** The next status of a disruption at `at`, with its message. */
export async function arrangeDisruptionUpdate(db: Db, id: string, status: DisruptionStatus, message: string, at: string): Promise<void> {
  const current = (await findDisruptionWithUpdates(db, id))!;
  const sequence = current.updates.length + 1;
  await insertDisruptionUpdate(db, { id: randomUUID(), disruption_id: id, sequence, status, message, created_by: 'admin', at: local(at) });
  await setDisruptionStatus(db, id, { status, revision: sequence, at: local(at) });
}

/**
 * A window told to the public on `announcedAt`, then cancelled (revision 2) with the reason
 * "Leverantören är inte klar", its cancellation going out five minutes after `cancelledAt`.
 */
export async function arrangeCancelledWindow(
  db: Db,
  window: Partial<NewWindowRow> & Pick<NewWindowRow, 'title' | 'start_at' | 'end_at'>,
  told: { announcedAt: string; cancelledAt: string },
): Promise<WindowRow> {
  const cancelledAt = local(told.cancelledAt);
  const row = await arrangeWindow(db, { status: 'cancelled', revision: 2, cancel_reason: 'Leverantören är inte klar', updated_at: cancelledAt, ...window });
  await arrangeNotice(db, row, { revision: 1, sentAt: local(told.announcedAt) });
  await arrangeNotice(db, row, { revision: 2, kind: 'cancellation', lead_days: null, sentAt: new Date(cancelledAt.getTime() + 5 * 60_000) });
  return row;
}

/**
 * The public page's markup problems as html-validate's recommended rules see them, less two
 * that the page answers otherwise: `.phone` keeps a number on one line by CSS (which the rule
 * cannot see), and the sign-up form's checkboxes share a name (systems=tes&systems=careapp),
 * as HTML intends.
 */
export async function publicMarkupProblems(html: string): Promise<string[]> {
  const validator = new HtmlValidate({
    extends: ['html-validate:recommended'],
    rules: {
      'tel-non-breaking': ['error', { ignoreClasses: ['phone'] }],
      'form-dup-name': ['error', { shared: ['radio', 'checkbox', 'button', 'reset', 'submit'] }],
    },
  });
  const report = await validator.validateString(html);
  return report.results.flatMap((result) => result.messages.map((m) => `${m.ruleId}: ${m.message} (line ${m.line})`));
}
