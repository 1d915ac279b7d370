/**
 * The workers as a process of their own, for tests that SIGKILL or SIGTERM one mid-fan-out or
 * run two against one database. Started by test/support/spawn-worker-process.ts with
 * `node --import tsx` (not `npx tsx`, whose wrapper process would take the signal and leave the
 * workers running). Configured by WORKER_* variables; stops on SIGTERM through the production
 * shutdown (src/runtime/shutdown.ts, with its 25 s bound) and serves /metrics and /healthz on
 * WORKER_METRICS_PORT as src/run-service.ts does; prints "ready" on stdout once the workers
 * run, and logs (TEST_LOG_LEVEL, silent by default) to stderr.
 */
import { pino } from 'pino';
import { createMailer } from '../../src/delivery/mailer.js';
import { TEST_LINK_SECRET } from './link-secret.js';
import { noticeMessages } from '../../src/delivery/notice-messages.js';
import { parseMailFrom } from '../../src/messages/mail-sender.js';
import { loadPolicy } from '../../src/policy/load-policy.js';
import { Metrics } from '../../src/runtime/metrics.js';
import { serveMetrics } from '../../src/runtime/metrics-server.js';
import { stopOnSignals } from '../../src/runtime/shutdown.js';
import { openDatabase } from '../../src/storage/database.js';
import { startWorkers } from '../../workers/start-workers.js';

/** As in test/support/stack.ts; not imported from there, which would load the whole API into this process. */
const MAIL_FROM = 'Driftstopp Örebro <driftstopp@orebro.se>';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }, pino.destination({ fd: 2, sync: true }));
const stops = stopOnSignals(logger);
const db = await openDatabase({ url: required('WORKER_DATABASE_URL'), schema: required('WORKER_DATABASE_SCHEMA'), poolSize: 5 });
const mailer = createMailer({ smtpUrl: required('WORKER_SMTP_URL'), outboxDir: '/tmp/unused' });
const metrics = new Metrics({ db, defaultMetrics: false });
const workers = await startWorkers({
  db,
  redisUrl: required('WORKER_REDIS_URL'),
  queuePrefix: required('WORKER_QUEUE_PREFIX'),
  mailer,
  messages: noticeMessages({ policy: loadPolicy(), mailFrom: parseMailFrom(MAIL_FROM), publicBaseUrl: 'http://localhost:3000', linkSecret: TEST_LINK_SECRET }),
  policy: loadPolicy(),
  webhooks: {},
  webhookSecret: undefined,
  logger,
  metrics,
  // The same short retry and recovery times as the in-process test stack (test/support/stack.ts).
  deliveryAttempts: 6,
  deliveryBackoffMs: 300,
  abandonedAfterMs: Number(process.env.WORKER_ABANDONED_AFTER_MS ?? 3000),
  reconcileEveryMs: 1000,
  stalledIntervalMs: 1000,
  lockDurationMs: 2000,
});
stops.push(async () => {
  await workers.stop();
  mailer.close();
});
const served = await serveMetrics(metrics, Number(process.env.WORKER_METRICS_PORT ?? 0), logger);
stops.push(served.close);
stops.push(() => db.destroy());
process.stdout.write(`ready ${served.port}\n`);
