import type { Logger } from 'pino';
import { settleNotices } from '../notices/notice-repository.js';
import type { Db } from '../storage/database.js';
import type { DeliveryRow, NoticeRow, WindowRow } from '../storage/schema.js';
import { claimableInBatch, claimDelivery, markFailed, markSentMany, release, type SentMark } from './delivery-repository.js';
import { classifyFailure, describeFailure } from './failure-kinds.js';
import type { Metrics } from '../runtime/metrics.js';
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
  /** Sends in flight at once within one batch. */
  concurrency: number;
  /** `sent` marks are written together once this many wait... @defaultValue 20 */
  markBatchRows?: number;
  /** ...or this long after the first of them. @defaultValue 20 */
  markBatchMs?: number;
  metrics?: Metrics | undefined;
}

export interface BatchResult {
  sent: number;
  failed: number;
  /** Deliveries given back after a transient failure, for the next attempt. */
  retry: number;
  lastError: string | null;
}

/**
 * Sends one batch of a notice's deliveries. Each delivery is claimed, sent and marked on
 * its own, so a crash repeats at most the deliveries that were between the server's
 * acceptance and their mark (the at-least-once window the README describes).
 * On the final attempt a transient failure is final too.
 */
export async function deliverBatch(
  ctx: DeliveryContext,
  noticeId: string,
  batch: number,
  options: { finalAttempt: boolean },
): Promise<BatchResult> {
  const result: BatchResult = { sent: 0, failed: 0, retry: 0, lastError: null };
  const candidates = await claimableInBatch(ctx.db, noticeId, batch, ctx.now(), ctx.abandonedAfterMs);
  if (candidates.length > 0) {
    const notice = await ctx.db.selectFrom('notices').selectAll().where('id', '=', noticeId).executeTakeFirstOrThrow();
    const window = await ctx.db.selectFrom('windows').selectAll().where('id', '=', notice.window_id).executeTakeFirstOrThrow();
    const ids = candidates.flatMap((d) => (d.recipient_id ? [d.recipient_id] : []));
    const names = new Map(
      ids.length === 0
        ? []
        : (await ctx.db.selectFrom('recipients').select(['id', 'name']).where('id', 'in', ids).execute()).map((r) => [r.id, r.name]),
    );
    const send = sender(ctx, notice, window, names);
    const markSent = sentMarker(ctx.db, ctx.markBatchRows ?? 20, ctx.markBatchMs ?? 20);
    await forEachConcurrently(candidates, ctx.concurrency, async (candidate) => {
      const delivery = await claimDelivery(ctx.db, candidate.id, ctx.now(), ctx.abandonedAfterMs);
      if (!delivery) return; // another worker has it
      const claimedAt = delivery.claimed_at!;
      try {
        const messageId = await send(delivery);
        const sentAt = ctx.now();
        // The server has it now: the mark must not be lost to a database that is away for a moment.
        // The lane waits for its own mark before it sends again, so there is still at most one
        // accepted but unmarked message per send in flight; only the UPDATE is shared.
        await untilRecorded(() => markSent({ id: delivery.id, claimedAt, messageId, sentAt }));
        result.sent += 1;
        ctx.metrics?.deliveryLatency.observe({ channel: delivery.channel }, (sentAt.getTime() - notice.due_at.getTime()) / 1000);
        ctx.metrics?.deliveriesFinished.inc({ channel: delivery.channel, outcome: 'sent' });
      } catch (error) {
        const reason = describeFailure(error);
        result.lastError = reason;
        if (classifyFailure(error) === 'permanent' || options.finalAttempt) {
          await markFailed(ctx.db, delivery.id, claimedAt, reason);
          result.failed += 1;
          ctx.metrics?.deliveriesFinished.inc({ channel: delivery.channel, outcome: 'failed' });
          ctx.logger.warn({ noticeId, deliveryId: delivery.id, channel: delivery.channel, error: reason }, 'delivery failed for good');
        } else {
          await release(ctx.db, delivery.id, claimedAt, reason);
          result.retry += 1;
        }
      }
    });
  }
  await settleNotices(ctx.db, [noticeId], ctx.now());
  return result;
}

/** Renders once per batch; per delivery only the recipient and the Message-ID differ. */
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
    email ??= ctx.messages.emailFor(notice, window);
    const name = (delivery.recipient_id && names.get(delivery.recipient_id)) || '';
    const message = email({ name, email: delivery.target }, delivery.recipient_key);
    await ctx.mailer.send(message);
    return String(message.messageId);
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

/**
 * Group commit of `sent` marks: the marks of lanes that finish within `windowMs` of each
 * other (or `maxRows` of them) go in one UPDATE; each caller resolves when its mark is stored.
 */
function sentMarker(db: Db, maxRows: number, windowMs: number): (mark: SentMark) => Promise<void> {
  let waiting: { mark: SentMark; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const group = waiting;
    waiting = [];
    markSentMany(db, group.map((w) => w.mark)).then(
      () => group.forEach((w) => w.resolve()),
      (error: unknown) => group.forEach((w) => w.reject(error)),
    );
  };
  return (mark) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ mark, resolve, reject });
      if (waiting.length >= maxRows) flush();
      else timer ??= setTimeout(flush, windowMs);
    });
}

async function forEachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}
