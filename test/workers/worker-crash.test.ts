import { describe, expect, it, onTestFinished } from 'vitest';
import { createShortNoticeWindow, deliveryStatuses, managersAnnouncement, noticeRow, oncePerRecipient, tally } from '../support/notice-fixtures.js';
import { postgresBackend, startProcessStack } from '../support/process-stack.js';
import type { TestApi } from '../support/api.js';
import { eventually } from '../support/stack.js';

const SECOND = 1000;
const RECIPIENTS = 2000;
const SMTP_CONNECTIONS = 5;
/**
 * The documented at-least-once window: a send lane (two per SMTP connection) holds one message
 * at a time, either waiting for its "250 OK" or answered and waiting for its group-committed
 * `sent` mark. Only those can be sent again after a crash.
 */
const MAX_REPEATS = 2 * SMTP_CONNECTIONS;

/** /readyz every 200 ms for `forMs`: what it said throughout. */
async function sampleReadiness(api: TestApi, forMs: number): Promise<any[]> {
  const samples: any[] = [];
  for (const until = Date.now() + forMs; Date.now() < until; ) {
    samples.push((await api.request('GET', '/readyz', { token: null })).body);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return samples;
}

/** Two processes must share one database: PostgreSQL only (TEST_DATABASE_URL). */
describe.runIf(postgresBackend)('when a worker process dies in the middle of a fan-out on PostgreSQL', () => {
  it(`when it is killed a third into a fan-out of ${RECIPIENTS} with its sends accepted but unanswered, then /readyz reports its claims stalled (never a live worker's) until a new one finishes it: everyone has it, one Message-ID each, at most ${MAX_REPEATS} repeats`, async () => {
    const third = Math.floor(RECIPIENTS / 3);
    // 5 ms per message makes the fan-out last a few seconds; from the third on, the server
    // keeps each message and holds its "250 OK": the moment the README's exception is about.
    // A claim counts as stalled after 2 s here (a minute in production): longer than the workers' heartbeat (300 ms), shorter than their takeover (3 s).
    const stack = await startProcessStack({ managers: RECIPIENTS, smtp: { delayMs: 5, holdRepliesAfter: third }, alarms: { retryingAfterMs: 15 * 60 * SECOND, stalledAfterMs: 2 * SECOND } });
    onTestFinished(() => stack.stop());
    const { smtp } = stack;
    const first = stack.startWorkers();
    await first.ready;
    const notice = managersAnnouncement(await createShortNoticeWindow(stack.api, ['tes']));

    // Every pooled SMTP connection waits for the reply to a message the server already has.
    await eventually(async () => smtp.held, (n) => n >= SMTP_CONNECTIONS, 30 * SECOND);
    // A live worker's claims do not stall, however long its sends wait: its heartbeat renews them.
    const stalledWhileAlive = await sampleReadiness(stack.api, 3 * SECOND);
    expect(stalledWhileAlive.map((r) => r.deliveries.stalled)).toEqual(stalledWhileAlive.map(() => 0));
    await first.kill();
    // Bytes the dead process had already handed to its sockets still arrive; let them land.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const atKill = tally(smtp.received, notice.id).total;
    const unanswered = smtp.received.slice(third).flatMap((r) => r.to).sort();
    // What the server has but the database does not call sent: held, or answered and not yet marked.
    const marked = new Set(
      (await stack.database.db.selectFrom('deliveries').select('target').where('notice_id', '=', notice.id).where('status', '=', 'sent').execute())
        .map((d) => d.target),
    );
    const atRisk = Object.keys(tally(smtp.received, notice.id).perRecipient).filter((to) => !marked.has(to)).sort();
    smtp.releaseReplies();
    expect(atKill).toBeLessThan(RECIPIENTS);
    expect(atRisk).toEqual(expect.arrayContaining(unanswered));

    // The dead worker's claims wait for the takeover, and /readyz says so.
    const waiting = await eventually(() => stack.api.request('GET', '/readyz', { token: null }), (r) => r.body.deliveries.stalled > 0, 10 * SECOND);
    expect(waiting.status).toBe(200);
    expect(waiting.body.status).toBe('degraded');

    const second = stack.startWorkers();
    await second.ready;
    const row = await eventually(() => noticeRow(stack.database.db, notice.id), (n) => n.status !== 'pending', 60 * SECOND);
    expect(row.status).toBe('sent');
    expect(await deliveryStatuses(stack.database.db, notice.id)).toEqual({ sent: RECIPIENTS });

    const counted = tally(smtp.received, notice.id);
    const recipients = Object.keys(counted.perRecipient).length;
    const repeats = counted.total - recipients;
    console.log(
      `crash: ${atKill} accepted at the kill (${unanswered.length} unanswered, ${atRisk.length - unanswered.length} answered but not yet marked); in all ${counted.total} messages to ${recipients} recipients, ${repeats} repeats`,
    );
    expect(Object.keys(counted.perRecipient).sort()).toEqual(stack.managers);
    expect(counted.messageIdsPerRecipient).toEqual(oncePerRecipient(stack.managers));
    expect(repeats).toBeLessThanOrEqual(MAX_REPEATS);
    // Nobody else gets a repeat: only those whose message the server had and the database did not call sent.
    const repeated = Object.entries(counted.perRecipient).filter(([, n]) => n > 1).map(([to]) => to).sort();
    expect(repeated).toEqual(atRisk);
    expect((await stack.api.request('GET', '/readyz', { token: null })).body).toMatchObject({ status: 'ready', deliveries: { stalled: 0 } });
  });
});
