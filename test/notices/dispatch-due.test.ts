import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchDueNotices } from '../../src/notices/notice-dispatch.js';
import { loadPolicy } from '../../src/policy/load-policy.js';
import type { Db } from '../../src/storage/database.js';
import { testBackends, type TestBackend, type TestDatabase } from '../support/database.js';
import { insertManagers, insertReminderDueAt } from '../support/notice-fixtures.js';

const MINUTE = 60_000;

async function insertWindow(db: Db, status: 'scheduled' | 'cancelled' = 'scheduled'): Promise<string> {
  const id = randomUUID();
  const start = new Date(Date.now() + 2 * 24 * 60 * MINUTE);
  await db
    .insertInto('windows')
    .values({
      id,
      title: 'Uppgradering av Tes',
      description: '',
      systems: ['tes'],
      kind: 'minor',
      start_at: start,
      end_at: new Date(start.getTime() + 60 * MINUTE),
      status,
      revision: 1,
      plan: null,
      short_notice_reason: null,
      cancel_reason: status === 'cancelled' ? 'Inställt' : null,
      created_by: 'test',
      created_at: new Date(),
      updated_at: new Date(),
    })
    .execute();
  return id;
}

const options = (now: Date) => ({ now, policy: loadPolicy(), webhooks: {}, batchSize: 100, limit: 1000 });

/** A database of the describe block's own with `count` managers of Tes; read it inside a test. */
function databaseWithManagers(backend: TestBackend, count: number, tag: string): () => Db {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await backend.open();
    await insertManagers(database.db, count, { systems: ['tes'], tag });
  });
  afterAll(async () => {
    await database?.close();
  });
  return () => database.db;
}

describe.each(testBackends)('notices due at one instant on $name', (backend) => {
  const database = databaseWithManagers(backend, 3, 'due');

  it('when three notices are due and one is not, then one call fans out the three at one instant and leaves the fourth', async () => {
    const db = database();
    const now = new Date();
    const windowId = await insertWindow(db);
    const due = await Promise.all([1, 2, 3].map((s) => insertReminderDueAt(db, windowId, new Date(now.getTime() - s * 1000))));
    const later = await insertReminderDueAt(db, windowId, new Date(now.getTime() + MINUTE));

    const dispatched = await dispatchDueNotices(db, options(now));

    expect(dispatched.map((d) => d.noticeId).sort()).toEqual(due.map((n) => n.id).sort());
    expect(dispatched.every((d) => d.outcome.outcome === 'dispatched')).toBe(true);
    const rows = await db.selectFrom('notices').select(['id', 'dispatched_at']).where('window_id', '=', windowId).execute();
    const stamps = new Set(rows.filter((r) => r.id !== later.id).map((r) => r.dispatched_at?.getTime()));
    expect([...stamps]).toEqual([now.getTime()]);
    expect(rows.find((r) => r.id === later.id)?.dispatched_at).toBeNull();
    const deliveries = await db.selectFrom('deliveries').select('notice_id').where('notice_id', 'in', due.map((n) => n.id)).execute();
    expect(deliveries).toHaveLength(9);

    expect(await dispatchDueNotices(db, options(now))).toEqual([]);
  });

  it('when the window of a due reminder is cancelled, then the reminder is cancelled, not fanned out', async () => {
    const db = database();
    const now = new Date();
    const windowId = await insertWindow(db, 'cancelled');
    const reminder = await insertReminderDueAt(db, windowId, new Date(now.getTime() - 1000));

    const dispatched = await dispatchDueNotices(db, options(now));

    expect(dispatched).toEqual([{ noticeId: reminder.id, outcome: { outcome: 'skipped', reason: 'window is cancelled' } }]);
    const row = await db.selectFrom('notices').select('status').where('id', '=', reminder.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('cancelled');
  });
});

/** Two transactions at once need a second connection: PostgreSQL only (TEST_DATABASE_URL). */
const postgres = testBackends.find((b) => b.name === 'postgres');

describe.runIf(postgres)('due notices held by another worker on PostgreSQL', () => {
  const database = databaseWithManagers(postgres!, 1, 'held');

  it('when another worker holds a due notice, then it is skipped at once, not waited for', async () => {
    const db = database();
    const now = new Date();
    const windowId = await insertWindow(db);
    const [held, free] = await Promise.all([0, 1].map(() => insertReminderDueAt(db, windowId, new Date(now.getTime() - 1000))));
    let release!: () => void;
    const holding = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const other = db.transaction().execute(async (trx) => {
      await trx.selectFrom('notices').select('id').where('id', '=', held!.id).forUpdate().execute();
      locked();
      await holding;
    });
    await isLocked;

    const dispatched = await dispatchDueNotices(db, options(now));
    release();
    await other;

    expect(dispatched.map((d) => d.noticeId)).toEqual([free!.id]);
  });
});
