import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import pg from 'pg';
import { pino } from 'pino';
import { createMailer, type Mailer } from '../src/delivery/mailer.js';
import { noticeMessages } from '../src/delivery/notice-messages.js';
import { parseMailFrom } from '../src/messages/mail-sender.js';
import { loadPolicy } from '../src/policy/load-policy.js';
import { NoticeScheduler } from '../src/queues/notice-scheduler.js';
import { openQueues, redisConnection } from '../src/queues/queues.js';
import { startRedisServer, type LocalRedis } from '../src/runtime/local-redis.js';
import { databaseReachable, openDatabase, type Db } from '../src/storage/database.js';
import { migrateToLatest } from '../src/storage/migrate.js';
import { startWorkers, type RunningWorkers, type WorkerSettings } from '../workers/start-workers.js';
import { startTestApi, type TestApi } from '../test/support/api.js';
import { startSink, type Sink } from './sink.js';

export const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const MAIL_FROM = 'Driftstopp Örebro <driftstopp@orebro.se>';

let postgresOk: boolean | undefined;

export interface BenchDb {
  db: Db;
  backend: 'postgres' | 'pglite';
  /** How another process reaches the same schema (PostgreSQL only). */
  url?: string;
  close(): Promise<void>;
}

/** A fresh schema on the local PostgreSQL, or in-memory PGlite when none answers. */
export async function openBenchDb(): Promise<BenchDb> {
  if (postgresOk === undefined) {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
    postgresOk = await client.connect().then(() => client.end().then(() => true), () => false);
  }
  if (postgresOk) {
    const schema = `bench_${randomBytes(5).toString('hex')}`;
    const db = await openDatabase({ url: POSTGRES_URL, schema, poolSize: 10 });
    await migrateToLatest(db);
    return {
      db,
      backend: 'postgres',
      url: `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
      async close() {
        await db.destroy();
        const client = new pg.Client({ connectionString: POSTGRES_URL });
        await client.connect();
        await client.query(`drop schema if exists ${schema} cascade`);
        await client.end();
      },
    };
  }
  const db = await openDatabase({});
  await migrateToLatest(db);
  if (!(await databaseReachable(db))) throw new Error('PGlite did not open');
  return { db, backend: 'pglite', close: () => db.destroy() };
}

export interface BenchStack {
  database: BenchDb;
  redis: LocalRedis;
  sink: Sink;
  mailer: Mailer;
  workers: RunningWorkers;
  api: TestApi;
  stop(): Promise<void>;
}

export const MAX_CONNECTIONS = Number(process.env.BENCH_SMTP_CONNECTIONS ?? 5);

/** The whole service in this process, as test/support/stack.ts starts it, with production retry times. */
export async function startBenchStack(options: { mailer?: Mailer; overrides?: Partial<WorkerSettings> } = {}): Promise<BenchStack> {
  const database = await openBenchDb();
  const redis = await startRedisServer();
  const sink = await startSink();
  const mailer = options.mailer ?? createMailer({ smtpUrl: sink.url, outboxDir: '/tmp/unused', maxConnections: MAX_CONNECTIONS });
  const policy = loadPolicy();
  const workers = await startWorkers({
    db: database.db,
    redisUrl: redis.url,
    queuePrefix: 'bench',
    mailer,
    messages: noticeMessages({ policy, mailFrom: parseMailFrom(MAIL_FROM), publicBaseUrl: 'http://localhost:3000', linkSecret: 'bench-link-secret-0123456789abcdef0123' }),
    policy,
    webhooks: {},
    webhookSecret: undefined,
    logger: pino({ level: 'silent' }),
    ...(process.env.BENCH_CONCURRENCY ? { concurrency: Number(process.env.BENCH_CONCURRENCY) } : {}),
    ...options.overrides,
  });
  const api = await startTestApi(database.db, {
    now: () => DateTime.now(),
    watchRegister: true,
    onCommitted: (change) => workers.scheduler.scheduleCommitted(change),
  });
  return {
    database,
    redis,
    sink,
    mailer,
    workers,
    api,
    async stop() {
      await api.close();
      await workers.stop();
      mailer.close();
      await sink.stop();
      await redis.stop();
      await database.close();
    },
  };
}

/** Inserts `count` managers of `systems` with one generate_series statement. */
export async function insertManagersBulk(db: Db, count: number, systems: string[]): Promise<void> {
  const { sql } = await import('kysely');
  await sql`
    insert into recipients (id, kind, name, email, systems, unit, created_at, deleted_at)
    select gen_random_uuid(), 'manager', 'Chef ' || i, 'chef-' || i || '@orebro.se', ${sql.val(systems)}::text[], null, now(), null
    from generate_series(1, ${count}) as i
  `.execute(db);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface SplitBenchStack {
  database: BenchDb;
  redis: LocalRedis;
  sink: Sink;
  api: TestApi;
  stop(): Promise<void>;
}

/**
 * The API here and the workers as `npm run workers` in a process of their own, as
 * docker-compose runs them: a fan-out and the API then share the cores, not one event loop.
 * PostgreSQL only (two processes need one database).
 */
export async function startSplitBenchStack(): Promise<SplitBenchStack> {
  const database = await openBenchDb();
  if (!database.url) throw new Error('the split stack needs PostgreSQL');
  const redis = await startRedisServer();
  const sink = await startSink();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'driftstopp-bench-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      SMTP_URL: sink.url,
      SMTP_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
      QUEUE_PREFIX: 'bench',
      DATA_DIR: dataDir,
      MAIL_FROM,
      LOG_LEVEL: 'warn',
    },
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const queues = openQueues(redisConnection(redis.url), 'bench');
  const scheduler = new NoticeScheduler(queues);
  for (let waited = 0; (await queues.deliveries.getWorkersCount()) === 0; waited += 100) {
    if (waited > 60_000 || child.exitCode !== null) throw new Error('the worker process did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const api = await startTestApi(database.db, {
    now: () => DateTime.now(),
    watchRegister: true,
    onCommitted: (change) => scheduler.scheduleCommitted(change),
  });
  return {
    database,
    redis,
    sink,
    api,
    async stop() {
      await api.close();
      child.kill('SIGTERM');
      await exited;
      await queues.close();
      await sink.stop();
      await redis.stop();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
