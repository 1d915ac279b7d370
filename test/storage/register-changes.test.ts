import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchRegister, type RegisterChanges } from '../../src/storage/register-changes.js';
import { testBackends, type TestDatabase } from '../support/database.js';
import { insertWindowWithNotice } from '../support/notice-fixtures.js';

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  for (const started = Date.now(); !check(); ) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(testBackends)('changes of the register on $name', (backend) => {
  let database: TestDatabase;
  let changes: RegisterChanges;

  beforeEach(async () => {
    database = await backend.open();
    changes = await watchRegister(database.db, pino({ level: 'silent' }));
  });
  afterEach(async () => {
    await changes?.close();
    await database?.close();
  });

  it('when a window is inserted and then its title changed, then each commit is heard', async () => {
    const first = changes.version();
    expect(first).not.toBeNull();
    const id = await insertWindowWithNotice(database.db);
    await until('the insert is heard', () => changes.version() !== first);
    const second = changes.version();
    await database.db.updateTable('windows').set({ title: 'Nytt namn' }).where('id', '=', id).execute();
    await until('the update is heard', () => changes.version() !== second);
  });

  it('when a change is rolled back or an update touches no row, then nothing is heard', async () => {
    const start = changes.version();
    // One transaction, one notification: none of it may still be on its way below.
    const id = await database.db.transaction().execute((trx) => insertWindowWithNotice(trx));
    await until('the insert is heard', () => changes.version() !== start);
    const before = changes.version();
    await expect(
      database.db.transaction().execute(async (trx) => {
        await trx.updateTable('windows').set({ title: 'Ångras' }).where('id', '=', id).execute();
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    await database.db.updateTable('notices').set({ status: 'sent' }).where('window_id', '=', randomUUID()).execute();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(changes.version()).toBe(before);
  });

  it('when another installation in another schema of the same database changes its windows, then that is not heard', async () => {
    if (!database.url) return; // PGlite: one database per test, nothing is shared
    const start = changes.version();
    await database.db.transaction().execute((trx) => insertWindowWithNotice(trx));
    await until('the own insert is heard', () => changes.version() !== start);
    const before = changes.version();
    const other = await backend.open();
    try {
      await insertWindowWithNotice(other.db);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(changes.version()).toBe(before);
    } finally {
      await other.close();
    }
  });

  it('when this process says it changed something, then the version moves at once', () => {
    const before = changes.version()!;
    changes.changed();
    expect(changes.version()).toBeGreaterThan(before);
  });

  it('when the listening connection is cut, then there is no version until it listens again, and then a new one', async () => {
    if (!database.url) return; // PGlite runs in this process: there is no connection to cut
    const before = changes.version();
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const { rowCount } = await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
        [`driftstopp-listen:${database.schema}`],
      );
      expect(rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    await until('the loss is noticed', () => changes.version() === null);
    await until('it listens again', () => changes.version() !== null);
    expect(changes.version()).not.toBe(before);
    const again = changes.version();
    await insertWindowWithNotice(database.db);
    await until('a change after the return is heard', () => changes.version() !== again);
  });
});
