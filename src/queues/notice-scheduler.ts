import type { DeliveryBatch } from '../delivery/delivery-repository.js';
import { groupCommit } from '../delivery/group-commit.js';
import type { Queues } from './queues.js';
import { DELIVERY_JOB, jobId, KEEP_JOBS } from './queues.js';

export interface ScheduledNotice {
  id: string;
  revision: number;
  due_at: Date;
}

/**
 * A notice's job becomes due this much before the notice: promoting a thousand delayed jobs
 * that fall due at once takes BullMQ a while, so the job is taken early and its worker waits
 * for the instant on its own timer (see start-workers). It never fans out before the instant.
 */
export const ARM_EARLY_MS = 250;

/**
 * Notices with a single batch (one recipient, or a few hundred) share a delivery job by this
 * many: a morning rush of a thousand small notices is forty jobs, not a thousand, each
 * claiming, reading and settling its notices in one statement apiece.
 */
export const DELIVERY_GROUP = 25;

/** A fanned-out notice's batches with work left. */
export interface FannedOut {
  noticeId: string;
  batches: readonly number[];
}

/** A confirmation e-mail of a public sign-up, as its row names it. */
export interface ScheduledConfirmation {
  requestId: string;
  mailedAt: Date;
}

/** Retries of a confirmation e-mail: as a notice's batch, about 5.7 hours of SMTP outage. */
export const CONFIRMATION_RETRIES = { attempts: 12, backoffMs: 5000 };

export interface ScheduledWindow {
  id: string;
  revision: number;
  start_at: Date;
  end_at: Date;
  status: string;
}

/**
 * Turns committed rows into BullMQ jobs. The database stays the truth: every add here is
 * repeated by the reconciler for whatever Redis lost, and a repeat is a no-op.
 */
export class NoticeScheduler {
  constructor(
    private readonly queues: Queues,
    private readonly now: () => number = Date.now,
  ) {}

  async scheduleNotices(notices: readonly ScheduledNotice[]): Promise<void> {
    if (notices.length === 0) return;
    await this.queues.notices.addBulk(
      notices.map((n) => ({
        name: 'dispatch',
        data: { noticeId: n.id },
        opts: {
          jobId: jobId.notice(n.id, n.revision),
          delay: this.delayUntil(new Date(n.due_at.getTime() - ARM_EARLY_MS)),
          // A fan-out that fails (database away) is retried; the reconciler picks up what outlives this.
          attempts: 8,
          backoff: { type: 'exponential', delay: 1000 },
          ...KEEP_JOBS,
        },
      })),
    );
  }

  async scheduleDeliveryBatches(batches: readonly DeliveryBatch[], options: { attempts: number; backoffMs: number }): Promise<void> {
    if (batches.length === 0) return;
    await this.queues.deliveries.addBulk(
      batches.map(({ noticeId, batch }) => ({
        name: DELIVERY_JOB.batch,
        data: { noticeId, batch },
        opts: {
          jobId: jobId.deliveryBatch(noticeId, batch),
          attempts: options.attempts,
          backoff: { type: 'exponential', delay: options.backoffMs },
          ...KEEP_JOBS,
        },
      })),
    );
  }

  /**
   * A job of its own for a batch of a shared job that met a transient failure: due after the
   * first backoff, then backing off from twice it, as the batch's job would have gone on.
   * Nothing is added when the batch already has a job (the reconciler's; or an earlier one's,
   * finished: then the reconciler replaces it within its interval).
   */
  async retryDeliveryBatch({ noticeId, batch }: DeliveryBatch, options: { attempts: number; backoffMs: number }): Promise<void> {
    await this.queues.deliveries.add(
      DELIVERY_JOB.batch,
      { noticeId, batch },
      {
        jobId: jobId.deliveryBatch(noticeId, batch),
        delay: options.backoffMs,
        attempts: Math.max(1, options.attempts - 1),
        backoff: { type: 'exponential', delay: 2 * options.backoffMs },
        ...KEEP_JOBS,
      },
    );
  }

