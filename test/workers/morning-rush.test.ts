import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mailer } from '../../src/delivery/mailer.js';
import type { OutgoingEmail } from '../../src/messages/prebuilt-email.js';
import { DELIVERY_GROUP } from '../../src/queues/notice-scheduler.js';
import { DELIVERY_JOB } from '../../src/queues/queues.js';
import type { Db } from '../../src/storage/database.js';
import { testBackends } from '../support/database.js';
import { insertManagers, soonSlot } from '../support/notice-fixtures.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

const SECOND = 1000;
const WINDOWS = 40;

/**
 * A mailer that records what it is handed; a send of the `broken` notice throws a TypeError
 * (a programming error), and while `gate` is set every send waits for it.
 */
function recordingMailer() {
  const mailer = {
    describe: 'recording',
    capacity: 4,
    sent: [] as OutgoingEmail[],
    broken: null as string | null,
    /** Sends of this notice are refused with 421 this many times more. */
    busy: { noticeId: null as string | null, refusals: 0 },
    gate: null as Promise<void> | null,
    async send(message: OutgoingEmail) {
      if (mailer.gate) await mailer.gate;
      if (mailer.broken && message.messageId.startsWith(`<${mailer.broken}.`)) throw new TypeError("Cannot read properties of undefined (reading 'title')");
      if (mailer.busy.refusals > 0 && message.messageId.startsWith(`<${mailer.busy.noticeId}.`)) {
        mailer.busy.refusals -= 1;
        throw Object.assign(new Error('421 4.7.0 Try again later'), { responseCode: 421 });
      }
      mailer.sent.push(message);
    },
    verify: async () => {},
    close: () => {},
  };
  return mailer satisfies Mailer;
}

/** `count` windows of Tes, each with a managers' reminder due at `dueAt`: a Tuesday 08:00 of many small windows. */
async function remindersDueAt(db: Db, count: number, dueAt: Date): Promise<{ id: string; revision: number; due_at: Date }[]> {
  const slot = soonSlot(3);
  const { rows } = await sql<{ id: string; revision: number; due_at: Date }>`
    with w as (
      insert into windows (id, title, description, systems, kind, start_at, end_at, status, revision, plan,
                           short_notice_reason, cancel_reason, created_by, created_at, updated_at)
      select gen_random_uuid(), 'Uppdatering ' || i, '', array['tes'], 'minor',
             ${slot.start}::timestamptz + i * interval '1 minute', ${slot.end}::timestamptz + i * interval '1 minute',
             'scheduled', 1, null, null, null, 'test', now(), now()
      from generate_series(1, ${count}) as i
      returning id
    )
    insert into notices (id, window_id, revision, audience, kind, lead_days, previous_start_at, previous_end_at,
                         due_at, required_by, status, late, dispatched_at, sent_at, error, created_at)
    select gen_random_uuid(), w.id, 1, 'managers', 'reminder', null, null, null, ${dueAt}::timestamptz, ${dueAt}::timestamptz,
           'pending', false, null, null, null, now()
    from w
    returning id, revision, due_at`.execute(db);
  return rows;
}

async function noticeStatuses(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  const rows = await db.selectFrom('notices').select(['id', 'status']).where('id', 'in', [...ids]).execute();
  return new Map(rows.map((r) => [r.id, r.status]));
}

