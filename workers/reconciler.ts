import type { Queue } from 'bullmq';
import { unfinishedDeliveryBatches } from '../src/delivery/delivery-repository.js';
import { planAllCatchUps, type CatchUpOptions } from '../src/notices/catch-up.js';
import { listNoticesToSchedule } from '../src/notices/notice-repository.js';
import { jobId } from '../src/queues/queues.js';
import type { NoticeScheduler } from '../src/queues/notice-scheduler.js';
import type { Db } from '../src/storage/database.js';
import { advanceWindows, windowsChangingBefore } from '../src/windows/window-repository.js';
import { forgetOldSignUps, unsentConfirmationMails } from '../src/subscriptions/subscription-repository.js';
import { SIGN_UP_KEPT_MS } from '../src/subscriptions/subscription-service.js';

export interface ReconcilerDeps {
  db: Db;
  scheduler: NoticeScheduler;
  noticeQueue: Queue;
  deliveryQueue: Queue;
  now: () => Date;
  /** Notices due within this horizon get their delayed job now; later ones on a later pass. */
  horizonMs: number;
  catchUp: Omit<CatchUpOptions, 'now'>;
  abandonedAfterMs: number;
  delivery: { attempts: number; backoffMs: number };
}

export interface ReconcileReport {
  windowsMoved: number;
  catchUpsPlanned: number;
  noticesScheduled: number;
  batchesScheduled: number;
}

/**
 * The database is the truth and Redis only the clock: this pass, run every minute by a
 * BullMQ job scheduler and at every worker start, gives every row that should have a job
 * its job. Adding an existing job is a no-op; a job that already finished while its row
 * still waits (Redis lost it, or a worker died after the job ended) is removed and added anew.
 */
export async function reconcile(deps: ReconcilerDeps): Promise<ReconcileReport> {
  const now = deps.now();
  const horizon = new Date(now.getTime() + deps.horizonMs);
  const moved = await advanceWindows(deps.db, now);
  await deps.scheduler.scheduleWindowTransitions(await windowsChangingBefore(deps.db, horizon));
  // Newcomers to an audience whose announcement went out are owed it: planned here, scheduled below.
  const caughtUp = await planAllCatchUps(deps.db, { ...deps.catchUp, now });

  const notices = await listNoticesToSchedule(deps.db, horizon);
  const overdue = notices.filter((n) => n.due_at <= now);
  await removeFinishedJobs(deps.noticeQueue, overdue.map((n) => jobId.notice(n.id, n.revision)));
  await deps.scheduler.scheduleNotices(notices);

  const batches = await unfinishedDeliveryBatches(deps.db, now, deps.abandonedAfterMs);
  await removeFinishedJobs(deps.deliveryQueue, batches.map((b) => jobId.deliveryBatch(b.notice_id, b.batch)));
  await deps.scheduler.scheduleDeliveryBatches(batches.map((b) => ({ noticeId: b.notice_id, batch: b.batch })), deps.delivery);

  // A sign-up's confirmation e-mail is a row too: one Redis lost (or the API could not enqueue) is sent anyway.
  const confirmations = (await unsentConfirmationMails(deps.db, now, deps.abandonedAfterMs)).map((r) => ({ requestId: r.id, mailedAt: r.mailed_at }));
  await removeFinishedJobs(deps.deliveryQueue, confirmations.map((c) => jobId.confirmationMail(c.requestId, c.mailedAt)));
  await deps.scheduler.scheduleConfirmationMails(confirmations, deps.delivery);
  await forgetOldSignUps(deps.db, new Date(now.getTime() - SIGN_UP_KEPT_MS));
  return {
    windowsMoved: moved.length,
    catchUpsPlanned: caughtUp.reduce((n, c) => n + c.notices.length, 0),
    noticesScheduled: notices.length,
    batchesScheduled: batches.length,
  };
}

async function removeFinishedJobs(queue: Queue, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const job = await queue.getJob(id);
    if (!job) continue;
    const state = await job.getState();
    if (state === 'completed' || state === 'failed') await job.remove();
  }
}
