import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql, type Dialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

export interface DatabaseOptions {
  /** PostgreSQL connection string; without it, embedded PGlite is used. */
  url?: string | undefined;
  /** Folder for PGlite's files; without it (and without `url`) PGlite runs in memory. */
  dataDir?: string | undefined;
  /** Schema to work in on PostgreSQL (created when missing); tests use one each. */
  schema?: string | undefined;
  /** Connections in the pool. @defaultValue 10 */
  poolSize?: number;
  /** Told when a connection breaks (PostgreSQL restarted); the query on it fails and is retried. */
  onConnectionError?: (error: Error) => void;
}

/** Where a Db's connections come from, for the one connection LISTEN needs beside the pool. */
type Origin = { url: string; schema: string | undefined } | { pglite: PGlite };
const origins = new WeakMap<Db, Origin>();

/** Which database we talk to: PostgreSQL when a URL is given, embedded PGlite otherwise. */
export async function openDatabase(options: DatabaseOptions): Promise<Db> {
  const { dialect, origin } = await createDialect(options);
  const db = new Kysely<Database>({ dialect });
  origins.set(db, origin);
  return db;
}

async function createDialect(options: DatabaseOptions): Promise<{ dialect: Dialect; origin: Origin }> {
  if (options.url) {
    if (options.schema) await ensureSchema(options.url, options.schema);
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      options: options.schema ? `-c search_path=${options.schema}` : undefined,
    });
    // A client that loses its server (PostgreSQL restarted) emits 'error': on the pool while
    // idle, on the client itself while checked out. Unheard, either would crash the process.
    // Every client gets its own listener; the pool's repeats what that one already heard.
    const onConnectionError = options.onConnectionError ?? (() => {});
    pool.on('connect', (client) => client.on('error', onConnectionError));
    pool.on('error', () => {});
    return { dialect: new PostgresDialect({ pool }), origin: { url: options.url, schema: options.schema } };
  }
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const pglite = new PGlite(options.dataDir);
  await pglite.waitReady;
  return { dialect: new PGliteDialect(pglite), origin: { pglite } };
}

async function ensureSchema(url: string, schema: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`create schema if not exists ${schema}`);
  } finally {
    await client.end();
  }
}

/** True when the database answers a trivial query. */
export async function databaseReachable(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

export interface ListenHandlers {
  notify(payload: string): void;
  /** Listening began, or began again after a loss: anything may have changed meanwhile. */
  listening(): void;
  /** Listening stopped: notifications may be missed until `listening` is called again. */
  lost(error: Error): void;
}

/**
 * LISTENs on `channel` of the database behind `db`. On PostgreSQL this takes a connection of
 * its own, opened again every `retryMs` while it cannot be; PGlite runs in this process and
 * hears its notifications directly.
 */
export async function listen(db: Db, channel: string, on: ListenHandlers, retryMs = 1000): Promise<{ close(): Promise<void> }> {
  const origin = origins.get(db);
  if (!origin) throw new Error('listen: this Db was not opened by openDatabase');
  if ('pglite' in origin) {
    const unlisten = await origin.pglite.listen(channel, on.notify);
    on.listening();
    return { close: unlisten };
  }
  let closed = false;
  let current: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const open = async (): Promise<void> => {
    // Named, so that an operator can tell it in pg_stat_activity.
    const applicationName = `driftstopp-listen${origin.schema ? `:${origin.schema}` : ''}`;
    const client = new pg.Client({ connectionString: origin.url, application_name: applicationName });
    let gone = false;
    const lose = (error: Error) => {
      if (gone) return;
      gone = true;
      client.end().catch(() => {});
      if (current === client) {
        current = undefined;
        if (!closed) on.lost(error);
      }
      if (!closed) retry = setTimeout(() => void open(), retryMs).unref();
    };
    client.on('error', lose);
    client.on('end', () => lose(new Error('the connection ended')));
    client.on('notification', (message) => on.notify(message.payload ?? ''));
    try {
      await client.connect();
      await client.query(`listen ${client.escapeIdentifier(channel)}`);
    } catch (error) {
      lose(error as Error);
      return;
    }
    if (gone) return;
    if (closed) {
      await client.end();
      return;
    }
    current = client;
    on.listening();
  };
  await open();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      await current?.end();
    },
  };
}