describe.each(testBackends)('a morning rush of many small notices on $name', (backend) => {
  let stack: TestStack;
  let mailer: ReturnType<typeof recordingMailer>;

  beforeAll(async () => {
    mailer = recordingMailer();
    // One delivery job at a time: the second group is still waiting when the first is under way.
    stack = await startTestStack(backend, { mailer, concurrency: 1 }, { parseMail: false });
    await insertManagers(stack.database.db, 2, { systems: ['tes'], tag: 'rush' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it(`when ${WINDOWS} reminders of ${WINDOWS} windows fall due at one instant and one of them cannot be sent, then the rest reach both managers once each, through a few shared delivery jobs, and only the broken one fails`, async () => {
    mailer.sent.length = 0;
    const notices = await remindersDueAt(stack.database.db, WINDOWS, new Date(Date.now() + 2 * SECOND));
    mailer.broken = notices[7]!.id;
    await stack.workers.scheduler.scheduleNotices(notices);
    const ids = notices.map((n) => n.id);

    const statuses = await eventually(() => noticeStatuses(stack.database.db, ids), (s) => [...s.values()].every((v) => v !== 'pending'), 30 * SECOND);

    expect([...statuses].filter(([, status]) => status !== 'sent')).toEqual([[mailer.broken, 'failed']]);
    const messageIds = mailer.sent.map((m) => m.messageId);
    expect(new Set(messageIds).size).toBe(messageIds.length);
    expect(messageIds).toHaveLength((WINDOWS - 1) * 2);
    expect(new Set(mailer.sent.map((m) => m.messageId.slice(1, 37)))).toEqual(new Set(ids.filter((id) => id !== mailer.broken)));
    const jobs = await stack.workers.queues.deliveries.getJobs(['completed', 'failed']);
    const shared = jobs.filter((j) => j.name === DELIVERY_JOB.group);
    expect(shared.map((j) => j.data.batches.length).sort((a, b) => b - a)).toEqual([DELIVERY_GROUP, WINDOWS - DELIVERY_GROUP]);
    expect(jobs.filter((j) => j.name === DELIVERY_JOB.batch && ids.includes(j.data.noticeId))).toEqual([]);
    // The broken notice's programming error fails its own job at once (no retries) but no other notice.
    const failed = shared.filter((j) => j.failedReason);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.failedReason).toContain('programming error');
    expect(failed[0]!.attemptsMade).toBe(1);
  });

  it('when the mail server refuses one notice of a shared job for a while, then only that notice waits for a retry of its own, backing off, and every message arrives once', async () => {
    mailer.sent.length = 0;
    mailer.broken = null;
    const notices = await remindersDueAt(stack.database.db, WINDOWS, new Date(Date.now() + 2 * SECOND));
    mailer.busy = { noticeId: notices[3]!.id, refusals: 3 };
    await stack.workers.scheduler.scheduleNotices(notices);
    const ids = notices.map((n) => n.id);

    await eventually(() => noticeStatuses(stack.database.db, ids), (s) => [...s.values()].every((v) => v === 'sent'), 30 * SECOND);
    expect(mailer.busy.refusals).toBe(0);
    const messageIds = mailer.sent.map((m) => m.messageId);
    expect(new Set(messageIds).size).toBe(messageIds.length);
    expect(messageIds).toHaveLength(WINDOWS * 2);
    const jobs = await stack.workers.queues.deliveries.getJobs(['completed', 'failed']);
    const shared = jobs.filter((j) => j.name === DELIVERY_JOB.group && j.data.batches.some((b: { noticeId: string }) => ids.includes(b.noticeId)));
    // No shared job failed or ran twice: the refused notice's batch went on in a job of its own.
    expect(shared.map((j) => [j.finishedOn !== undefined && !j.failedReason, j.attemptsMade])).toEqual(shared.map(() => [true, 1]));
    const alone = jobs.filter((j) => j.name === DELIVERY_JOB.batch && ids.includes(j.data.noticeId));
    expect(alone.map((j) => j.data.noticeId)).toEqual([mailer.busy.noticeId]);
    expect(alone[0]!.attemptsMade).toBeGreaterThanOrEqual(1);
  });

  it('when Redis loses the waiting shared job while the first is sending, then the reconciler gives its batches back one by one and everyone still gets each reminder once', async () => {
    mailer.sent.length = 0;
    mailer.broken = null;
    let open!: () => void;
    mailer.gate = new Promise((resolve) => (open = resolve));
    const notices = await remindersDueAt(stack.database.db, WINDOWS, new Date(Date.now() + 2 * SECOND));
    await stack.workers.scheduler.scheduleNotices(notices);
    const ids = notices.map((n) => n.id);
    // The first shared job has claimed its deliveries and waits at the gate; the second waits for a worker.
    await eventually(
      () => stack.database.db.selectFrom('deliveries').select('status').where('notice_id', 'in', ids).execute(),
      (rows) => rows.length === WINDOWS * 2 && rows.some((r) => r.status === 'sending'),
      30 * SECOND,
    );
    const redis = new Redis(stack.redis.url);
    try {
      expect(await redis.flushall()).toBe('OK');
    } finally {
      redis.disconnect();
    }
    open();
    mailer.gate = null;

    await eventually(() => noticeStatuses(stack.database.db, ids), (s) => [...s.values()].every((v) => v === 'sent'), 30 * SECOND);
    const messageIds = mailer.sent.map((m) => m.messageId);
    expect(messageIds).toHaveLength(WINDOWS * 2);
    expect(new Set(messageIds).size).toBe(WINDOWS * 2);
    // What Redis lost came back as single batches, from the database.
    const singles = (await stack.workers.queues.deliveries.getJobs(['completed'])).filter((j) => j.name === DELIVERY_JOB.batch && ids.includes(j.data.noticeId));
    expect(singles.length).toBeGreaterThanOrEqual(WINDOWS - DELIVERY_GROUP);
  });
});
