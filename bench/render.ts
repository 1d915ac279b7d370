/**
 * The morning rush's rendering alone: CPU per `emailFor` of a distinct window, and per
 * addressing of one recipient, with no queue, database or SMTP around it.
 *
 *   npx tsx bench/render.ts            (BENCH_WINDOWS=2000 by default; the first quarter warms up)
 *
 * CPU time (process.cpuUsage: user + system), not wall time, since the machine is shared.
 */
import { DateTime } from 'luxon';
import { noticeMessages, type AddressedEmail } from '../src/delivery/notice-messages.js';
import { parseMailFrom } from '../src/messages/mail-sender.js';
import { loadPolicy } from '../src/policy/load-policy.js';
import type { NoticeKind } from '../src/rules/notice-plan.js';
import type { NoticeRow, WindowRow } from '../src/storage/schema.js';
import { MAIL_FROM } from './bench-stack.js';

const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 2000);
const WARM_UP = Math.floor(WINDOWS / 4);
const ADDRESSINGS = 2000;
const ZONE = 'Europe/Stockholm';
const KINDS: NoticeKind[] = ['announcement', 'reminder', 'update'];

/** A Tuesday 09:00–11:00 (start hour and length varied) in Stockholm, `i` weeks or so after the first. */
function windowRow(i: number): WindowRow {
  const tuesday = DateTime.fromISO('2027-01-05T09:00', { zone: ZONE }).plus({ weeks: i % 100 });
  const start = tuesday.plus({ minutes: (i * 15) % 120 });
  const end = start.plus({ minutes: 60 + ((i * 30) % 120) });
  const at = new Date('2026-11-28T07:00:00Z');
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    title: `Uppgradering ${i} av Tes – åtgärd för ärende ${1000 + i}`,
    description: `Tes uppgraderas till version 24.${i % 10}. Läs mer på intranätet.`,
    systems: i % 2 === 0 ? ['tes'] : ['tes', 'careapp'],
    kind: i % 5 === 0 ? 'extensive' : 'minor',
    start_at: start.toJSDate(),
    end_at: end.toJSDate(),
    status: 'scheduled',
    revision: 1 + (i % 3),
    plan: null,
    short_notice_reason: null,
    cancel_reason: null,
    created_by: 'admin@orebro.se',
    created_at: at,
    updated_at: at,
    series_id: null,
    overlap_reason: null,
    blackout_reason: null,
  } as WindowRow;
}

function noticeRow(i: number, window: WindowRow): NoticeRow {
  const kind = KINDS[i % KINDS.length]!;
  const moved = kind === 'update';
  return {
    id: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    window_id: window.id,
    disruption_id: null,
    revision: window.revision,
    audience: 'managers',
    kind,
    lead_days: 7,
    previous_start_at: moved ? new Date(window.start_at.getTime() - 86_400_000) : null,
    previous_end_at: moved ? new Date(window.end_at.getTime() - 86_400_000) : null,
    due_at: new Date('2026-11-28T07:00:00Z'),
    required_by: new Date('2026-11-28T07:00:00Z'),
    status: 'pending',
    late: false,
    catch_up: false,
    chase: false,
    dispatched_at: new Date('2026-11-28T07:00:00Z'),
    sent_at: null,
    error: null,
    created_at: new Date('2026-11-28T06:00:00Z'),
  } as NoticeRow;
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

async function main(): Promise<void> {
  const messages = noticeMessages({
    policy: loadPolicy(),
    mailFrom: parseMailFrom(MAIL_FROM),
    publicBaseUrl: 'http://localhost:3000',
    linkSecret: 'bench-link-secret-0123456789abcdef0123',
  });
  const windows = Array.from({ length: WINDOWS }, (_, i) => windowRow(i));
  const notices = windows.map((window, i) => noticeRow(i, window));

  let last: AddressedEmail | undefined;
  for (let i = 0; i < WARM_UP; i++) last = await messages.emailFor(notices[i]!, windows[i]!);
  last!({ name: 'Chef 0', email: 'chef-0@orebro.se' }, 'warm');

  const measured = WINDOWS - WARM_UP;
  const compiled: AddressedEmail[] = [];
  const start = process.cpuUsage();
  for (let i = WARM_UP; i < WINDOWS; i++) compiled.push(await messages.emailFor(notices[i]!, windows[i]!));
  const emailMs = cpuMs(start);

  let bytes = 0;
  const addressStart = process.cpuUsage();
  for (let i = 0; i < ADDRESSINGS; i++) {
    const address = compiled[i % compiled.length]!;
    bytes += address({ name: `Chef ${i}`, email: `chef-${i}@orebro.se` }, `r${i}`).raw.length;
  }
  const addressMs = cpuMs(addressStart);

  console.log(`emailFor: ${measured} distinct windows, ${(emailMs / measured).toFixed(3)} ms CPU each (${emailMs.toFixed(0)} ms in all)`);
  console.log(`addressing: ${ADDRESSINGS} recipients, ${(addressMs / ADDRESSINGS).toFixed(3)} ms CPU each (${Math.round(bytes / ADDRESSINGS)} bytes a message)`);
}

await main();
