/**
 * `npm run bench` (issue #6): the service in one process against its own redis-server,
 * PostgreSQL schema (or PGlite) and a discarding SMTP sink; prints one table and writes it
 * into BENCHMARKS.md between the bench markers. `--quick` skips N = 50,000 and shortens the
 * spread of the punctuality run; BENCH_N="10000,50000" picks the fan-out sizes.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { Queue, Worker } from 'bullmq';
import { sql } from 'kysely';
import nodemailer from 'nodemailer';
import type { Mailer } from '../src/delivery/mailer.js';
import { redisConnection } from '../src/queues/queues.js';
import { startRedisServer } from '../src/runtime/local-redis.js';
import { ADMIN_TOKEN, type TestApi } from '../test/support/api.js';
import { soonSlot } from '../test/support/notice-fixtures.js';
import { insertManagersBulk, MAIL_FROM, MAX_CONNECTIONS, openBenchDb, percentile, startBenchStack, startSplitBenchStack } from './bench-stack.js';
import { runLoad, type LoadRun } from './load.js';
import { startSink } from './sink.js';

const quick = process.argv.includes('--quick');
const sizes = (process.env.BENCH_N ?? '10000,50000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0 && !(quick && n > 10_000));
/** The growth table's fan-outs (one round each, or the median of part 1) and morning rushes. */
const growthSizes = (process.env.BENCH_GROWTH_N ?? (quick ? '1000,10000' : '1000,10000,100000')).split(',').map(Number).filter((n) => n > 0);
const rushSizes = (process.env.BENCH_RUSH ?? (quick ? '1000' : '100,1000,5000')).split(',').map(Number).filter((n) => n > 0);
/** BENCH_ONLY="fanout,queue,punctuality,api,growth" runs some parts only (while tuning one). */
const only = new Set((process.env.BENCH_ONLY ?? 'fanout,queue,rush,punctuality,api,growth').split(','));
const SECOND = 1000;
/** Fan-out rounds per N (ours, then the baseline, in turn). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (quick ? 1 : 3));
const started = Date.now();

function median<T>(items: readonly T[], by: (item: T) => number): T {
  return [...items].sort((a, b) => by(a) - by(b))[Math.floor((items.length - 1) / 2)]!;
}

interface Row {
  metric: string;
  ours: string;
  baseline: string;
  ratio: string;
  goal: string;
}
const rows: Row[] = [];
const notes: string[] = [];
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
function row(metric: string, ours: string, baseline = '', ratio = '', goal = '') {
  rows.push({ metric, ours, baseline, ratio, goal });
  console.error(`  ${metric}: ${ours}${baseline ? ` | baseline ${baseline}` : ''}${ratio ? ` | ratio ${ratio}` : ''}`);
}

function machine(): string {
  const cpus = os.cpus();
  return `${os.type()} ${os.release()} ${os.arch()}, ${cpus.length} × ${cpus[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`;
}

/** User and system CPU of this process, in milliseconds. */
function cpuMs({ user, system }: NodeJS.CpuUsage): number {
  return (user + system) / 1000;
}

function rssSampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  return { stop: () => (clearInterval(timer), peak) };
}

async function postShortNotice(stack: { api: TestApi }, systems: string[], title: string, daysAhead = 2) {
  return postWindow(stack, { title, systems, kind: 'minor', ...soonSlot(daysAhead), shortNotice: { reason: 'Benchmark' } });
}

/** The benchmark registers many windows in the same few slots: overlaps are accepted on purpose. */
const OVERLAP = { reason: 'Benchmark: många fönster i samma tid' };

