import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Express } from 'express';
import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import { adminRoutes } from './admin/admin-routes.js';
import type { AppDeps } from './application/app-deps.js';
import type { Config } from './config.js';
import { createHttpApp } from './http/app.js';
import { BusinessCalendar } from './rules/business-calendar.js';
import type { RuleBook } from './rules/notice-plan.js';
import { resolveLinkSecret, resolveTokens } from './runtime/admin-token.js';
import { probeRedis, redisServerAvailable, startRedisServer, type LocalRedis } from './runtime/local-redis.js';
import { withoutPassword } from './runtime/urls.js';
import { isClusterUrl } from './runtime/redis-url.js';
import { openRedis } from './runtime/redis-client.js';
import { queuesReachable } from './queues/queues.js';
import { openDatabase, type Db } from './storage/database.js';
import { migrateToLatest } from './storage/migrate.js';
import { watchRegister } from './storage/register-changes.js';
import type { WindowServiceDeps } from './windows/window-service.js';
import type { Queue } from 'bullmq';
import { readiness } from './runtime/readiness.js';
import type { Metrics } from './runtime/metrics.js';

/** The service's version: package.json's, read once (the one place it is written). */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export function ruleBookOf(config: Pick<Config, 'policy'>): RuleBook {
  return { policy: config.policy, calendar: new BusinessCalendar(config.policy) };
}

/**
 * The web app: the JSON API with the admin pages mounted in it. Both adapters get the same
 * dependencies from here, so neither imports the other. What this process commits counts as
 * changed at once, before PostgreSQL's notification returns, through the API or a page alike.
 */
export function createApp(appDeps: AppDeps): Express {
  const { registerChanges } = appDeps;
  const deps: AppDeps = registerChanges
    ? {
        ...appDeps,
        onCommitted: async (change) => {
          registerChanges.changed();
          await appDeps.onCommitted(change);
        },
      }
    : appDeps;
  return createHttpApp(deps, { pages: adminRoutes(deps) });
}

/**
 * Redis at REDIS_URL, or, where none answers and redis-server is installed, a private one
 * under DATA_DIR that keeps an append-only file (so `npm start` needs nothing else).
 */
export async function connectRedisUrl(config: Config, logger: Logger): Promise<{ url: string; local: LocalRedis | null }> {
  // Logs and errors show the URL without its password.
  const shown = withoutPassword(config.redisUrl);
  const probe = await probeRedis(config.redisUrl);
  if (probe.status === 'ok') return { url: config.redisUrl, local: null };
  // A Redis that answers but refuses (wrong password, no such database) is a bad REDIS_URL, not a missing Redis.
  if (probe.status === 'refused') throw new Error(`REDIS_URL: the Redis at ${shown} refuses: ${probe.reason}`);
  if (probe.status === 'mismatch') throw new Error(`REDIS_URL: the Redis at ${shown} ${probe.reason}`);
  // A private single server is no stand-in for a cluster: its operator wants the cluster.
  if (isClusterUrl(config.redisUrl)) throw new Error(`REDIS_URL: the Redis Cluster at ${shown} ${probe.reason ?? 'does not answer at any node named'}`);
  if (!redisServerAvailable()) {
    throw new Error(`Redis does not answer at ${shown} and no redis-server is installed to start one`);
  }
  const local = await startRedisServer({ dir: `${config.dataDir}/redis` });
  logger.warn({ redisUrl: local.url }, `Redis does not answer at ${shown}: started a private redis-server under ${config.dataDir}/redis`);
  return { url: local.url, local };
}

/** Opens the database (PostgreSQL or embedded PGlite) and brings its schema up to date. */
export async function openMigratedDatabase(config: Config, logger: Logger): Promise<Db> {
  const db = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.databaseUrl ? undefined : `${config.dataDir}/pglite`,
    onConnectionError: (err) => logger.warn({ err: err.message }, 'connection to PostgreSQL lost; retrying the query'),
  });
  await migrateToLatest(db);
  return db;
}

export async function startApi(options: {
  config: Config;
  db: Db;
  redisUrl: string;
  logger: Logger;
  clock?: () => DateTime;
  onCommitted: WindowServiceDeps['onCommitted'];
  metrics?: Metrics;
  queues?: readonly Queue[];
  /** @defaultValue LINK_SECRET, or the one generated into DATA_DIR */
  linkSecret?: string;
  /** Queues a sign-up's confirmation e-mail. @defaultValue none: the reconciler does within a minute */
  onSignUp?: AppDeps['onSignUp'];
}): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const { config, db, logger } = options;
  const { tokens, created, file } = resolveTokens(config.apiTokens, config.dataDir);
  if (created) {
    // Printed once, on the first start; later starts read it from the file.
    process.stdout.write(`\nAdmin-token (sparad i ${file}, visas bara nu):\n\n  ${created}\n\n`);
  }
  const redis = openRedis(options.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
  redis.on('error', () => {});
  await redis.connect().catch(() => {});
  const registerChanges = await watchRegister(db, logger);
  const app = createApp({
    db,
    rules: ruleBookOf(config),
    clock: options.clock ?? (() => DateTime.now()),
    onCommitted: options.onCommitted,
    webhooks: config.webhooks,
    tokens,
    logger,
    version: VERSION,
    publicBaseUrl: config.publicBaseUrl,
    linkSecret: options.linkSecret ?? resolveLinkSecret(config.linkSecret, config.dataDir),
    onSignUp: options.onSignUp,
    templatesDir: config.templatesDir,
    metrics: options.metrics,
    queues: options.queues,
    registerChanges,
    trustProxy: config.trustProxy,
    readiness: () => readiness(db, { otherChecks: async () => ({ redis: await queuesReachable(redis, config.queuePrefix) }) }),
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(config.port, () => resolve(s));
  });
  const port = (server.address() as { port: number }).port;
  logger.info({ port }, `API listening on http://localhost:${port}`);
  return {
    server,
    port,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      redis.disconnect();
      await registerChanges.close();
    },
  };
}
