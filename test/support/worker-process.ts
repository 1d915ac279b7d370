/**
 * The workers as a process of their own, for tests that SIGKILL one mid-fan-out or run two
 * against one database. Started by test/support/spawn-worker-process.ts with `node --import tsx`
 * (not `npx tsx`, whose wrapper process would take the signal and leave the workers running).
 * Configured by WORKER_* variables; prints "ready" on stdout once the workers run, and logs
 * (TEST_LOG_LEVEL, silent by default) to stderr.
 */
import { pino } from 'pino';
import { createMailer } from '../../src/delivery/mailer.js';
import { noticeMessages } from '../../src/delivery/notice-messages.js';
import { parseMailFrom } from '../../src/messages/mail-sender.js';
import { loadPolicy } from '../../src/policy/load-policy.js';
import { openDatabase } from '../../src/storage/database.js';
import { startWorkers } from '../../workers/start-workers.js';

/** As in test/support/stack.ts; not imported from there, which would load the whole API into this process. */
const MAIL_FROM = 'Driftstopp Örebro <driftstopp@orebro.se>';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const db = await openDatabase({ url: required('WORKER_DATABASE_URL'), schema: required('WORKER_DATABASE_SCHEMA'), poolSize: 5 });
const mailer = createMailer({ smtpUrl: required('WORKER_SMTP_URL'), outboxDir: '/tmp/unused' });
const workers = await startWorkers({
  db,
  redisUrl: required('WORKER_REDIS_URL'),
  queuePrefix: required('WORKER_QUEUE_PREFIX'),
  mailer,
  messages: noticeMessages({ policy: loadPolicy(), mailFrom: parseMailFrom(MAIL_FROM), publicBaseUrl: 'http://localhost:3000' }),
  policy: loadPolicy(),
  webhooks: {},
  webhookSecret: undefined,
  logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }, pino.destination(2)),
  // The same short retry and recovery times as the in-process test stack (test/support/stack.ts).
  deliveryAttempts: 6,
  deliveryBackoffMs: 300,
  abandonedAfterMs: 3000,
  reconcileEveryMs: 1000,
  stalledIntervalMs: 1000,
  lockDurationMs: 2000,
});
process.stdout.write('ready\n');

process.once('SIGTERM', () => {
  void (async () => {
    await workers.stop();
    mailer.close();
    await db.destroy();
    process.exit(0);
  })();
});