  /**
   * The delivery jobs of notices fanned out together: a notice's only batch shares a job with
   * up to DELIVERY_GROUP - 1 others; a notice of several batches (a big fan-out) gets a job
   * per batch. A group's id is made from its batches, so adding it twice does nothing; what
   * Redis loses the reconciler gives back as single batches.
   */
  async scheduleFannedOut(notices: readonly FannedOut[], options: { attempts: number; backoffMs: number }): Promise<void> {
    const alone = notices.filter((n) => n.batches.length === 1).map((n) => ({ noticeId: n.noticeId, batch: n.batches[0]! }));
    const groups: DeliveryBatch[][] = [];
    for (let i = 0; i < alone.length; i += DELIVERY_GROUP) groups.push(alone.slice(i, i + DELIVERY_GROUP));
    const singles = [
      ...notices.filter((n) => n.batches.length > 1).flatMap((n) => n.batches.map((batch) => ({ noticeId: n.noticeId, batch }))),
      ...groups.filter((g) => g.length === 1).flat(),
    ];
    await this.scheduleDeliveryBatches(singles, options);
    const together = groups.filter((g) => g.length > 1);
    if (together.length === 0) return;
    await this.queues.deliveries.addBulk(
      together.map((batches) => ({
        name: DELIVERY_JOB.group,
        data: { batches },
        opts: { jobId: jobId.deliveryGroup(batches), attempts: options.attempts, backoff: { type: 'exponential', delay: options.backoffMs }, ...KEEP_JOBS },
      })),
    );
  }

  /** Confirmation e-mails of sign-ups, sent at once on the delivery queue. */
  async scheduleConfirmationMails(mails: readonly ScheduledConfirmation[], options: { attempts: number; backoffMs: number } = CONFIRMATION_RETRIES): Promise<void> {
    if (mails.length === 0) return;
    await this.queues.deliveries.addBulk(
      mails.map(({ requestId, mailedAt }) => ({
        name: DELIVERY_JOB.confirmation,
        data: { requestId },
        opts: { jobId: jobId.confirmationMail(requestId, mailedAt), attempts: options.attempts, backoff: { type: 'exponential', delay: options.backoffMs }, ...KEEP_JOBS },
      })),
    );
  }

  /** The jobs of a commit: its notices, and a window's move to in_progress and completed. */
  /**
   * The jobs of a committed change. Changes committed together (a group of creates shares a
   * commit, see grouped-creates) go to Redis together: one addBulk per queue for all of them,
   * instead of two round trips each to a Redis a fan-out keeps busy.
   */
  scheduleCommitted(change: { window?: ScheduledWindow | undefined; notices: readonly ScheduledNotice[] }): Promise<void> {
    return this.committed(change);
  }

  private readonly committed = groupCommit(
    async (changes: { window?: ScheduledWindow | undefined; notices: readonly ScheduledNotice[] }[]) => {
      await Promise.all([
        this.scheduleNotices(changes.flatMap((c) => c.notices)),
        this.scheduleWindowTransitions(changes.flatMap((c) => (c.window ? [c.window] : []))),
      ]);
      return changes.map(() => undefined);
    },
    { maxItems: 100, windowMs: 1 },
  );

  /** Jobs that move a window to in_progress at its start and to completed at its end. */
  async scheduleWindowTransitions(windows: readonly ScheduledWindow[]): Promise<void> {
    const jobs = windows
      .filter((w) => w.status === 'scheduled' || w.status === 'in_progress')
      .flatMap((w) => [
        { to: 'in_progress' as const, at: w.start_at, w },
        { to: 'completed' as const, at: w.end_at, w },
      ])
      .map(({ to, at, w }) => ({
        name: 'window-transition',
        data: { windowId: w.id },
        opts: { jobId: jobId.windowTransition(w.id, w.revision, to), delay: this.delayUntil(at), ...KEEP_JOBS },
      }));
    if (jobs.length) await this.queues.maintenance.addBulk(jobs);
  }

  private delayUntil(instant: Date): number {
    return Math.max(0, instant.getTime() - this.now());
  }
}
