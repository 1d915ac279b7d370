import { describe, expect, it, onTestFinished } from 'vitest';
import { createShortNoticeWindow, deliveryStatuses, managersAnnouncement, noticeRow, oncePerRecipient, tally } from '../support/notice-fixtures.js';
import { postgresBackend, startProcessStack } from '../support/process-stack.js';
import { eventually } from '../support/stack.js';

const SECOND = 1000;
const RECIPIENTS = 2000;
/** The documented at-least-once window: at most one repeat per SMTP connection (5) holding an unanswered message. */
const MAX_REPEATS = 5;

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
    await eventually(async () => smtp.held, (n) => n >= MAX_REPEATS, 30 * SECOND);
    await first.kill();
    const atKill = tally(smtp.received, notice.id).total;
    const unanswered = smtp.received.slice(third).flatMap((r) => r.to).sort();
    smtp.releaseReplies();
    expect(atKill).toBeLessThan(RECIPIENTS);

    const second = stack.startWorkers();
    await second.ready;
    const row = await eventually(() => noticeRow(stack.database.db, notice.id), (n) => n.status !== 'pending', 60 * SECOND);
    expect(row.status).toBe('sent');
    expect(await deliveryStatuses(stack.database.db, notice.id)).toEqual({ sent: RECIPIENTS });

    const counted = tally(smtp.received, notice.id);
    const recipients = Object.keys(counted.perRecipient).length;
    const repeats = counted.total - recipients;
    console.log(`crash: ${atKill} accepted at the kill (${unanswered.length} unanswered); in all ${counted.total} messages to ${recipients} recipients, ${repeats} repeats`);
    expect(Object.keys(counted.perRecipient).sort()).toEqual(stack.managers);
    expect(counted.messageIdsPerRecipient).toEqual(oncePerRecipient(stack.managers));
    expect(repeats).toBeLessThanOrEqual(MAX_REPEATS);
    // Nobody else gets a repeat: only those whose message the server had when the worker died.
    const repeated = Object.entries(counted.perRecipient).filter(([, n]) => n > 1).map(([to]) => to).sort();
    expect(repeated).toEqual(unanswered);
  });
});