async function postWindow(stack: { api: TestApi }, body: Record<string, unknown>) {
  const res = await stack.api.request('POST', '/api/windows', { body: { allowOverlap: OVERLAP, ...body } });
  if (res.status !== 201) throw new Error(`POST /api/windows answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as { id: string; notices: { id: string; audience: string; kind: string }[] };
}

/** 1. One short-notice window reaching n managers: from the 201 to the sink's last acceptance. */
async function fanOut(n: number) {
  const stack = await startBenchStack();
  try {
    await insertManagersBulk(stack.database.db, n, ['tes']);
    global.gc?.();
    const rss = rssSampler();
    const cpu = process.cpuUsage();
    const window = await postShortNotice(stack, ['tes'], `Fan-out ${n}`);
    const t0 = Date.now();
    const last = await stack.sink.waitFor(n, 240 * SECOND);
    const cpuMsPerMessage = cpuMs(process.cpuUsage(cpu)) / n;
    const peak = rss.stop();
    if (process.env.BENCH_PHASES) {
      const { rows } = await sql<Record<string, number>>`select extract(epoch from min(n.dispatched_at) - ${new Date(t0)}::timestamptz) * 1000 as dispatched_ms,
          extract(epoch from min(d.sent_at) - ${new Date(t0)}::timestamptz) * 1000 as first_sent_ms,
          extract(epoch from max(d.sent_at) - ${new Date(t0)}::timestamptz) * 1000 as last_sent_ms
        from notices n join deliveries d on d.notice_id = n.id where n.window_id = ${window.id}`.execute(stack.database.db);
      console.error('phases after the 201 (ms):', rows[0]);
    }
    const seconds = (last - t0) / 1000;
    // The same message, rendered once, for the bare-nodemailer baseline.
    const notice = await stack.database.db.selectFrom('notices').selectAll()
      .where('window_id', '=', window.id).where('audience', '=', 'managers').where('kind', '=', 'announcement').executeTakeFirstOrThrow();
    const windowRow = await stack.database.db.selectFrom('windows').selectAll().where('id', '=', window.id).executeTakeFirstOrThrow();
    const { noticeMessages } = await import('../src/delivery/notice-messages.js');
    const { parseMailFrom } = await import('../src/messages/mail-sender.js');
    const { loadPolicy } = await import('../src/policy/load-policy.js');
    const address = await noticeMessages({ policy: loadPolicy(), mailFrom: parseMailFrom(MAIL_FROM), publicBaseUrl: 'http://localhost:3000', linkSecret: 'bench-link-secret-0123456789abcdef0123' }).emailFor(notice, windowRow);
    const { raw } = address({ name: 'Chef 1', email: 'chef-1@orebro.se' }, 'r1');
    return { seconds, rate: n / seconds, peakRssMiB: peak / 2 ** 20, raw, backend: stack.database.backend, cpuMsPerMessage };
  } finally {
    await stack.stop();
  }
}

/** Baseline for 1: the same count through a bare pooled nodemailer transport, same maxConnections. */
async function bareNodemailer(n: number, raw: Buffer) {
  const sink = await startSink();
  const transport = nodemailer.createTransport({ url: sink.url, pool: true, maxConnections: MAX_CONNECTIONS, maxMessages: 500 } as Parameters<typeof nodemailer.createTransport>[0]);
  try {
    const t0 = Date.now();
    const cpu = process.cpuUsage();
    let next = 0;
    // As many in flight as our workers can have at most: the pool queues the rest either way.
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < n) {
          const i = next++;
          await transport.sendMail({ envelope: { from: 'driftstopp@orebro.se', to: [`chef-${i}@orebro.se`] }, raw });
        }
      }),
    );
    const seconds = ((await sink.waitFor(n, 60 * SECOND)) - t0) / 1000;
    return { seconds, rate: n / seconds, cpuMsPerMessage: cpuMs(process.cpuUsage(cpu)) / n };
  } finally {
    transport.close();
    await sink.stop();
  }
}

/** 2. n no-op jobs through a bare Queue + Worker (concurrency 10, as ours). */
async function bareQueue(n: number) {
  const redis = await startRedisServer();
  const connection = redisConnection(redis.url);
  const queue = new Queue('bare', { connection, prefix: 'bare' });
  const worker = new Worker('bare', async () => null, { connection: redisConnection(redis.url), prefix: 'bare', concurrency: 10 });
  try {
    let done = 0;
    const finished = new Promise<void>((resolve) => worker.on('completed', () => ++done === n && resolve()));
    const t0 = Date.now();
    for (let i = 0; i < n; i += 1000) {
      await queue.addBulk(Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({ name: 'noop', data: { i: i + k }, opts: { removeOnComplete: true } })));
    }
    await finished;
    return { rate: n / ((Date.now() - t0) / 1000) };
  } finally {
    await worker.close();
    await queue.close();
    connection.disconnect();
    await redis.stop();
  }
}

/** 2. Our fan-out of n deliveries with SMTP stubbed: a Mailer whose send resolves at once. */
async function stubbedDeliveries(n: number) {
  const stub: Mailer = { describe: 'stub', send: async () => {}, verify: async () => {}, close: () => {}, capacity: 2 * MAX_CONNECTIONS };
  const stack = await startBenchStack({ mailer: stub });
  try {
    await insertManagersBulk(stack.database.db, n, ['tes']);
    await postShortNotice(stack, ['tes'], `Stub ${n}`);
    const t0 = Date.now();
    for (;;) {
      const { c } = await stack.database.db.selectFrom('deliveries').select((eb) => eb.fn.countAll<string>().as('c'))
        .where('status', '=', 'sent').executeTakeFirstOrThrow();
      if (Number(c) >= n) break;
      if (Date.now() - t0 > 240 * SECOND) throw new Error(`stubbed deliveries: only ${c} of ${n}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return { rate: n / ((Date.now() - t0) / 1000) };
  } finally {
    await stack.stop();
  }
}

