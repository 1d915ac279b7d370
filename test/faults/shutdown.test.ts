import { describe, expect, it, onTestFinished } from 'vitest';
import { createShortNoticeWindow, deliveryStatuses, managersAnnouncement, noticeRow, oncePerRecipient, tally } from '../support/notice-fixtures.js';
import { postgresBackend, startProcessStack } from '../support/process-stack.js';
import { eventually } from '../support/stack.js';

const SECOND = 1000;
const RECIPIENTS = 1200;
/** The production bound (src/runtime/shutdown.ts) after which a stop is forced with exit code 1. */
const SHUTDOWN_BOUND_MS = 25 * SECOND;

/** Separate processes share one database: PostgreSQL only (TEST_DATABASE_URL). */
describe.runIf(postgresBackend)('when a worker process is stopped while the mail server refuses, on PostgreSQL', () => {
  it(`when SIGTERM comes during a 421 spell in a fan-out of ${RECIPIENTS}, then it exits unforced within 25 s, gives back what it held, and another worker sends it at once, once each`, async () => {
    // 10 ms per answer: the fan-out lasts long enough to be caught in the middle.
    const stack = await startProcessStack({ managers: RECIPIENTS, smtp: { delayMs: 10 } });
    onTestFinished(() => stack.stop());
    const { smtp, database } = stack;
    const first = stack.startWorkers();
    await first.ready;
    const notice = managersAnnouncement(await createShortNoticeWindow(stack.api, ['tes']));

    // Well into the fan-out, the server starts refusing everything with 421.
    await eventually(async () => smtp.received.length, (n) => n >= 100, 30 * SECOND);
    smtp.refuseWith = 421;
    // The worker is being refused: some deliveries were given back with the 421, and it still holds others.
    await eventually(
      () => database.db.selectFrom('deliveries').select('id').where('notice_id', '=', notice.id).where('last_error', 'like', '%421%').execute(),
      (refused) => refused.length > 0,
      10 * SECOND,
    );
    const sendingBefore = await countByStatus(database.db, notice.id, 'sending');
    expect(sendingBefore).toBeGreaterThan(0);

    const signalledAt = Date.now();
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    const shutdownMs = Date.now() - signalledAt;
    expect(exit).toBe(0);
    expect(shutdownMs).toBeLessThan(SHUTDOWN_BOUND_MS);

    // Nothing is left claimed: what it held went back to pending, claim cleared, at once.
    const held = await database.db.selectFrom('deliveries').select(['status', 'claimed_by']).where('notice_id', '=', notice.id).where('status', '=', 'sending').execute();
    expect(held).toEqual([]);
    const givenBack = await database.db
      .selectFrom('deliveries')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('notice_id', '=', notice.id)
      .where('status', '=', 'pending')
      .where('claimed_at', 'is', null)
      .executeTakeFirstOrThrow();
    const acceptedAtStop = tally(smtp.received, notice.id).total;
    expect(Number(givenBack.n)).toBe(RECIPIENTS - acceptedAtStop);

    // The spell ends; another worker starts and sends the rest well before the 2-minute takeover.
    smtp.refuseWith = null;
    const second = stack.startWorkers();
    await second.ready;
    const secondReadyAt = Date.now();
    const row = await eventually(() => noticeRow(database.db, notice.id), (n) => n.status !== 'pending', 30 * SECOND);
    const finishMs = Date.now() - secondReadyAt;
    expect(row.status).toBe('sent');
    expect(await deliveryStatuses(database.db, notice.id)).toEqual({ sent: RECIPIENTS });

    const counted = tally(smtp.received, notice.id);
    expect(counted.perRecipient).toEqual(oncePerRecipient(stack.managers));
    expect(counted.total).toBe(RECIPIENTS);
    // The workers' own endpoint, since the API process never sees their counters.
    const scraped = await (await fetch(second.metricsUrl())).text();
    expect(scraped).toContain(`driftstopp_deliveries_total{channel="email",outcome="sent"} ${givenBack.n}`);
    expect(scraped).toContain(`driftstopp_delivery_latency_seconds_count{channel="email"} ${givenBack.n}`);
    expect(scraped).toContain('driftstopp_deliveries{status="pending"} 0');
    expect(await (await fetch(second.metricsUrl().replace('/metrics', '/healthz'))).json()).toEqual({ status: 'ok' });
    console.log(
      `shutdown under 421: ${sendingBefore}+ claimed at SIGTERM, exited 0 after ${shutdownMs} ms with ${acceptedAtStop} accepted and ${givenBack.n} given back; the next worker finished ${finishMs} ms after it was ready; no repeats`,
    );
  });
});

async function countByStatus(db: import('../../src/storage/database.js').Db, noticeId: string, status: 'sending'): Promise<number> {
  const row = await db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('notice_id', '=', noticeId)
    .where('status', '=', status)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
