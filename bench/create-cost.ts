/**
 * `npx tsx bench/create-cost.ts [creates]` (issue 16): what one POST /api/windows costs the
 * API process in CPU, measured with process.cpuUsage() over a run of creates sent by
 * autocannon from a process of its own (10 connections, as bench part 4), with the notices
 * scheduled in a redis-server of the run's own. No fan-out runs beside it: CPU per create does
 * not depend on the machine's other load the way wall-clock latency does. The body is part 4's
 * (one slot weeks ahead, overlaps accepted), so each create overlaps those before it.
 * Run with `node --cpu-prof --import tsx bench/create-cost.ts` for a profile.
 */
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { NoticeScheduler } from '../src/queues/notice-scheduler.js';
import { openQueues, redisConnection } from '../src/queues/queues.js';
import { startRedisServer } from '../src/runtime/local-redis.js';
import { ADMIN_TOKEN, startTestApi } from '../test/support/api.js';
import { soonSlot } from '../test/support/notice-fixtures.js';
import { openBenchDb } from './bench-stack.js';
import { runLoad } from './load.js';

const DURATION_S = Number(process.argv[2] ?? 5);
const OVERLAP = { reason: 'Benchmark: många fönster i samma tid' };

async function main() {
  const database = await openBenchDb();
  const redis = await startRedisServer();
  const queues = openQueues(redisConnection(redis.url), 'bench');
  const scheduler = new NoticeScheduler(queues);
  const api = await startTestApi(database.db, {
    now: () => DateTime.now(),
    watchRegister: true,
    onCommitted: (change) => scheduler.scheduleCommitted(change),
  });
  try {
    for (let i = 0; i < 40; i += 1) {
      const res = await api.request('POST', '/api/windows', { body: { title: `Planerat ${i}`, systems: ['careapp'], kind: 'minor', ...soonSlot(40 + 7 * (i % 10)), allowOverlap: OVERLAP } });
      if (res.status !== 201) throw new Error(`seed answered ${res.status}`);
    }
    const count = async () => Number((await sql<{ c: string }>`select count(*) as c from windows`.execute(database.db)).rows[0]!.c);
    const before = await count();
    const body = JSON.stringify({ title: 'Last {n}', systems: ['careapp'], kind: 'minor', ...soonSlot(40), allowOverlap: OVERLAP });
    const cpu = process.cpuUsage();
    const load = await runLoad({
      url: `${api.baseUrl}/api/windows`,
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      bodyTemplate: body,
      connections: 10,
      durationS: DURATION_S,
    });
    const used = process.cpuUsage(cpu);
    const creates = (await count()) - before;
    const perCreate = (micros: number) => (micros / 1000 / creates).toFixed(2);
    console.log(
      `${creates} creates in ${DURATION_S} s (${load.rps.toFixed(0)} req/s, p99 ${load.p99} ms, ${load.non2xx} non-2xx): ` +
        `${perCreate(used.user + used.system)} ms CPU per create (user ${perCreate(used.user)}, system ${perCreate(used.system)})`,
    );
  } finally {
    await api.close();
    await queues.close();
    await redis.stop();
    await database.close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
