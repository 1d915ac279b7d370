import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Db } from '../../src/storage/database.js';
import { migrateToLatest } from '../../src/storage/migrate.js';

export interface TestBackend {
  name: 'pglite' | 'postgres';
  /** A migrated database of its own: in-memory PGlite, or a fresh schema on PostgreSQL. */
  open(): Promise<TestDatabase>;
}

export interface TestDatabase {
  db: Db;
  url: string | undefined;
  schema: string | undefined;
  close(): Promise<void>;
}

const postgresUrl = process.env.TEST_DATABASE_URL;

const pglite: TestBackend = {
  name: 'pglite',
  async open() {
    const db = await openDatabase({});
    await migrateToLatest(db);
    return { db, url: undefined, schema: undefined, close: () => db.destroy() };
  },
};

const postgres: TestBackend = {
  name: 'postgres',
  async open() {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const db = await openDatabase({ url: postgresUrl, schema, poolSize: 5 });
    await migrateToLatest(db);
    return {
      db,
      url: postgresUrl,
      schema,
      async close() {
        await db.destroy();
        const client = new pg.Client({ connectionString: postgresUrl });
        await client.connect();
        await client.query(`drop schema if exists ${schema} cascade`);
        await client.end();
      },
    };
  },
};

/** PGlite always; the real PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). */
export const testBackends: TestBackend[] = postgresUrl ? [pglite, postgres] : [pglite];
