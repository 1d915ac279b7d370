import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/storage/database.js';
import { migrateDownAll, migrateToLatest } from '../../src/storage/migrate.js';
import { testBackends, type TestDatabase } from '../support/database.js';
import { insertWindowWithNotice } from '../support/notice-fixtures.js';

/** A disruption with its registration and one notice of it, so that undoing its migration meets rows. */
async function insertDisruptionWithNotice(db: TestDatabase['db']): Promise<void> {
  const id = randomUUID();
  const now = new Date();
  await db
    .insertInto('disruptions')
    .values({ id, title: 'Tes nere', description: '', systems: ['tes'], status: 'investigating', revision: 1, created_by: 'admin', created_at: now, updated_at: now })
    .execute();
  await db
    .insertInto('disruption_updates')
    .values({ id: randomUUID(), disruption_id: id, sequence: 1, status: 'investigating', message: 'Vi felsöker.', created_by: 'admin', at: now })
    .execute();
  await db
    .insertInto('notices')
    .values({
      id: randomUUID(), window_id: null, disruption_id: id, revision: 1, audience: 'managers', kind: 'announcement',
      lead_days: null, previous_start_at: null, previous_end_at: null, due_at: now, required_by: now,
      status: 'pending', late: false, dispatched_at: null, sent_at: null, error: null, created_at: now,
    })
    .execute();
}

const APP_TABLES = ['acknowledgements', 'audit_events', 'deliveries', 'disruption_updates', 'disruptions', 'idempotency_keys', 'notices', 'recipients', 'revoked_sessions', 'series', 'subscription_requests', 'windows'];

/** The tables of the schema this database works in: 'public' on PGlite, its own schema on PostgreSQL. */
async function tablesOf(database: TestDatabase): Promise<string[]> {
  const schema = database.schema ?? 'public';
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = ${schema} and table_type = 'BASE TABLE'
    order by table_name`.execute(database.db);
  return rows.map((r) => r.table_name).filter((name) => !name.startsWith('kysely_'));
}

describe.each(testBackends)('migrations on $name', (backend) => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await backend.open();
  });
  afterEach(async () => {
    await database?.close();
  });

  it('when the database is opened, then every table of the app exists', async () => {
    expect(await tablesOf(database)).toEqual(APP_TABLES);
  });

  it('when every migration is undone, then no table of the app is left', async () => {
    await insertWindowWithNotice(database.db);
    await insertDisruptionWithNotice(database.db);
    await migrateDownAll(database.db);
    expect(await tablesOf(database)).toEqual([]);
  });

  it('when migrated down and up again, then the tables are back, empty, and an insert works', async () => {
    await insertWindowWithNotice(database.db);
    await migrateDownAll(database.db);
    await migrateToLatest(database.db);
    expect(await tablesOf(database)).toEqual(APP_TABLES);
    expect(await database.db.selectFrom('windows').select('id').execute()).toEqual([]);

    const id = await insertWindowWithNotice(database.db);
    const row = await database.db.selectFrom('windows').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ systems: ['tes'], revision: 1, description: '' });
    expect(row.start_at.toISOString()).toBe('2027-03-30T07:00:00.000Z');
  });

  it('when migrating to the latest twice, then the second run changes nothing', async () => {
    await insertWindowWithNotice(database.db);
    await migrateToLatest(database.db);
    expect(await tablesOf(database)).toEqual(APP_TABLES);
    expect(await database.db.selectFrom('windows').select('id').execute()).toHaveLength(1);
  });

  it('when another schema of the same database is already migrated, then a fresh schema still migrates', async () => {
    if (!database.url) return; // PGlite: one database per test, nothing is shared
    // Two services (or two test files) sharing one PostgreSQL database, each in its own schema.
    const schema = `m_${randomBytes(6).toString('hex')}`;
    const other = await openDatabase({ url: database.url, schema, poolSize: 2 });
    try {
      await migrateToLatest(other);
      expect(await tablesOf({ ...database, db: other, schema })).toEqual(APP_TABLES);
    } finally {
      await other.destroy();
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    }
  });

  it('when other schemas of the same database come and go meanwhile, then migrating still succeeds every time', async () => {
    if (!database.url) return; // PGlite: one database per test, nothing is shared
    // Kysely reads the catalog of every schema; test files (or installations) drop theirs at any time.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const prefix = `churn_${randomBytes(4).toString('hex')}`;
    let churning = true;
    const churn = (async () => {
      for (let i = 0; churning; i++) {
        const schema = `${prefix}_${i % 10}`;
        await client.query(`create schema ${schema}; create table ${schema}.t (id serial primary key, a int, b int)`);
        await client.query(`drop schema ${schema} cascade`);
      }
    })();
    try {
      for (let i = 0; i < 40; i++) {
        if (i % 2) await migrateDownAll(database.db);
        else await migrateToLatest(database.db);
      }
      expect(await tablesOf(database)).toEqual([]);
    } finally {
      churning = false;
      await churn;
      await client.end();
    }
  });

  it('when the schema is up, then its constraints refuse a notice of an unknown window and an unknown status', async () => {
    await expect(
      database.db
        .insertInto('notices')
        .values({
          id: randomUUID(),
          window_id: randomUUID(),
          revision: 1,
          audience: 'managers',
          kind: 'announcement',
          lead_days: 14,
          due_at: new Date(),
          required_by: new Date(),
          status: 'pending',
          late: false,
          dispatched_at: null,
          sent_at: null,
          error: null,
          created_at: new Date(),
        })
        .execute(),
    ).rejects.toThrow(/foreign key/i);
    const id = await insertWindowWithNotice(database.db);
    await expect(
      database.db.updateTable('windows').set({ status: 'done' as never }).where('id', '=', id).execute(),
    ).rejects.toThrow(/check constraint/i);
  });
});
