import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { deliverBatches, deliveryPipeline, type DeliveryContext } from '../src/delivery/deliver-batch.js';
import { renewClaims, type DeliveryBatch } from '../src/delivery/delivery-repository.js';
import type { Mailer } from '../src/delivery/mailer.js';
import type { NoticeMessages } from '../src/delivery/notice-messages.js';
import { dispatchDueNotices, dispatchNotice, type DispatchOutcome, type DueDispatch } from '../src/notices/notice-dispatch.js';
import type { Audience, Policy } from '../src/policy/policy-schema.js';
import { ARM_EARLY_MS, NoticeScheduler, type FannedOut } from '../src/queues/notice-scheduler.js';
import { DELIVERY_JOB, openQueues, QUEUE, redisConnection, type Queues } from '../src/queues/queues.js';
import type { ConfirmationMessages } from '../src/subscriptions/confirmation-email.js';
import { sendConfirmationMail, type ConfirmationDeliveryDeps } from '../src/subscriptions/confirmation-delivery.js';
import type { Metrics } from '../src/runtime/metrics.js';
import type { Db } from '../src/storage/database.js';
import { advanceWindows } from '../src/windows/window-repository.js';
import { reconcile } from './reconciler.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
/** Due notices fanned out together in one transaction. */
const DISPATCH_TOGETHER = 1000;

export interface WorkerSettings {
  db: Db;
  redisUrl: string;
  queuePrefix: string;
  mailer: Mailer;
  messages: NoticeMessages;
  /** The confirmation e-mails of public sign-ups. @defaultValue none: such jobs fail until a worker that has them takes them */
  confirmations?: ConfirmationMessages | undefined;
  /** Says which audiences are reached by e-mail and which by publication. */
  policy: Policy;
  webhooks: Partial<Record<Audience, string | undefined>>;
  webhookSecret: string | undefined;
  logger: Logger;
  /** Jobs processed at once per queue. @defaultValue 10 */
  concurrency?: number;
  /** Deliveries per batch job. @defaultValue 500 */
  batchSize?: number;
  /** Deliveries of one batch job waiting for a send slot at once (the Mailer's capacity limits sends in flight). @defaultValue 20 */
  sendsPerBatch?: number;
  /** Attempts per delivery batch before a transient failure is final. @defaultValue 12 (about 5.7 hours with 5 s backoff) */
  deliveryAttempts?: number;
  /** First retry delay, doubled on each attempt. @defaultValue 5 * SECOND */
  deliveryBackoffMs?: number;
  /**
   * A claim not renewed for this long belongs to a dead worker and is taken over. Live claims
   * are renewed every tenth of it (the heartbeat), so a slow send is never taken over.
   * @defaultValue 2 * MINUTE
   */
  abandonedAfterMs?: number;
  /** How long a stop waits for sends in flight before it leaves them. @defaultValue 15 * SECOND (within the 25 s shutdown bound) */
  stopGraceMs?: number;
  /** How often the reconciler runs. @defaultValue MINUTE */
  reconcileEveryMs?: number;
  /** BullMQ's stalled-job check and lock; tests shorten them to recover from a killed worker quickly. */
  stalledIntervalMs?: number;
  lockDurationMs?: number;
  now?: () => Date;
  metrics?: Metrics;
}

export interface RunningWorkers {
  scheduler: NoticeScheduler;
  queues: Queues;
  reconcileNow(): Promise<void>;
  stop(): Promise<void>;
}

/** The batches with work left of each notice that went out. */
function fannedOut(dispatched: readonly DueDispatch[]): FannedOut[] {
  return dispatched.flatMap(({ noticeId, outcome }) => (outcome.outcome === 'dispatched' ? [{ noticeId, batches: outcome.batches }] : []));
}

