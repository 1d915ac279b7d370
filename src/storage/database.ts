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

/** Which database we talk to: PostgreSQL when a URL is given, embedded PGlite otherwise. */
export async function openDatabase(options: DatabaseOptions): Promise<Db> {
  return new Kysely<Database>({ dialect: await createDialect(options) });
}

async function createDialect(options: DatabaseOptions): Promise<Dialect> {
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
    return new PostgresDialect({ pool });
  }
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const pglite = new PGlite(options.dataDir);
  await pglite.waitReady;
  return new PGliteDialect(pglite);
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
