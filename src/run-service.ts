import 'dotenv/config';
import os from 'node:os';
import type { Logger } from 'pino';
import { startWorkers, type RunningWorkers } from '../workers/start-workers.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createMailer } from './delivery/mailer.js';
import { preflight } from './delivery/preflight.js';
import { noticeMessages } from './delivery/notice-messages.js';
import { confirmationMessages } from './subscriptions/confirmation-email.js';
import { NoticeScheduler } from './queues/notice-scheduler.js';
import { openQueues, redisConnection } from './queues/queues.js';
import { resolveLinkSecret } from './runtime/admin-token.js';
import { createLogger } from './runtime/logger.js';
import { Metrics } from './runtime/metrics.js';
import { serveMetrics } from './runtime/metrics-server.js';
import { stopOnSignals } from './runtime/shutdown.js';
import { withoutPassword } from './runtime/urls.js';
import { readRedisSettings, redisWarnings } from './runtime/redis-check.js';
import { connectRedisUrl, openMigratedDatabase, startApi } from './service.js';

/**
 * Starts the API, the workers or both in this process, and stops them in order on
 * SIGTERM/SIGINT: no new requests or jobs, jobs in flight finished, connections closed.
 */
export async function runService(roles: { api: boolean; workers: boolean }): Promise<void> {
  let config: Readonly<Config>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  try {
    await start(config, logger, roles);
  } catch (error) {
    const message = (error as Error).message.replace(/\s+/g, ' ');
    logger.fatal({ error: message }, 'start-up failed');
    process.stderr.write(`start-up failed: ${message}\n`);
    process.exit(1);
  }
}

async function start(config: Readonly<Config>, logger: Logger, roles: { api: boolean; workers: boolean }): Promise<void> {
  // Listening from here on: a SIGTERM while the rest starts still stops what has started.
  const stops = stopOnSignals(logger);
  // Read (or made) once: the links the workers write into messages are checked by the API.
  const linkSecret = resolveLinkSecret(config.linkSecret, config.dataDir);
  const messages = noticeMessages({ policy: config.policy, mailFrom: config.mailFrom, publicBaseUrl: config.publicBaseUrl, templatesDir: config.templatesDir, linkSecret });
  const mailer = roles.workers
    ? createMailer({ smtpUrl: config.smtpUrl, tlsCa: config.smtpCa, outboxDir: `${config.dataDir}/outbox`, maxConnections: config.smtpMaxConnections })
    : null;
  // First, before any connection: a message that cannot be built stops start-up with one line.
  const confirmations = confirmationMessages({ policy: config.policy, mailFrom: config.mailFrom, publicBaseUrl: config.publicBaseUrl, linkSecret });
  await preflight({ policy: config.policy, messages, confirmations, mailer, logger, now: new Date() });

  const redis = await connectRedisUrl(config, logger);
  const warnings = new Set((await readRedisSettings(redis.url)).flatMap((settings) => redisWarnings(settings)));
  for (const warning of warnings) logger.warn({ redisUrl: withoutPassword(redis.url) }, warning);
  const db = await openMigratedDatabase(config, logger);
  logger.info({ database: config.databaseUrl ? 'postgresql' : `pglite in ${config.dataDir}/pglite` }, 'database migrated');

  const metrics = new Metrics({ db });
  let workers: RunningWorkers | null = null;
  if (roles.workers && !roles.api && config.workerNice > 0) {
    // A fan-out can take every core it is given; requests to the API on the same machine come first.
    os.setPriority(Math.min(19, os.getPriority() + config.workerNice));
    logger.info({ nice: os.getPriority() }, 'workers yield the CPU to the API');
  }
  if (roles.workers && mailer) {
    workers = await startWorkers({
      db,
      redisUrl: redis.url,
      queuePrefix: config.queuePrefix,
      mailer,
      messages,
      confirmations,
      policy: config.policy,
      webhooks: config.webhooks,
      webhookSecret: config.webhookSecret,
      logger,
      concurrency: config.workerConcurrency,
      metrics,
    });
    stops.push(async () => {
      await workers!.stop();
      mailer.close();
    });
    if (config.metricsPort !== undefined) {
      // The workers' own counters and latencies live here: without this a workers-only process shows none.
      const served = await serveMetrics(metrics, config.metricsPort, logger);
      stops.push(served.close);
    }
  }
  if (roles.api) {
    let queues = workers?.queues;
    if (!queues) {
      const own = openQueues(redisConnection(redis.url), config.queuePrefix);
      stops.push(() => own.close());
      queues = own;
    }
    const enqueue = workers?.scheduler ?? new NoticeScheduler(queues);
    const queueList = [queues.notices, queues.deliveries, queues.maintenance];
    metrics.watchQueues(Object.fromEntries(queueList.map((q) => [q.name, q])));
    const api = await startApi({
      config,
      db,
      redisUrl: redis.url,
      logger,
      metrics,
      queues: queueList,
      linkSecret,
      onSignUp: (mail) => enqueue.scheduleConfirmationMails([mail]),
      onCommitted: async ({ window, notices }) => {
        try {
          await enqueue.scheduleCommitted({ window, notices });
        } catch (error) {
          // Committed is committed: the reconciler adds these jobs within a minute.
          logger.warn({ windowId: window?.id, error: (error as Error).message }, 'could not enqueue now; the reconciler will');
        }
      },
    });
    stops.unshift(api.close);
  }
  stops.push(() => db.destroy());
  if (redis.local) stops.push(() => redis.local!.stop());

  logger.info({ roles }, 'driftstopp started');
}
