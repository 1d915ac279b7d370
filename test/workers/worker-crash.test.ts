import { describe, expect, it, onTestFinished } from 'vitest';
import { createShortNoticeWindow, deliveryStatuses, managersAnnouncement, noticeRow, oncePerRecipient, tally } from '../support/notice-fixtures.js';
import { postgresBackend, startProcessStack } from '../support/process-stack.js';
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

/** Two processes must share one database: PostgreSQL only (TEST_DATABASE_URL). */
describe.runIf(postgresBackend)('when a worker process dies in the middle of a fan-out on PostgreSQL', () => {
  it(`when it is killed a third into a fan-out of ${RECIPIENTS} with its sends accepted but unanswered, then a new one finishes it: everyone has it, one Message-ID each, at most ${MAX_REPEATS} repeats`, async () => {
    const third = Math.floor(RECIPIENTS / 3);
    // 5 ms per message makes the fan-out last a few seconds; from the third on, the server
    // keeps each message and holds its "250 OK": the moment the README's exception is about.
    const stack = await startProcessStack({ managers: RECIPIENTS, smtp: { delayMs: 5, holdRepliesAfter: third } });
    onTestFinished(() => stack.stop());
    const { smtp } = stack;
    const first = stack.startWorkers();
    await first.ready;
    const notice = managersAnnouncement(await createShortNoticeWindow(stack.api, ['tes']));

    // Every pooled SMTP connection waits for the reply to a message the server already has.
    await eventually(async () => smtp.held, (n) => n >= SMTP_CONNECTIONS, 30 * SECOND);
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
  });
});
