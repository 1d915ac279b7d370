import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from 'pino';
import { findNotices, settleNotices } from '../notices/notice-repository.js';
import type { Metrics } from '../runtime/metrics.js';
import type { Db } from '../storage/database.js';
import type { NoticeRow } from '../storage/schema.js';
import { PermanentDeliveryError } from '../errors.js';
import { BatchRuns, type BatchRun } from './batch-runs.js';
import { claimBatches, markFailed, markSentMany, release, type ClaimedDelivery, type DeliveryBatch, type SentMark } from './delivery-repository.js';
import { classifyFailure, describeFailure } from './failure-kinds.js';
import { groupCommit } from './group-commit.js';
import type { Mailer } from './mailer.js';
import { loadMessageSubjects, subjectLogFields } from './message-subjects.js';
import type { AddressedEmail, MessageSubject, NoticeMessages } from './notice-messages.js';
import { postWebhook } from './webhook-sender.js';

export interface DeliveryContext {
  db: Db;
  mailer: Mailer;
  messages: NoticeMessages;
  webhookSecret: string | undefined;
  logger: Logger;
  now: () => Date;
  /** A claim not renewed for this long belongs to a dead worker and is taken over. */
  abandonedAfterMs: number;
  /** Deliveries of one batch waiting for a send slot at once. */
  concurrency: number;
  /** Sends in flight in this process: a few per SMTP connection, so no send waits long in the transport's queue. */
  sendSlots: LimitFunction;
  /** Writes the `sent` marks of this process's sends together. */
  markSent: (mark: SentMark) => Promise<void>;
  /** The notice's e-mail, rendered and compiled once for all its batches in this process. */
  emailFor: (notice: NoticeRow, subject: MessageSubject) => Promise<AddressedEmail>;
  /** Fanned-out notices: what their messages say of them no longer changes, so each is read once per process. */
  noticesOf: (noticeIds: readonly string[]) => Promise<Map<string, NoticeRow>>;
  /** Settles notices whose deliveries are all done, the notices of batches ending together in one statement. */
  settle: (noticeId: string) => Promise<void>;
  /** The batch runs of this process: renewed by the heartbeat, stopped at shutdown. */
  runs: BatchRuns;
  /**
   * Gives a batch of a shared job that met a transient failure a job of its own, due after
   * the first backoff: a shared job is never retried as a whole, so no other notice's
   * deliveries wait for one notice's failing server, and each batch keeps its own backoff.
   */
  retryAlone: (batch: DeliveryBatch) => Promise<void>;
  metrics?: Metrics | undefined;
}

/** Compiled notices kept per process: the notices of one morning's fan-outs. */
const COMPILED_NOTICES = 100;

export interface BatchResult {
  sent: number;
  failed: number;
  /** Deliveries given back after a transient failure, for this job's next attempt. */
  retry: number;
  /** Deliveries given back after a transient failure, for their batch's job of its own (a shared job's). */
  handedOff: number;
  lastError: string | null;
  /** Set when a programming error ended the batch: retrying cannot help. */
  unrecoverable: string | null;
  /** The process is stopping: what was not started was given back for another worker. */
  interrupted: boolean;
}

/** The parts of a DeliveryContext shared by every batch of a process. */
export function deliveryPipeline(
  db: Db,
  mailer: Mailer,
  messages: NoticeMessages,
  now: () => Date,
): Pick<DeliveryContext, 'sendSlots' | 'markSent' | 'emailFor' | 'noticesOf' | 'settle' | 'runs'> {
  const compiled = new Map<string, Promise<AddressedEmail>>();
  const notices = new Map<string, NoticeRow>();
  return {
    emailFor: (notice, subject) => {
      // A changed window is a new revision with new notices; updated_at keeps even an edit in place apart.
      // A disruption's notice tells of its updates up to its own revision, which never change.
      const key = subject.kind === 'window' ? `${notice.id}|${subject.window.updated_at.getTime()}` : notice.id;
      let email = compiled.get(key);
      if (!email) {
        if (compiled.size >= COMPILED_NOTICES) compiled.delete(compiled.keys().next().value!);
        email = subject.kind === 'window' ? messages.emailFor(notice, subject.window) : messages.disruptionEmailFor(notice, subject.facts);
        email.catch(() => compiled.delete(key));
        compiled.set(key, email);
      }
      return email;
    },
    noticesOf: async (noticeIds) => {
      const found = new Map(noticeIds.flatMap((id) => (notices.has(id) ? [[id, notices.get(id)!] as const] : [])));
      for (const notice of await findNotices(db, noticeIds.filter((id) => !found.has(id)))) {
        found.set(notice.id, notice);
        if (!notice.dispatched_at) continue;
        if (notices.size >= COMPILED_NOTICES * 10) notices.delete(notices.keys().next().value!);
        notices.set(notice.id, notice);
      }
      return found;
    },
    settle: groupCommit(async (noticeIds: string[]) => {
      await settleNotices(db, [...new Set(noticeIds)], now());
      return noticeIds.map(() => undefined);
    }, { maxItems: 200, windowMs: 20 }),
    sendSlots: pLimit(mailer.capacity),
    // Group commit: the marks of sends that finish within 20 ms of each other go in one UPDATE.
    markSent: groupCommit(async (marks: SentMark[]) => {
      await markSentMany(db, marks);
      return marks.map(() => undefined);
    }, { maxItems: 200, windowMs: 20 }),
    runs: new BatchRuns(),
  };
}