/** Starts the notice, delivery and maintenance workers against one Redis and one database. */
export async function startWorkers(settings: WorkerSettings): Promise<RunningWorkers> {
  const now = settings.now ?? (() => new Date());
  const { db, logger } = settings;
  const connection = redisConnection(settings.redisUrl);
  const queues = openQueues(connection, settings.queuePrefix);
  const scheduler = new NoticeScheduler(queues, () => now().getTime());
  const delivery = { attempts: settings.deliveryAttempts ?? 12, backoffMs: settings.deliveryBackoffMs ?? 5 * SECOND };
  const abandonedAfterMs = settings.abandonedAfterMs ?? 2 * MINUTE;
  const batchSize = settings.batchSize ?? 500;
  const stopGraceMs = settings.stopGraceMs ?? 15 * SECOND;
  const reconcilerDeps = {
    db,
    scheduler,
    noticeQueue: queues.notices,
    deliveryQueue: queues.deliveries,
    now,
    horizonMs: 10 * MINUTE,
    catchUp: { policy: settings.policy, webhooks: settings.webhooks },
    abandonedAfterMs,
    delivery,
  };
  const confirmationDeps: ConfirmationDeliveryDeps | null = settings.confirmations
    ? { db, mailer: settings.mailer, messages: settings.confirmations, logger, now, abandonedAfterMs }
    : null;
  const deliveryContext: DeliveryContext = {
    db,
    mailer: settings.mailer,
    messages: settings.messages,
    webhookSecret: settings.webhookSecret,
    logger,
    now,
    abandonedAfterMs,
    concurrency: settings.sendsPerBatch ?? 20,
    ...deliveryPipeline(db, settings.mailer, settings.messages, now),
    retryAlone: (batch) => scheduler.retryDeliveryBatch(batch, delivery),
    metrics: settings.metrics,
  };

  const workerConnections: ReturnType<typeof redisConnection>[] = [];
  const common = () => ({
    connection: workerConnections[workerConnections.push(redisConnection(settings.redisUrl)) - 1]!,
    prefix: settings.queuePrefix,
    concurrency: settings.concurrency ?? 10,
    ...(settings.stalledIntervalMs ? { stalledInterval: settings.stalledIntervalMs } : {}),
    ...(settings.lockDurationMs ? { lockDuration: settings.lockDurationMs } : {}),
  });

  /**
   * Notices this process fanned out together with another's job, and their batches scheduled:
   * their own jobs, which follow by the hundred at a busy instant, end without a database
   * round trip. Bounded; a job that finds nothing here asks the database as before.
   */
  const dispatchedHere = new Map<string, DispatchOutcome>();
  let dispatching: Promise<unknown> = Promise.resolve();
  /**
   * One dispatch at a time in this process: the jobs of one instant that start together wait
   * for the first, and then find their notices in `dispatchedHere`, instead of each locking
   * its notice behind the first's transaction and scheduling its batch a job of its own.
   */
  const dispatchTogether = (noticeId: string): Promise<{ outcome: DispatchOutcome; scheduled: boolean }> => {
    const mine = dispatching.then(() => dispatchOnce(noticeId));
    dispatching = mine.catch(() => {});
    return mine;
  };
  /**
   * The notice's own fan-out, and with it every other due notice no other worker holds.
   * `scheduled`: its batches have their jobs (alone or shared with other notices' batches).
   */
  const dispatchOnce = async (noticeId: string): Promise<{ outcome: DispatchOutcome; scheduled: boolean }> => {
    const known = dispatchedHere.get(noticeId);
    if (known) {
      dispatchedHere.delete(noticeId);
      return { outcome: known, scheduled: true };
    }
    const options = { now: now(), policy: settings.policy, webhooks: settings.webhooks, batchSize };
    // The first job of an instant fans out every notice due by then that no other worker
    // holds; their own jobs then find them dispatched and only make sure of their batches.
    const together = await dispatchDueNotices(db, { ...options, limit: DISPATCH_TOGETHER });
    await scheduler.scheduleFannedOut(fannedOut(together), delivery);
    for (const d of together) {
      if (d.outcome.outcome !== 'dispatched') continue;
      logger.info({ noticeId: d.noticeId, batches: d.outcome.batches.length }, 'notice dispatched');
      if (d.noticeId === noticeId) continue;
      if (dispatchedHere.size >= DISPATCH_TOGETHER * 10) dispatchedHere.delete(dispatchedHere.keys().next().value!);
      dispatchedHere.set(d.noticeId, d.outcome);
    }
    const mine = together.find((d) => d.noticeId === noticeId);
    return mine ? { outcome: mine.outcome, scheduled: true } : { outcome: await dispatchNotice(db, noticeId, options), scheduled: false };
  };

  const noticeWorker = new Worker(
    QUEUE.notices,
    async (job: Job<{ noticeId: string }>, token?: string) => {
      const { noticeId } = job.data;
      let mine = await dispatchTogether(noticeId);
      if (mine.outcome.outcome === 'not_due') {
        const waitMs = mine.outcome.dueAt.getTime() - now().getTime();
        if (waitMs <= 4 * ARM_EARLY_MS) {
          // Armed early on purpose (see NoticeScheduler): wait here, on a precise timer, for the instant.
          await new Promise((resolve) => setTimeout(resolve, waitMs));
          mine = await dispatchTogether(noticeId);
        }
      }
      const { outcome } = mine;
      if (outcome.outcome === 'not_due') {
        // Fired early (another worker's clock, or a re-add): wait for the real due instant.
        await job.moveToDelayed(outcome.dueAt.getTime() - ARM_EARLY_MS, token);
        throw new DelayedError();
      }
      // Dispatched before (by another worker, or an earlier attempt): make sure its batches have jobs.
      if (outcome.outcome === 'dispatched' && !mine.scheduled) await scheduler.scheduleFannedOut(fannedOut([{ noticeId, outcome }]), delivery);
      return outcome;
    },
    common(),
  );

  const confirm = async (job: Job<{ requestId: string }>, finalAttempt: boolean) => {
    if (!confirmationDeps) throw new Error('this worker has no confirmation e-mails to send');
    const outcome = await sendConfirmationMail(confirmationDeps, job.data.requestId, { finalAttempt });
    if (outcome === 'programming') throw new UnrecoverableError('programming error in a confirmation e-mail');
    if (outcome === 'retry') throw new Error('confirmation e-mail to retry');
    return { outcome };
  };

  const deliveryWorker = new Worker(
    QUEUE.deliveries,
    async (job: Job<{ noticeId: string; batch: number }>, token?: string) => {
      const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (job.name === DELIVERY_JOB.confirmation) return confirm(job as unknown as Job<{ requestId: string }>, finalAttempt);
      const batches = job.name === DELIVERY_JOB.group ? (job.data as unknown as { batches: DeliveryBatch[] }).batches : [job.data];
      const result = await deliverBatches(deliveryContext, batches, { finalAttempt });
      // A programming error: failing the job without retries is the whole point (see failure-kinds.ts).
      if (result.unrecoverable !== null) throw new UnrecoverableError(`programming error: ${result.unrecoverable}`);
      if (result.interrupted) {
        // Stopping: what was not sent went back to pending; another worker takes the job now, no attempt spent.
        await job.moveToDelayed(now().getTime(), token);
        throw new DelayedError();
      }
      if (result.retry > 0) throw new Error(`${result.retry} deliveries to retry: ${result.lastError}`);
      return result;
    },
    common(),
  );

  // The heartbeat: the claims of every batch running here stay young, so only a dead worker's age.
  // A beat is skipped while the last one still runs: beats piling up on a slow database would
  // take every connection of the pool, and the sends' marks would wait behind them.
  let beating = false;
  const heartbeat = setInterval(() => {
    if (beating) return;
    beating = true;
    renewClaims(db, deliveryContext.runs.claimants(), now())
      .catch((error: Error) => logger.warn({ error: error.message }, 'could not renew delivery claims'))
      .finally(() => (beating = false));
  }, abandonedAfterMs / 10);
  heartbeat.unref();

  const maintenanceWorker = new Worker(
    QUEUE.maintenance,
    async (job: Job) => {
      if (job.name === 'reconcile') return reconcile(reconcilerDeps);
      return { windowsMoved: (await advanceWindows(db, now())).length };
    },
    { ...common(), concurrency: 1 },
  );

  for (const worker of [noticeWorker, deliveryWorker, maintenanceWorker]) {
    worker.on('failed', (job, error) => {
      logger.warn({ queue: worker.name, jobId: job?.id, attempts: job?.attemptsMade, error: error.message }, 'job failed');
    });
    worker.on('error', (error) => logger.error({ queue: worker.name, error: error.message }, 'worker error'));
  }

  const reconcileEveryMs = settings.reconcileEveryMs ?? MINUTE;
  const ensureSchedule = () =>
    queues.maintenance.upsertJobScheduler('reconciler', { every: reconcileEveryMs }, {
      name: 'reconcile',
      opts: { removeOnComplete: 100, removeOnFail: 100 },
    });
  await ensureSchedule();
  // The schedule itself lives in Redis: a Redis that comes back empty has lost it too. Each
  // worker process puts it back (an idempotent upsert) as often as it would run.
  const keepScheduled = setInterval(() => {
    ensureSchedule().catch((error: Error) => logger.warn({ error: error.message }, 'could not renew the reconciler schedule'));
  }, reconcileEveryMs);
  keepScheduled.unref();
  const reconcileNow = async () => {
    const report = await reconcile(reconcilerDeps);
    logger.debug({ ...report }, 'reconciled');
  };
  // At start: whatever Redis lost while no worker ran is put back at once, not within a minute.
  await reconcileNow().catch((error: Error) => logger.error({ error: error.message }, 'reconcile at start failed'));
  logger.info({ mailer: settings.mailer.describe }, 'workers started');

  return {
    scheduler,
    queues,
    reconcileNow,
    async stop() {
      clearInterval(keepScheduled);
      // No new jobs; no lane starts another send; what is claimed and unsent goes back at once,
      // for another worker to take now rather than after the takeover time.
      const closing = Promise.all([noticeWorker.close(), deliveryWorker.close(), maintenanceWorker.close()]);
      await deliveryContext.runs.stopSending();
      logger.info('stopped sending; unsent deliveries given back');
      // Sends already in flight finish (or fail) and are marked; the heartbeat keeps their claims
      // until then. A send hung on a silent server is left after the grace: its claim then ages
      // and is taken over (the at-least-once case), rather than the process being killed mid-write.
      let grace: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        closing.then(() => true),
        new Promise<boolean>((resolve) => (grace = setTimeout(() => resolve(false), stopGraceMs))),
      ]);
      clearTimeout(grace);
      if (!finished) {
        logger.warn({ stopGraceMs }, 'sends in flight did not finish; leaving them to be taken over');
        await Promise.all([noticeWorker.close(true), deliveryWorker.close(true), maintenanceWorker.close(true)]);
      }
      clearInterval(heartbeat);
      await queues.close();
      for (const c of [connection, ...workerConnections]) c.disconnect();
    },
  };
}
