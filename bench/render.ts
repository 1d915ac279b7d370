/**
 * The morning rush's rendering alone: CPU per `emailFor` of a distinct window, and per
 * addressing of one recipient, with no queue, database or SMTP around it.
 *
 *   npx tsx bench/render.ts     (BENCH_WINDOWS=1000 a round, BENCH_ROUNDS=5, after 500 to warm up)
 *
 * CPU time (process.cpuUsage: user + system), not wall time, since the machine is shared;
 * the median and the best of the rounds, since other processes still slow a round down.
 * Every window has instants of its own, as in a rush of many windows, so nothing memoized
 * by instant is reused.
 */
import { DateTime } from 'luxon';
import { noticeMessages, type AddressedEmail } from '../src/delivery/notice-messages.js';
import { parseMailFrom } from '../src/messages/mail-sender.js';
import { loadPolicy } from '../src/policy/load-policy.js';
import type { NoticeKind } from '../src/rules/notice-plan.js';
import type { NoticeRow, WindowRow } from '../src/storage/schema.js';
import { MAIL_FROM } from './bench-stack.js';

const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARM_UP = Number(process.env.BENCH_WARM_UP ?? 500);
const ADDRESSINGS = 2000;
const ZONE = 'Europe/Stockholm';
const KINDS: NoticeKind[] = ['announcement', 'reminder', 'update'];

/**
 * One of 250 Tuesdays (five years, through both changes of summer time), starting between
 * 09:00 and 11:00 Stockholm time: the first 10,000 windows all have different instants.
 */
function windowRow(i: number): WindowRow {
  const tuesday = DateTime.fromISO('2027-01-05T09:00', { zone: ZONE }).plus({ weeks: i % 250 });
  const start = tuesday.plus({ minutes: (Math.floor(i / 250) % 40) * 3 });
  const end = start.plus({ minutes: 60 + (i % 4) * 30 });
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
  const total = WARM_UP + WINDOWS * ROUNDS;
  const windows = Array.from({ length: total }, (_, i) => windowRow(i));
  const notices = windows.map((window, i) => noticeRow(i, window));

  let compiled: AddressedEmail[] = [];
  for (let i = 0; i < WARM_UP; i++) compiled.push(await messages.emailFor(notices[i]!, windows[i]!));
  compiled[0]!({ name: 'Chef 0', email: 'chef-0@orebro.se' }, 'warm');

  const perEmail: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    compiled = [];
    const from = WARM_UP + round * WINDOWS;
    const start = process.cpuUsage();
    for (let i = from; i < from + WINDOWS; i++) compiled.push(await messages.emailFor(notices[i]!, windows[i]!));
    perEmail.push(cpuMs(start) / WINDOWS);
    if (process.env.BENCH_VERBOSE) console.log(`round ${round}: ${perEmail.at(-1)!.toFixed(3)} ms`);
  }

  const perAddress: number[] = [];
  let bytes = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.cpuUsage();
    for (let i = 0; i < ADDRESSINGS; i++) {
      const address = compiled[i % compiled.length]!;
      bytes += address({ name: `Chef ${i}`, email: `chef-${i}@orebro.se` }, `r${round}.${i}`).raw.length;
    }
    perAddress.push(cpuMs(start) / ADDRESSINGS);
  }

  console.log(`emailFor, ${ROUNDS} rounds of ${WINDOWS} distinct windows: ${summary(perEmail)} ms CPU each`);
  console.log(`addressing, ${ROUNDS} rounds of ${ADDRESSINGS} recipients: ${summary(perAddress)} ms CPU each (${Math.round(bytes / ADDRESSINGS / ROUNDS)} bytes a message)`);
}

/** `median 0.612, best 0.598`. */
function summary(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(3)}, best ${sorted[0]!.toFixed(3)}`;
}

await main();
