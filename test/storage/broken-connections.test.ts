import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/storage/database.js';

const postgresUrl = process.env.TEST_DATABASE_URL;

/** Ends a server process from outside, as a PostgreSQL restart does to every connection. */
async function terminate(pid: number): Promise<void> {
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    await admin.query('select pg_terminate_backend($1)', [pid]);
  } finally {
    await admin.end();
  }
}

async function backendPid(db: Db): Promise<number> {
  const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
  return rows[0]!.pid;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(postgresUrl)('when PostgreSQL ends a connection', () => {
  let db: Db;
  const heard: Error[] = [];

  beforeAll(async () => {
    db = await openDatabase({ url: postgresUrl, poolSize: 2, onConnectionError: (error) => heard.push(error) });
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('when a connection in the middle of a transaction is ended, then the transaction fails, the break is reported and the process lives on', async () => {
    heard.length = 0;
    const transaction = db.transaction().execute(async (trx) => {
      const pid = await backendPid(trx);
      await terminate(pid);
      await pause(300); // the client is checked out and idle while its server goes away
      await sql`select 1`.execute(trx);
    });

    await expect(transaction).rejects.toThrow();
    expect(heard.length).toBeGreaterThan(0);
    expect(await backendPid(db)).toBeGreaterThan(0);
  });

  it('when an idle pooled connection is ended, then the break is reported and the next query gets a fresh connection', async () => {
    heard.length = 0;
    const pid = await backendPid(db);
    await terminate(pid);
    await pause(300);

    expect(heard.length).toBeGreaterThan(0);
    const next = await backendPid(db);
    expect(next).not.toBe(pid);
  });
});
