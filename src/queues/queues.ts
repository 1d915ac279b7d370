import { createHash } from 'node:crypto';
import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { openRedis, type RedisClient } from '../runtime/redis-client.js';

export const QUEUE = {
  /** One job per notice, delayed to its due instant: fans the notice out into deliveries. */
  notices: 'notices',
  /** One job per batch of deliveries of a notice: sends them. */
  deliveries: 'deliveries',
  /** The reconciler's schedule and the windows' start and end. */
  maintenance: 'maintenance',
} as const;

/** Job ids derive from rows (BullMQ forbids ':' in ids), so adding a job twice does nothing. */
export const jobId = {
  notice: (noticeId: string, revision: number) => `notice-${noticeId}-r${revision}`,
  deliveryBatch: (noticeId: string, batch: number) => `delivery-${noticeId}-b${batch}`,
  /** Small batches of several notices sent by one job: named by a digest of the batches. */
  deliveryGroup: (batches: readonly { noticeId: string; batch: number }[]) =>
    `delivery-group-${createHash('sha256').update(batches.map((b) => `${b.noticeId}/${b.batch}`).sort().join(',')).digest('hex').slice(0, 32)}`,
  windowTransition: (windowId: string, revision: number, to: 'in_progress' | 'completed') =>
    `window-${windowId}-r${revision}-${to}`,
  /** A sign-up's confirmation e-mail, per request and the instant it was asked for (a later sign-up mails anew). */
  confirmationMail: (requestId: string, mailedAt: Date) => `confirm-${requestId}-${mailedAt.getTime()}`,
};

/** The delivery queue's job names: a notice's batch, small batches of several notices, or a public sign-up's confirmation e-mail. */
export const DELIVERY_JOB = { batch: 'deliver', group: 'deliver-together', confirmation: 'confirm-subscription' } as const;

/** Completed jobs are kept for a day, so their ids keep deduplicating re-adds for that long. */
export const KEEP_JOBS: Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'> = {
  removeOnComplete: { age: 24 * 3600, count: 50_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 50_000 },
};

/**
 * A Redis connection for BullMQ (one server or a cluster, as REDIS_URL says): workers need
 * `maxRetriesPerRequest: null` to block on Redis. On a cluster every key of every queue lies
 * in the slot of QUEUE_PREFIX's hash tag (config refuses a prefix without one).
 */
export function redisConnection(url: string): RedisClient {
  const redis = openRedis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
  // Connection errors are retried by ioredis; BullMQ reports what matters.
  redis.on('error', () => {});
  return redis;
}

/**
 * Whether the server holding the queues' keys answers: on a cluster the master of the
 * prefix's slot, which a PING (sent to any node) would not reach.
 */
export async function queuesReachable(client: RedisClient, prefix: string): Promise<boolean> {
  return client.exists(`${prefix}:${QUEUE.notices}:meta`).then(
    () => true,
    () => false,
  );
}

export interface Queues {
  notices: Queue;
  deliveries: Queue;
  maintenance: Queue;
  close(): Promise<void>;
}

export function openQueues(connection: ConnectionOptions, prefix: string): Queues {
  const open = (name: string) => new Queue(name, { connection, prefix });
  const queues = { notices: open(QUEUE.notices), deliveries: open(QUEUE.deliveries), maintenance: open(QUEUE.maintenance) };
  for (const queue of Object.values(queues)) queue.on('error', () => {});
  return {
    ...queues,
    close: async () => {
      await Promise.all(Object.values(queues).map((q) => q.close()));
    },
  };
}
