import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import express from 'express';
import { DateTime } from 'luxon';
import { pino } from 'pino';
import { notFoundHandler, problemHandler } from '../../src/http/problem.js';
import { complianceRoutes } from '../../src/http/routes/compliance-routes.js';
import { loadPolicy } from '../../src/policy/load-policy.js';
import { BusinessCalendar } from '../../src/rules/business-calendar.js';
import type { Db } from '../../src/storage/database.js';
import type { NoticeRow } from '../../src/storage/schema.js';
import type { WindowServiceDeps } from '../../src/windows/window-service.js';

export interface ComplianceTestApi {
  /** The clock of both the window service and the routes; tests move it. */
  setNow(iso: string): void;
  service: WindowServiceDeps;
  request(path: string, headers?: Record<string, string>): Promise<{ status: number; body: any; bytes: Buffer; headers: Headers }>;
  close(): Promise<void>;
}

/**
 * The compliance router alone over real HTTP on a free port, behind the problem handler, with
 * an admin principal set as the token middleware would, and the window service on one clock.
 */
export async function startComplianceApi(db: Db): Promise<ComplianceTestApi> {
  // Without the acknowledgement's chase: these tests judge the routine's notices and count them.
  const loaded = loadPolicy();
  const policy = { ...loaded, acknowledgement: { ...loaded.acknowledgement, chaseBusinessDaysBefore: null } };
  let now = DateTime.fromISO('2026-11-25T12:00:00Z');
  const clock = () => now;

  const app = express();
  app.use((req, _res, next) => {
    req.principal = { role: 'admin', actor: 'admin:test' };
    next();
  });
  app.use('/api', complianceRoutes({ db, policy, clock }));
  app.use(notFoundHandler);
  app.use(problemHandler(pino({ level: 'silent' })));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  return {
    setNow(iso) {
      now = DateTime.fromISO(iso, { setZone: true });
    },
    service: { db, rules: { policy, calendar: new BusinessCalendar(policy) }, clock, onCommitted: async () => {} },
    async request(path, headers = {}) {
      const response = await fetch(`${baseUrl}${path}`, { headers });
      // Read bytes, not text: fetch's text() silently drops the BOM we mean to check.
      const bytes = Buffer.from(await response.arrayBuffer());
      let body: unknown = bytes.toString('utf8');
      try {
        body = JSON.parse(body as string);
      } catch {
        // CSV: keep the text
      }
      return { status: response.status, body, bytes, headers: response.headers };
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Marks the window's pending notices that `pick` chooses as sent at the instant it returns. */
export async function markSent(
  db: Db,
  windowId: string,
  pick: (notice: NoticeRow) => Date | null,
): Promise<NoticeRow[]> {
  const notices = await db
    .selectFrom('notices')
    .selectAll()
    .where('window_id', '=', windowId)
    .where('status', '=', 'pending')
    .execute();
  const sent: NoticeRow[] = [];
  for (const notice of notices) {
    const at = pick(notice);
    if (!at) continue;
    sent.push(
      await db
        .updateTable('notices')
        .set({ status: 'sent', sent_at: at, dispatched_at: at })
        .where('id', '=', notice.id)
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    // An e-mail audience is told only by what reached someone; a publication here goes out on the feeds.
    if (notice.audience === 'managers' || notice.audience === 'egetval') await insertSentDelivery(db, notice, at);
  }
  return sent;
}

/**
 * One recipient of the notice's audience, reached at `at`. They follow no system now (as if
 * they had unsubscribed), so they are nobody else's subscriber and are owed no catch-up.
 */
async function insertSentDelivery(db: Db, notice: NoticeRow, at: Date): Promise<void> {
  const id = randomUUID();
  const email = `${notice.audience}-${id.slice(0, 8)}@orebro.se`;
  const kind = notice.audience === 'managers' ? 'manager' : 'provider';
  await db
    .insertInto('recipients')
    .values({ id, kind, name: `Mottagare ${id.slice(0, 4)}`, email, systems: [], unit: null, created_at: at, deleted_at: null })
    .execute();
  await db
    .insertInto('deliveries')
    .values({ id: randomUUID(), notice_id: notice.id, recipient_key: id, recipient_id: id, channel: 'email', target: email, batch: 0, status: 'sent', attempts: 1, sent_at: at, created_at: at })
    .execute();
}

export const minutesAfter = (instant: Date, minutes: number) => new Date(instant.getTime() + minutes * 60_000);
