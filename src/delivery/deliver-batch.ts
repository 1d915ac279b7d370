import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from 'pino';
import { findNotice, settleNotices } from '../notices/notice-repository.js';
import { recipientNames } from '../recipients/recipient-repository.js';
import { findWindow } from '../windows/window-repository.js';
import type { Metrics } from '../runtime/metrics.js';
import type { Db } from '../storage/database.js';
import type { DeliveryRow, NoticeRow, WindowRow } from '../storage/schema.js';
import { claimBatch, markFailed, markSentMany, release, renewClaim, type SentMark } from './delivery-repository.js';
import { classifyFailure, describeFailure } from './failure-kinds.js';
import { groupCommit } from './group-commit.js';
import type { Mailer } from './mailer.js';
import type { NoticeMessages } from './notice-messages.js';
import { postWebhook } from './webhook-sender.js';

export interface DeliveryContext {
  db: Db;
  mailer: Mailer;
  messages: NoticeMessages;
  webhookSecret: string | undefined;
  logger: Logger;
  now: () => Date;
  /** A claim older than this belongs to a dead worker. Longer than any live send. */
  abandonedAfterMs: number;
  /** Deliveries of one batch waiting for a send slot at once. */
  concurrency: number;
  /** Sends in flight in this process: a few per SMTP connection, so no send waits long in the transport's queue. */
  sendSlots: LimitFunction;
  /** Writes the `sent` marks of this process's sends together. */
  markSent: (mark: SentMark) => Promise<void>;
  /** The notice's e-mail, rendered and compiled once for all its batches in this process. */
  emailFor: NoticeMessages['emailFor'];
  metrics?: Metrics | undefined;
}

/** Compiled notices kept per process: the notices of one morning's fan-outs. */
const COMPILED_NOTICES = 100;

export interface BatchResult {
  sent: number;
  failed: number;
  /** Deliveries given back after a transient failure, for the next attempt. */
  retry: number;
  lastError: string | null;
}

/** The parts of a DeliveryContext shared by every batch of a process. */
export function deliveryPipeline(db: Db, mailer: Mailer, messages: NoticeMessages): Pick<DeliveryContext, 'sendSlots' | 'markSent' | 'emailFor'> {
  const compiled = new Map<string, ReturnType<NoticeMessages['emailFor']>>();
  return {
    emailFor: (notice, window) => {
      // A changed window is a new revision with new notices; updated_at keeps even an edit in place apart.
      const key = `${notice.id}|${window.updated_at.getTime()}`;
      let email = compiled.get(key);
      if (!email) {
        if (compiled.size >= COMPILED_NOTICES) compiled.delete(compiled.keys().next().value!);
        email = messages.emailFor(notice, window);
        email.catch(() => compiled.delete(key));
        compiled.set(key, email);
      }
      return email;
    },
    sendSlots: pLimit(mailer.capacity),
    // Group commit: the marks of sends that finish within 20 ms of each other go in one UPDATE.
    markSent: groupCommit(async (marks: SentMark[]) => {
      await markSentMany(db, marks);
      return marks.map(() => undefined);
    }, { maxItems: 200, windowMs: 20 }),
  };
}

/**
 * Sends one batch of a notice's deliveries. The batch is claimed in one statement; each
 * delivery then waits for a send slot, and a claim that has aged to a third of
 * `abandonedAfterMs` meanwhile (a slow mail server) is renewed before the send, so no live
 * send is ever taken over. Each accepted send is marked `sent` before its lane goes on: a
 * crash repeats at most the sends between the server's acceptance and their mark (the
 * at-least-once window the README describes). On the final attempt a transient failure is
 * final too.
 */
export async function deliverBatch(
  ctx: DeliveryContext,
  noticeId: string,
  batch: number,
  options: { finalAttempt: boolean },
): Promise<BatchResult> {
  const result: BatchResult = { sent: 0, failed: 0, retry: 0, lastError: null };
  const claimedAt = ctx.now();
  const claimed = await claimBatch(ctx.db, noticeId, batch, claimedAt, ctx.abandonedAfterMs);
  if (claimed.length > 0) {
    const notice = (await findNotice(ctx.db, noticeId))!;
    const window = (await findWindow(ctx.db, notice.window_id))!;
    const names = await recipientNames(ctx.db, claimed.flatMap((d) => (d.recipient_id ? [d.recipient_id] : [])));
    const send = sender(ctx, notice, window, names);
    const renewAfterMs = ctx.abandonedAfterMs / 3;
    await forEachConcurrently(claimed, ctx.concurrency, async (delivery) => {
      let claim = claimedAt;
      let messageId: string | null = null;
      try {
        const sent = await ctx.sendSlots(async () => {
          const now = ctx.now();
          if (now.getTime() - claim.getTime() > renewAfterMs) {
            if (!(await renewClaim(ctx.db, delivery.id, claim, now))) return false; // taken over: not ours to send
            claim = now;
          }
          messageId = await send(delivery);
          return true;
        });
        if (!sent) return;
      } catch (error) {
        await settleFailure(ctx, delivery, claim, error, options.finalAttempt, result);
        return;
      }
      const sentAt = ctx.now();
      // The server has it now: the mark must not be lost to a database that is away for a moment.
      await untilRecorded(() => ctx.markSent({ id: delivery.id, claimedAt: claim, messageId, sentAt }));
      result.sent += 1;
      ctx.metrics?.deliveryLatency.observe({ channel: delivery.channel }, (sentAt.getTime() - notice.due_at.getTime()) / 1000);
      ctx.metrics?.deliveriesFinished.inc({ channel: delivery.channel, outcome: 'sent' });
    });
  }
  await settleNotices(ctx.db, [noticeId], ctx.now());
  return result;
}

/** A permanent failure (or any on the last attempt) is final; a transient one gives the delivery back. */
async function settleFailure(ctx: DeliveryContext, delivery: DeliveryRow, claimedAt: Date, error: unknown, finalAttempt: boolean, result: BatchResult) {
  const reason = describeFailure(error);
  result.lastError = reason;
  if (classifyFailure(error) === 'permanent' || finalAttempt) {
    await markFailed(ctx.db, delivery.id, claimedAt, reason);
    result.failed += 1;
    ctx.metrics?.deliveriesFinished.inc({ channel: delivery.channel, outcome: 'failed' });
    ctx.logger.warn({ noticeId: delivery.notice_id, deliveryId: delivery.id, channel: delivery.channel, error: reason }, 'delivery failed for good');
  } else {
    await release(ctx.db, delivery.id, claimedAt, reason);
    result.retry += 1;
  }
}

/** The notice's e-mail comes compiled (ctx.emailFor); per delivery only the To and Message-ID lines are written. */
function sender(ctx: DeliveryContext, notice: NoticeRow, window: WindowRow, names: ReadonlyMap<string, string>) {
  let email: ReturnType<NoticeMessages['emailFor']> | undefined;
  let webhookBody: string | undefined;
  return async (delivery: DeliveryRow): Promise<string | null> => {
    if (delivery.channel === 'webhook') {
      if (!ctx.webhookSecret) throw Object.assign(new Error('WEBHOOK_SECRET is not set'), { permanent: true });
      webhookBody ??= ctx.messages.publicationBody(notice, window);
      await postWebhook(delivery.target, webhookBody, ctx.webhookSecret, delivery.id);
      return null;
    }
    email ??= ctx.emailFor(notice, window);
    const name = (delivery.recipient_id && names.get(delivery.recipient_id)) || '';
    const message = (await email)({ name, email: delivery.target }, delivery.recipient_key);
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

async function forEachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}
