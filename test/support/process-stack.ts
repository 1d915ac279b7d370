import { DateTime } from 'luxon';
import type { DeliveryAlarms } from '../../src/delivery/delivery-alarms.js';
import { NoticeScheduler } from '../../src/queues/notice-scheduler.js';
import { openQueues, redisConnection } from '../../src/queues/queues.js';
import type { LocalRedis } from '../../src/runtime/local-redis.js';
import { startTestApi, type TestApi } from './api.js';
import { testBackends, type TestDatabase } from './database.js';
import { insertManagers } from './notice-fixtures.js';
import { startTestRedis } from './redis.js';
import { startSlowSmtp, type SlowSmtp, type SlowSmtpOptions } from './slow-smtp.js';
import { startWorkerProcess, type WorkerProcess } from './spawn-worker-process.js';

/** PostgreSQL, when TEST_DATABASE_URL is set: the one database several processes can share. */
export const postgresBackend = testBackends.find((backend) => backend.name === 'postgres');

export interface ProcessStack {
  database: TestDatabase;
  redis: LocalRedis;
  smtp: SlowSmtp;
  /** The API in this process, scheduling what it commits on the queues under `queuePrefix`. */
  api: TestApi;
  queuePrefix: string;
  /** The managers' addresses, sorted. */
  managers: string[];
  /** Starts a worker process on this stack, on `queuePrefix` unless told another prefix. */
  startWorkers(prefix?: string, options?: { abandonedAfterMs?: number }): WorkerProcess;
  stop(): Promise<void>;
}

/**
 * The service with its workers in child processes: a fresh PostgreSQL schema with `managers`
 * managers of Tes, a private redis-server, a slow SMTP server and the API over HTTP here.
 */
export async function startProcessStack(options: { managers: number; smtp: SlowSmtpOptions; alarms?: DeliveryAlarms }): Promise<ProcessStack> {
  if (!postgresBackend) throw new Error('worker processes need PostgreSQL: set TEST_DATABASE_URL');
  const database = await postgresBackend.open();
  const managers = await insertManagers(database.db, options.managers, { systems: ['tes'], tag: 'proc' });
  const redis = await startTestRedis();
  const smtp = await startSlowSmtp(options.smtp);
  const queuePrefix = `t${Math.random().toString(36).slice(2, 8)}`;
  const queues = openQueues(redisConnection(redis.url), queuePrefix);
  const scheduler = new NoticeScheduler(queues);
  const api = await startTestApi(database.db, {
    now: () => DateTime.now(),
    onCommitted: (change) => scheduler.scheduleCommitted(change),
    ...(options.alarms ? { alarms: options.alarms } : {}),
  });
  const children: WorkerProcess[] = [];
  return {
    database,
    redis,
    smtp,
    api,
    queuePrefix,
    managers,
    startWorkers(prefix = queuePrefix, workerOptions = {}) {
      const child = startWorkerProcess({ databaseUrl: database.url!, schema: database.schema!, redisUrl: redis.url, queuePrefix: prefix, smtpUrl: smtp.url, ...workerOptions });
      children.push(child);
      return child;
    },
    async stop() {
      await Promise.all(children.map((c) => c.kill()));
      await api.close();
      await queues.close();
      await smtp.stop();
      await redis.stop();
      await database.close();
    },
  };
}
