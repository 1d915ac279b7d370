import { DateTime } from 'luxon';
import { pino } from 'pino';
import { createMailer, type Mailer } from '../../src/delivery/mailer.js';
import { TEST_LINK_SECRET } from './link-secret.js';
import { noticeMessages } from '../../src/delivery/notice-messages.js';
import { parseMailFrom } from '../../src/messages/mail-sender.js';
import { loadPolicy } from '../../src/policy/load-policy.js';
import type { Policy } from '../../src/policy/policy-schema.js';
import type { LocalRedis } from '../../src/runtime/local-redis.js';
import { startWorkers, type RunningWorkers, type WorkerSettings } from '../../workers/start-workers.js';
import { confirmationMessages } from '../../src/subscriptions/confirmation-email.js';
import { startTestApi, type TestApi } from './api.js';
import type { TestBackend, TestDatabase } from './database.js';
import { startTestRedis } from './redis.js';
import { startTestSmtp, type TestSmtp } from './smtp.js';

export const MAIL_FROM = 'Driftstopp Örebro <driftstopp@orebro.se>';

export interface TestStack {
  database: TestDatabase;
  /** A private redis-server, or what the test passed (a Redis Cluster). */
  redis: Pick<LocalRedis, 'url' | 'stop'>;
  smtp: TestSmtp;
  mailer: Mailer;
  workers: RunningWorkers;
  api: TestApi;
  queuePrefix: string;
  /** Settings the workers were started with, to start more of them. */
  workerSettings: WorkerSettings;
  stop(): Promise<void>;
}

/**
 * The whole service for one test file: a database, a private redis-server, a real SMTP
 * server, the workers with short retry and recovery times, and the API over HTTP.
 */
export async function startTestStack(
  backend: TestBackend,
  overrides: Partial<WorkerSettings> = {},
  options: { parseMail?: boolean; policy?: Policy; redis?: TestStack['redis']; queuePrefix?: string } = {},
): Promise<TestStack> {
  const database = await backend.open();
  const redis = options.redis ?? (await startTestRedis());
  const smtp = await startTestSmtp(undefined, { parse: options.parseMail });
  const mailer = createMailer({ smtpUrl: smtp.url, outboxDir: '/tmp/unused' });
  const policy = options.policy ?? loadPolicy();
  const queuePrefix = options.queuePrefix ?? `t${Math.random().toString(36).slice(2, 8)}`;
  const workerSettings: WorkerSettings = {
    db: database.db,
    redisUrl: redis.url,
    queuePrefix,
    mailer,
    messages: noticeMessages({ policy, mailFrom: parseMailFrom(MAIL_FROM), publicBaseUrl: 'http://localhost:3000', linkSecret: TEST_LINK_SECRET }),
    confirmations: confirmationMessages({ policy, mailFrom: parseMailFrom(MAIL_FROM), publicBaseUrl: 'http://localhost:3000', linkSecret: TEST_LINK_SECRET }),
    policy,
    webhooks: {},
    webhookSecret: undefined,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    deliveryAttempts: 6,
    deliveryBackoffMs: 300,
    // Longer than any send on a loaded CI machine: these tests kill no worker, so no claim is ever really abandoned.
    abandonedAfterMs: 15_000,
    reconcileEveryMs: 1000,
    stalledIntervalMs: 1000,
    lockDurationMs: 2000,
    ...overrides,
  };
  const workers = await startWorkers(workerSettings);
  const api = await startTestApi(database.db, {
    policy,
    now: () => DateTime.now(),
    onCommitted: (change) => workers.scheduler.scheduleCommitted(change),
    onSignUp: (mail) => workers.scheduler.scheduleConfirmationMails([mail], { attempts: workerSettings.deliveryAttempts!, backoffMs: workerSettings.deliveryBackoffMs! }),
  });
  const stack: TestStack = {
    database,
    redis,
    smtp,
    mailer,
    workers,
    api,
    queuePrefix,
    workerSettings,
    async stop() {
      await api.close();
      await workers.stop();
      mailer.close();
      await smtp.stop();
      // The test may have replaced the Redis (restarted it empty on the same port).
      await stack.redis.stop();
      await database.close();
    },
  };
  return stack;
}

/** Polls until `check` holds, or fails after `timeoutMs` with what it last saw. */
export async function eventually<T>(probe: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!check(value)) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
    value = await probe();
  }
  return value;
}