/**
 * Sends batches of deliveries: one batch of a notice, or many small ones of the notices of
 * one instant together (a morning rush is then a few jobs, not one per notice). The batches
 * are claimed in one statement under a claimant id of this run, which the process's
 * heartbeat keeps renewing, so no live send is ever taken over and a claim that ages means a
 * dead worker. Each accepted send is marked `sent` before its lane goes on: a crash repeats
 * at most the sends between the server's acceptance and their mark (the at-least-once window
 * the README describes).
 *
 * A failure is classified (failure-kinds.ts): a transient one gives the delivery back for the
 * next attempt (on the final attempt it is final too), a permanent one fails it, and a
 * programming error ends that notice's part at once, its unsent deliveries failed with it
 * (another notice's message is its own). At shutdown no lane starts another send and the
 * unstarted deliveries are given back.
 */
export async function deliverBatches(ctx: DeliveryContext, batches: readonly DeliveryBatch[], options: { finalAttempt: boolean }): Promise<BatchResult> {
  const result: BatchResult = { sent: 0, failed: 0, retry: 0, handedOff: 0, lastError: null, unrecoverable: null, interrupted: false };
  const run = ctx.runs.begin();
  if (!run) return { ...result, interrupted: true };
  try {
    const claimed = await claimBatches(ctx.db, batches, { claimant: run.claimant, now: ctx.now(), abandonedAfterMs: ctx.abandonedAfterMs });
    for (const delivery of claimed) run.waiting.add(delivery.id);
    run.giveBack = async () => {
      const ids = [...run.waiting];
      run.waiting.clear();
      await release(ctx.db, ids, run.claimant, null);
    };
    if (run.stopped) await run.giveBack(); // stopped while claiming
    if (claimed.length > 0 && !run.stopped) {
      const byNotice = new Map<string, ClaimedDelivery[]>();
      for (const d of claimed) {
        const of = byNotice.get(d.notice_id);
        if (of) of.push(d);
        else byNotice.set(d.notice_id, [d]);
      }
      const notices = await ctx.noticesOf([...byNotice.keys()]);
      const subjects = await loadMessageSubjects(ctx.db, [...notices.values()]);
      const retry: RetryOf = { finalAttempt: options.finalAttempt, alone: batches.length > 1 ? onceEach(ctx.retryAlone) : null };
      await Promise.all(
        [...byNotice].map(([noticeId, deliveries]) => {
          const notice = notices.get(noticeId)!;
          return sendToRecipients(ctx, run, { notice, subject: subjects.get(noticeId)! }, deliveries, retry, result);
        }),
      );
    }
    result.interrupted = run.stopped;
  } finally {
    ctx.runs.end(run);
  }
  await Promise.all([...new Set(batches.map((b) => b.noticeId))].map((noticeId) => ctx.settle(noticeId)));
  return result;
}

/** One notice's claimed deliveries of a run, each in a lane as a send slot frees up. */
async function sendToRecipients(
  ctx: DeliveryContext,
  run: BatchRun,
  { notice, subject }: Pick<Sending, 'notice' | 'subject'>,
  claimed: readonly ClaimedDelivery[],
  retry: RetryOf,
  result: BatchResult,
): Promise<void> {
  const send = sender(ctx, notice, subject);
  let bug = null as { error: unknown; deliveryId: string } | null;
  await forEachConcurrently(claimed, ctx.concurrency, async (delivery) => {
    let messageId: string | null = null;
    try {
      const started = await ctx.sendSlots(async () => {
        // Taken out of `waiting` only here: what shutdown gives back was never started.
        if (run.stopped || bug || !run.waiting.delete(delivery.id)) return false;
        try {
          messageId = await send(delivery);
        } catch (error) {
          // Noted before the slot is free: no other lane starts a send that would fail the same way.
          if (!bug && classifyFailure(error) === 'programming') bug = { error, deliveryId: delivery.id };
          throw error;
        }
        return true;
      });
      if (!started) return;
    } catch (error) {
      await settleFailure(ctx, run, { delivery, notice, subject }, error, retry, result);
      return;
    }
    const sentAt = ctx.now();
    // The server has it now: the mark must not be lost to a database that is away for a moment.
    await untilRecorded(() => ctx.markSent({ id: delivery.id, claimant: run.claimant, messageId, sentAt }));
    result.sent += 1;
    ctx.metrics?.deliveryLatency.observe({ channel: delivery.channel }, (sentAt.getTime() - notice.due_at.getTime()) / 1000);
    ctx.metrics?.deliveriesFinished.inc({ channel: delivery.channel, outcome: 'sent' });
  });
  if (!bug) return;
  const reason = describeFailure(bug.error);
  result.unrecoverable = reason;
  ctx.logger.error(
    { noticeId: notice.id, ...subjectLogFields(subject), deliveryId: bug.deliveryId, kind: 'programming', error: reason, stack: (bug.error as Error)?.stack },
    'delivery failed on a programming error; the batch ends without retries',
  );
  // The rest of the notice's part would fail the same way: fail it now rather than try each.
  const rest = claimed.filter((d) => run.waiting.delete(d.id));
  await markFailed(ctx.db, rest.map((d) => d.id), run.claimant, reason, ctx.now());
  result.failed += rest.length;
  for (const d of rest) ctx.metrics?.deliveriesFinished.inc({ channel: d.channel, outcome: 'failed' });
}

