import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Db } from '../../src/storage/database.js';
import type { NoticeRow } from '../../src/storage/schema.js';
import type { TestApi } from './api.js';
import { windowRow } from './rows.js';
import type { TestSmtp } from './smtp.js';

/**
 * Arrangements shared by the fault and punctuality tests: many recipients at once, a
 * short-notice window through the API, a notice due a few seconds ahead, and counting
 * what the SMTP server received per recipient.
 */

/** The next Tuesday or Wednesday at least `daysAhead` days ahead, 09:00–11:00 local: always short notice. */
/**
 * Delivery tests register several windows near today, and which days they fall on depends on
 * the weekday the suite runs: they say outright that sharing a time is not what they test.
 */
export const DELIVERY_TEST_OVERLAP = { reason: 'Leveransprov: fönstren får dela tid' };

export function soonSlot(daysAhead = 2): { start: string; end: string } {
  let day = DateTime.now().setZone('Europe/Stockholm').startOf('day').plus({ days: daysAhead });
  while (![2, 3].includes(day.weekday)) day = day.plus({ days: 1 });
  return { start: day.set({ hour: 9 }).toISO()!, end: day.set({ hour: 11 }).toISO()! };
}

/** Inserts `count` managers of `systems` in one statement; returns their addresses, sorted. */
export async function insertManagers(db: Db, count: number, options: { systems: string[]; tag: string }): Promise<string[]> {
  const now = new Date();
  const rows = Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    kind: 'manager' as const,
    name: `Chef ${options.tag} ${i}`,
    email: `chef-${options.tag}-${String(i).padStart(4, '0')}@orebro.se`,
    systems: options.systems,
    unit: null,
    created_at: now,
    deleted_at: null,
  }));
  await db.insertInto('recipients').values(rows).execute();
  return rows.map((r) => r.email).sort();
}

/** Registers a short-notice minor window through the API; its announcements are due at once. */
export async function createShortNoticeWindow(api: TestApi, systems: string[], daysAhead = 2): Promise<{ id: string; notices: any[] }> {
  const res = await api.request('POST', '/api/windows', {
    body: { title: `Underhåll ${systems.join(', ')}`, systems, kind: 'minor', ...soonSlot(daysAhead), shortNotice: { reason: 'Säkerhetsuppdatering' }, allowOverlap: DELIVERY_TEST_OVERLAP },
  });
  if (res.status !== 201) throw new Error(`POST /api/windows answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The managers' announcement of a window as the API shows it. */
export function managersAnnouncement(window: { notices: any[] }): { id: string } {
  const notice = window.notices.find((n) => n.audience === 'managers' && n.kind === 'announcement');
  if (!notice) throw new Error(`no managers announcement in ${JSON.stringify(window.notices)}`);
  return notice;
}

/**
 * A managers' reminder of the window due at `dueAt`, as a row of its own: the window's
 * planned reminder already has a delayed job (days ahead) under its id, so moving that
 * row's due_at would not move its job.
 */
export async function insertReminderDueAt(
  db: Db,
  windowId: string,
  dueAt: Date,
  of: { audience: NoticeRow['audience']; kind: NoticeRow['kind'] } = { audience: 'managers', kind: 'reminder' },
): Promise<NoticeRow> {
  const window = await db.selectFrom('windows').selectAll().where('id', '=', windowId).executeTakeFirstOrThrow();
  return db
    .insertInto('notices')
    .values({
      id: randomUUID(),
      window_id: windowId,
      revision: window.revision,
      audience: of.audience,
      kind: of.kind,
      lead_days: null,
      previous_start_at: null,
      previous_end_at: null,
      due_at: dueAt,
      required_by: dueAt,
      status: 'pending',
      late: false,
      dispatched_at: null,
      sent_at: null,
      error: null,
      created_at: new Date(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface Receipt {
  to: string[];
  messageId: string | undefined;
  receivedAt: number;
}

export interface Tally {
  /** Messages of the notice the server accepted, repeats included. */
  total: number;
  /** Accepted messages per recipient address. */
  perRecipient: Record<string, number>;
  /** Distinct Message-IDs per recipient address: 1 when every repeat is recognisable as one. */
  messageIdsPerRecipient: Record<string, number>;
}

/** What test/support/smtp.ts received, as receipts to tally. */
export function receiptsOf(smtp: TestSmtp): Receipt[] {
  return smtp.received.map((m) => ({ to: m.to, messageId: m.parsed.messageId, receivedAt: m.receivedAt }));
}

/** What the SMTP server accepted of one notice (its id is in every Message-ID), per recipient. */
export function tally(receipts: readonly Receipt[], noticeId: string): Tally {
  const perRecipient: Record<string, number> = {};
  const ids: Record<string, Set<string>> = {};
  let total = 0;
  for (const receipt of receipts) {
    if (!receipt.messageId?.includes(noticeId)) continue;
    total += 1;
    for (const to of receipt.to) {
      perRecipient[to] = (perRecipient[to] ?? 0) + 1;
      (ids[to] ??= new Set()).add(receipt.messageId);
    }
  }
  const messageIdsPerRecipient = Object.fromEntries(Object.entries(ids).map(([to, set]) => [to, set.size]));
  return { total, perRecipient, messageIdsPerRecipient };
}

/** `{ address: 1 }` for every address: what "each exactly once" looks like, for toEqual. */
export function oncePerRecipient(addresses: readonly string[]): Record<string, number> {
  return Object.fromEntries(addresses.map((a) => [a, 1]));
}

/** Status counts of a notice's deliveries, e.g. `{ sent: 50 }`. */
export async function deliveryStatuses(db: Db, noticeId: string): Promise<Record<string, number>> {
  const rows = await db.selectFrom('deliveries').select('status').where('notice_id', '=', noticeId).execute();
  const counts: Record<string, number> = {};
  for (const { status } of rows) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

export async function noticeRow(db: Db, noticeId: string): Promise<NoticeRow> {
  return db.selectFrom('notices').selectAll().where('id', '=', noticeId).executeTakeFirstOrThrow();
}

/** A scheduled window of 30 March 2027 with its managers' announcement pending, written straight to the tables. */
export async function insertWindowWithNotice(db: Db): Promise<string> {
  const id = randomUUID();
  const now = new Date('2026-11-25T12:00:00Z');
  await db.insertInto('windows').values(windowRow({ id, title: 'Efter migrering' })).execute();
  await db
    .insertInto('notices')
    .values({
      id: randomUUID(),
      window_id: id,
      revision: 1,
      audience: 'managers',
      kind: 'announcement',
      lead_days: 14,
      due_at: new Date('2027-03-16T07:00:00Z'),
      required_by: new Date('2027-03-16T23:00:00Z'),
      status: 'pending',
      late: false,
      dispatched_at: null,
      sent_at: null,
      error: null,
      created_at: now,
    })
    .execute();
  return id;
}