/**
 * 3. `count` notices due from a few seconds ahead, spread over `spreadMs`, one recipient each:
 * of `count` windows of their own (a Tuesday 08:00 of many small windows, each notice its
 * own message), or all of one window (one message for all of them).
 */
async function punctuality(count: number, spreadMs: number, windows: 'each' | 'one' = 'each') {
  const stack = await startBenchStack();
  try {
    const { db } = stack.database;
    await insertManagersBulk(db, 1, ['tes']);
    const window = await postShortNotice(stack, ['tes'], `Punctuality ${spreadMs}`);
    await stack.sink.waitFor(1, 30 * SECOND);
    const slot = soonSlot(3);
    const ownWindows =
      windows === 'one'
        ? null
        : await sql<{ id: string }>`
            insert into windows (id, title, description, systems, kind, start_at, end_at, status, revision, plan,
                                 short_notice_reason, cancel_reason, created_by, created_at, updated_at)
            select gen_random_uuid(), 'Uppdatering av Tes ' || i, 'Fönster ' || i || ' av ' || ${count} || '.', array['tes'], 'minor',
                   ${slot.start}::timestamptz + (i * interval '1 minute'), ${slot.end}::timestamptz + (i * interval '1 minute'),
                   'scheduled', 1, null, null, null, 'bench', now(), now()
            from generate_series(0, ${count - 1}) as i
            returning id`.execute(db);
    const windowIds = ownWindows ? ownWindows.rows.map((w) => w.id) : Array.from({ length: count }, () => window.id);
    const first = new Date(Date.now() + 5 * SECOND);
    const notices = await sql<{ id: string; revision: number; due_at: Date }>`
      insert into notices (id, window_id, revision, audience, kind, lead_days, previous_start_at, previous_end_at,
                           due_at, required_by, status, late, dispatched_at, sent_at, error, created_at)
      select gen_random_uuid(), w.id, 1, 'managers', 'reminder', null, null, null,
             ${first}::timestamptz + (w.i * ${spreadMs / count} * interval '1 millisecond'),
             ${first}::timestamptz + (w.i * ${spreadMs / count} * interval '1 millisecond'), 'pending', false, null, null, null, now()
      from unnest(${sql.val(windowIds)}::uuid[]) with ordinality as w(id, i)
      returning id, revision, due_at`.execute(db);
    await stack.workers.scheduler.scheduleNotices(notices.rows);
    const ids = notices.rows.map((n) => n.id);
    const rss = rssSampler();
    const cpu = process.cpuUsage();
    await stack.sink.waitFor(1 + count, spreadMs + 240 * SECOND);
    const cpuMsPerNotice = cpuMs(process.cpuUsage(cpu)) / count;
    const peak = rss.stop();
    // The last mark lands just after the sink's last acceptance.
    for (let i = 0; i < 100; i += 1) {
      const { c } = await db.selectFrom('deliveries').select((eb) => eb.fn.countAll<string>().as('c'))
        .where('notice_id', 'in', ids).where('status', '=', 'sent').executeTakeFirstOrThrow();
      if (Number(c) >= count) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const lags = await sql<{ start_ms: number; accept_ms: number }>`
      select extract(epoch from (n.dispatched_at - n.due_at)) * 1000 as start_ms,
             extract(epoch from (d.sent_at - n.due_at)) * 1000 as accept_ms
      from notices n join deliveries d on d.notice_id = n.id
      where n.id = any(${sql.val(ids)}::uuid[])`.execute(db);
    const start = lags.rows.map((r) => Number(r.start_ms)).sort((a, b) => a - b);
    const accept = lags.rows.map((r) => Number(r.accept_ms)).sort((a, b) => a - b);
    const summary = (xs: number[]) => `${fmt(percentile(xs, 50))} / ${fmt(percentile(xs, 99))} / ${fmt(xs[xs.length - 1]!)}`;
    return { start: summary(start), accept: summary(accept), p99Start: percentile(start, 99), p99Accept: percentile(accept, 99), last: accept.at(-1)!, peakRssMiB: peak / 2 ** 20, cpuMsPerNotice };
  } finally {
    await stack.stop();
  }
}

/** 4. autocannon against the API while a fan-out of n runs. */
async function apiUnderLoad(n: number, durationS: number) {
  const stack = await startSplitBenchStack();
  try {
    // A busy year's register: 20 windows on the public page (short notice, so published now)
    // and 40 planned further ahead; then the fan-out starts and the reads run beside it.
    for (let i = 0; i < 20; i += 1) await postShortNotice(stack, ['carelock'], `Publicerat ${i}`);
    for (let i = 0; i < 40; i += 1) await postWindow(stack, { title: `Planerat ${i}`, systems: ['careapp'], kind: 'minor', ...soonSlot(40 + 7 * (i % 10)) });
    await new Promise((resolve) => setTimeout(resolve, 2 * SECOND));
    await insertManagersBulk(stack.database.db, n, ['tes']);
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const etag = (await fetch(`${stack.api.baseUrl}/public/driftstopp.json`)).headers.get('etag') ?? '';
    // Creates are the ordinary kind: a compliant slot weeks ahead, so their notices wait as delayed jobs.
    const body = JSON.stringify({ title: 'Last {n}', systems: ['careapp'], kind: 'minor', ...soonSlot(40), allowOverlap: OVERLAP });
    const runs: { name: string; goal: string; run: Omit<LoadRun, 'connections' | 'durationS'> }[] = [
      { name: 'GET /api/windows', goal: 'p99 < 50 ms', run: { url: `${stack.api.baseUrl}/api/windows`, headers } },
      { name: 'GET /public/driftstopp.json', goal: 'p99 < 50 ms', run: { url: `${stack.api.baseUrl}/public/driftstopp.json` } },
      {
        name: 'GET /public/driftstopp.json (If-None-Match)',
        goal: 'p99 < 50 ms',
        run: { url: `${stack.api.baseUrl}/public/driftstopp.json`, headers: { 'if-none-match': etag } },
      },
      { name: 'POST /api/windows', goal: 'p99 < 100 ms', run: { url: `${stack.api.baseUrl}/api/windows`, method: 'POST', headers, bodyTemplate: body } },
    ];
    const results: { name: string; rps: number; p99: number; non2xx: number; goal: string; sent: number }[] = [];
    for (const { name, goal, run } of runs) {
      // Each run gets a fan-out of its own, under way (its first messages accepted) before the load starts.
      const before = await stack.sink.accepted();
      await postShortNotice(stack, ['tes'], `Fan-out under ${name}`);
      await stack.sink.waitFor(before + 100, 60 * SECOND);
      const load = await runLoad({ ...run, connections: 10, durationS });
      results.push({ name, goal, ...load, sent: (await stack.sink.accepted()) - before });
    }
    const sentDuring = results.map((r) => r.sent);
    return { results, sentDuring };
  } finally {
    await stack.stop();
  }
}

/** 5. The reconciler pass and GET /api/windows?from&to over 10,000 windows and 100,000 pending notices. */
async function growth() {
  const stack = await startBenchStack();
  try {
    const { db } = stack.database;
    await sql`
      insert into windows (id, title, description, systems, kind, start_at, end_at, status, revision, plan,
                           short_notice_reason, cancel_reason, created_by, created_at, updated_at)
      select gen_random_uuid(), 'Fönster ' || i, '', array['tes'], 'minor',
             now() + (i * interval '1 hour') + interval '30 days', now() + (i * interval '1 hour') + interval '30 days 2 hours',
             'scheduled', 1, null, null, null, 'bench', now(), now()
      from generate_series(1, 10000) as i`.execute(db);
    await sql`
      insert into notices (id, window_id, revision, audience, kind, lead_days, previous_start_at, previous_end_at,
                           due_at, required_by, status, late, dispatched_at, sent_at, error, created_at)
      select gen_random_uuid(), w.id, 1, a.audience, 'announcement', 14, null, null,
             w.start_at - interval '14 days', w.start_at - interval '14 days', 'pending', false, null, null, null, now()
      from windows w cross join (values ('managers'), ('egetval'), ('intranet'), ('public'), ('managers'), ('egetval'), ('intranet'), ('public'), ('managers'), ('egetval')) as a(audience)`.execute(db);
    await sql`analyze`.execute(db);
    const { c } = await db.selectFrom('notices').select((eb) => eb.fn.countAll<string>().as('c')).where('status', '=', 'pending').executeTakeFirstOrThrow();
    const timeIt = async (times: number, work: () => Promise<unknown>) => {
      const ms: number[] = [];
      for (let i = 0; i < times; i += 1) {
        const t = performance.now();
        await work();
        ms.push(performance.now() - t);
      }
      return ms.sort((a, b) => a - b);
    };
    const reconcileMs = await timeIt(5, () => stack.workers.reconcileNow());
    const from = new Date(Date.now() + 40 * 86_400_000).toISOString();
    const to = new Date(Date.now() + 47 * 86_400_000).toISOString();
    const listMs = await timeIt(50, () => stack.api.request('GET', `/api/windows?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`));
    const explain = async (q: ReturnType<typeof sql>) => (await sql<{ 'QUERY PLAN': string }>`explain ${q}`.execute(db)).rows.map((r) => r['QUERY PLAN']).join('\n');
    const horizon = new Date(Date.now() + 10 * 60_000);
    const plans = {
      'reconciler: pending notices due within the horizon': await explain(sql`select id, revision, due_at from notices where status = 'pending' and dispatched_at is null and due_at <= ${horizon}`),
      'reconciler: unfinished delivery batches': await explain(sql`select distinct notice_id, batch from deliveries where status = 'pending' or (status = 'sending' and claimed_at < ${horizon})`),
      'GET /api/windows?from&to': await explain(sql`select * from windows where end_at > ${from} and start_at < ${to} order by start_at, id`),
    };
    return { pending: Number(c), reconcileMs, listMs, plans };
  } finally {
    await stack.stop();
  }
}

async function main() {
  const desc = machine();
  console.error(`driftstopp bench${quick ? ' (--quick)' : ''}: ${desc}`);
  const peaks: string[] = [];
  const fanOuts = new Map<number, Awaited<ReturnType<typeof fanOut>>>();
  let backend = '';
  for (const n of only.has('fanout') ? sizes : []) {
    // Ours and the baseline take turns, ROUNDS times, and each reports its median round:
    // a shared two-core machine moves single runs by a third either way.
    const rounds: { ours: Awaited<ReturnType<typeof fanOut>>; bare: Awaited<ReturnType<typeof bareNodemailer>> }[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      console.error(`fan-out N = ${n}, round ${round} of ${ROUNDS}`);
      const ours = await fanOut(n);
      rounds.push({ ours, bare: await bareNodemailer(n, ours.raw) });
    }
    const ours = median(rounds.map((r) => r.ours), (r) => r.rate);
    const bare = median(rounds.map((r) => r.bare), (r) => r.rate);
    backend = ours.backend;
    const spread = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
    row(
      `1. fan-out N=${n}: s from 201 to last accept (msg/s), median of ${ROUNDS} (range)`,
      `${fmt(ours.seconds, 1)} s (${fmt(ours.rate)}/s; ${spread(rounds.map((r) => r.ours.rate))})`,
      `${fmt(bare.seconds, 1)} s (${fmt(bare.rate)}/s; ${spread(rounds.map((r) => r.bare.rate))})`,
      fmt(ours.rate / bare.rate, 2),
      '≥ 0.8',
    );
    row(
      `1. fan-out N=${n}: CPU ms per message of the sending process, median of ${ROUNDS}`,
      fmt(median(rounds.map((r) => r.ours.cpuMsPerMessage), (x) => x), 3),
      fmt(median(rounds.map((r) => r.bare.cpuMsPerMessage), (x) => x), 3),
    );
    peaks.push(`N=${n}: ${fmt(Math.max(...rounds.map((r) => r.ours.peakRssMiB)))} MiB`);
    fanOuts.set(n, ours);
  }
  for (const n of only.has('fanout') ? growthSizes.filter((g) => !fanOuts.has(g)) : []) {
    console.error(`fan-out N = ${n}, once, for the growth table`);
    fanOuts.set(n, await fanOut(n));
  }
  const qn = sizes[0] ?? 10_000;
  if (only.has('queue')) {
    console.error(`queue overhead, ${qn} jobs`);
    const bare = await bareQueue(qn);
    const stub = await stubbedDeliveries(qn);
    row(`2. queue overhead, ${qn} deliveries, SMTP stubbed (msg/s)`, `${fmt(stub.rate)}/s`, `${fmt(bare.rate)} no-op jobs/s`, fmt(stub.rate / bare.rate, 2));
  }

  const spreadMs = (quick ? 20 : 60) * SECOND;
  const rushes = new Map<number, Awaited<ReturnType<typeof punctuality>>>();
  for (const count of only.has('rush') ? rushSizes : []) {
    console.error(`morning rush: ${count} notices of as many windows at one instant`);
    rushes.set(count, await punctuality(count, 0));
    console.error(`  CPU of the process holding the API and the workers: ${fmt(rushes.get(count)!.cpuMsPerNotice, 2)} ms per notice`);
  }
  if (only.has('punctuality')) {
    const rush = rushes.get(1000) ?? (await punctuality(1000, 0));
    rushes.set(1000, rush);
    row('3. morning rush: 1,000 notices of 1,000 windows at one instant: lag to job start, p50/p99/max ms', rush.start, '', '', 'p99 < 100 ms');
    row('3. morning rush: 1,000 notices of 1,000 windows at one instant: lag to SMTP accept, p50/p99/max ms', rush.accept, '', '', 'p99 < 2000 ms');
    console.error('1,000 notices of one window at one instant');
    const same = await punctuality(1000, 0, 'one');
    row('3. 1,000 notices of one window at one instant: lag to SMTP accept, p50/p99/max ms', same.accept);
    console.error(`1,000 notices spread over ${spreadMs / SECOND} s`);
    const spread = await punctuality(1000, spreadMs);
    row(`3. 1,000 notices spread over ${spreadMs / SECOND} s: lag to job start, p50/p99/max ms`, spread.start, '', '', 'p99 < 100 ms');
    row(`3. 1,000 notices spread over ${spreadMs / SECOND} s: lag to SMTP accept, p50/p99/max ms`, spread.accept);
  }

  if (only.has('api')) {
    console.error('API under load');
    const load = await apiUnderLoad(qn, quick ? 3 : 5);
    for (const r of load.results) {
      row(`4. ${r.name} during a fan-out: req/s, p99`, `${fmt(r.rps)} req/s, p99 ${r.p99} ms${r.non2xx ? ` (${r.non2xx} non-2xx)` : ''}`, '', '', r.goal);
    }
    notes.push(
      `API runs: each started a fan-out to ${qn} managers and began once its first 100 were accepted; by the end of each run ${load.sentDuring.join(', ')} messages were out. The API ran in the bench process, the workers in a process of their own (\`npm run workers\`, as docker-compose runs them).`,
    );
  }

  const g = only.has('growth') ? (console.error('growth'), await growth()) : null;
  if (g) {
    row(`5. reconciler pass, ${g.pending} pending notices, 10,000 windows: p50/max ms`, `${fmt(percentile(g.reconcileMs, 50))} / ${fmt(g.reconcileMs.at(-1)!)}`);
    row('5. GET /api/windows?from&to (one week) over 10,000 windows: p50/p99 ms', `${fmt(percentile(g.listMs, 50), 1)} / ${fmt(percentile(g.listMs, 99), 1)}`);
  }
  if (peaks.length) row('5. peak RSS of the process (API + workers) during fan-out', peaks.join('; '));

  const elapsed = (Date.now() - started) / 1000;
  const header = '| measure | ours | baseline | ratio | goal |\n| --- | --- | --- | --- | --- |';
  const table = [header, ...rows.map((r) => `| ${r.metric} | ${r.ours} | ${r.baseline} | ${r.ratio} | ${r.goal} |`)].join('\n');
  const growthRows = [
    ...[...fanOuts].sort(([a], [b]) => a - b).map(([n, f]) => `| fan-out to ${n.toLocaleString('en')} managers | ${fmt(f.seconds, 1)} s | ${fmt(f.rate)} | ${fmt(f.peakRssMiB)} MiB |`),
    ...[...rushes].sort(([a], [b]) => a - b).map(([n, r]) => `| morning rush of ${n.toLocaleString('en')} notices (p99 ${fmt(r.p99Accept)} ms) | ${fmt(r.last / 1000, 1)} s | ${fmt(n / (r.last / 1000))} | ${fmt(r.peakRssMiB)} MiB |`),
  ];
  const growthTable = growthRows.length
    ? `Growth: seconds to the last SMTP acceptance (from the 201, or from the due instant), messages a second, peak RSS of the process holding the API and the workers.\n\n| run | time | msg/s | peak RSS |\n| --- | --- | --- | --- |\n${growthRows.join('\n')}`
    : '';
  const plans = Object.entries(g?.plans ?? {}).map(([k, v]) => `${k}:\n\n\`\`\`\n${v}\n\`\`\``).join('\n\n');
  const report = [
    `Run ${new Date().toISOString()}${quick ? ' with --quick' : ''} in ${fmt(elapsed)} s on ${desc}; database: ${backend}; SMTP maxConnections ${MAX_CONNECTIONS}.`,
    '',
    table,
    '',
    growthTable,
    '',
    ...notes,
    '',
    plans,
  ].join('\n');
  console.log(`\nMachine: ${desc}\n\n${table}\n\n${growthTable}\n\n${notes.join('\n')}\n\n${plans}\n\nTotal ${fmt(elapsed)} s`);
  if (process.env.BENCH_ONLY) return; // a partial run does not replace the recorded one
  const file = new URL('../BENCHMARKS.md', import.meta.url);
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const current = existsSync(file) ? readFileSync(file, 'utf8') : `# Benchmarks\n\n${start}\n${end}\n`;
  const [before, rest] = current.split(start);
  const after = rest?.split(end)[1] ?? '\n';
  writeFileSync(file, `${before}${start}\n${report}\n${end}${after}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