interface Sending {
  delivery: ClaimedDelivery;
  notice: NoticeRow;
  subject: MessageSubject;
}

/** How a run retries a transient failure: by its own job's next attempt, or (a shared job's) by a job of the batch's own. */
interface RetryOf {
  finalAttempt: boolean;
  alone: ((batch: DeliveryBatch) => Promise<void>) | null;
}

/**
 * By kind (failure-kinds.ts): transient gives the delivery back (final on the last attempt),
 * permanent fails it, a programming error fails it (and the run ends that notice's part).
 */
async function settleFailure(ctx: DeliveryContext, run: BatchRun, { delivery, notice, subject }: Sending, error: unknown, retry: RetryOf, result: BatchResult) {
  const reason = describeFailure(error);
  const kind = classifyFailure(error);
  const now = ctx.now();
  result.lastError = reason;
  ctx.metrics?.deliveryFailures.inc({ channel: delivery.channel, kind });
  if (kind === 'transient' && !retry.finalAttempt) {
    // The batch's own job exists before the delivery is pending again: the reconciler, seeing
    // it pending, finds that job and adds none that would retry it at once.
    if (retry.alone) await retry.alone({ noticeId: delivery.notice_id, batch: delivery.batch });
    await release(ctx.db, [delivery.id], run.claimant, { error: reason, now });
    if (retry.alone) result.handedOff += 1;
    else result.retry += 1;
    return;
  }
  await markFailed(ctx.db, [delivery.id], run.claimant, reason, now);
  result.failed += 1;
  ctx.metrics?.deliveriesFinished.inc({ channel: delivery.channel, outcome: 'failed' });
  // A programming error is logged once for the notice's part, at error level, by sendToRecipients.
  if (kind !== 'programming') {
    ctx.logger.warn({ noticeId: notice.id, ...subjectLogFields(subject), deliveryId: delivery.id, channel: delivery.channel, kind, error: reason }, 'delivery failed for good');
  }
}

/** The notice's e-mail comes compiled (ctx.emailFor); per delivery only the To and Message-ID lines are written. */
function sender(ctx: DeliveryContext, notice: NoticeRow, subject: MessageSubject) {
  let email: Promise<AddressedEmail> | undefined;
  let webhookBody: string | undefined;
  return async (delivery: ClaimedDelivery): Promise<string | null> => {
    if (delivery.channel === 'webhook') {
      if (!ctx.webhookSecret) throw new PermanentDeliveryError('WEBHOOK_SECRET is not set');
      webhookBody ??=
        subject.kind === 'window' ? ctx.messages.publicationBody(notice, subject.window) : ctx.messages.disruptionBody(notice, subject.facts);
      await postWebhook(delivery.target, webhookBody, ctx.webhookSecret, delivery.id);
      return null;
    }
    email ??= ctx.emailFor(notice, subject);
    // A message routed to a deputy is addressed to them by name (To and the invitation's ATTENDEE).
    const name = delivery.deputy_name ?? delivery.recipient_name ?? '';
    const message = (await email)({ name, email: delivery.target }, delivery.recipient_key, { deputy: delivery.deputy_name !== null });
    await ctx.mailer.send(message);
    return message.messageId;
  };
}

/**
 * Retries recording an accepted send while the database is unreachable (restarting, failing
 * over), for up to about half a minute. Giving up leaves the delivery claimed, to be sent once
 * more when the claim is taken over: the at-least-once case the README describes.
 */
async function untilRecorded(record: () => Promise<void>): Promise<void> {
  for (let delayMs = 100; ; delayMs *= 2) {
    try {
      return await record();
    } catch (error) {
      if (delayMs > 16_000) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** `work` once per batch, however many deliveries of it fail: later calls share the first. */
function onceEach(work: (batch: DeliveryBatch) => Promise<void>): (batch: DeliveryBatch) => Promise<void> {
  const started = new Map<string, Promise<void>>();
  return (batch) => {
    const key = `${batch.noticeId}/${batch.batch}`;
    let done = started.get(key);
    if (!done) started.set(key, (done = work(batch)));
    return done;
  };
}

async function forEachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}
