import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchDueNotices } from '../../src/notices/notice-dispatch.js';
import { loadPolicy } from '../../src/policy/load-policy.js';
import type { Db } from '../../src/storage/database.js';
import { testBackends, type TestBackend, type TestDatabase } from '../support/database.js';
import { insertManagers, insertReminderDueAt } from '../support/notice-fixtures.js';

const MINUTE = 60_000;

async function insertWindow(db: Db, status: 'scheduled' | 'cancelled' = 'scheduled', systems = ['tes']): Promise<string> {
  const id = randomUUID();
  const start = new Date(Date.now() + 2 * 24 * 60 * MINUTE);
  await db
    .insertInto('windows')
    .values({
      id,
      title: 'Uppgradering av Tes',
      description: '',
      systems,
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

describe.each(testBackends)('notices of many windows due at one instant on $name', (backend) => {
  let database: TestDatabase;
  const ids: Record<'tes' | 'carelock', string[]> = { tes: [], carelock: [] };
  beforeAll(async () => {
    database = await backend.open();
    for (const system of ['tes', 'carelock'] as const) {
      const emails = await insertManagers(database.db, 2, { systems: [system], tag: system });
      const rows = await database.db.selectFrom('recipients').select(['id', 'email']).where('email', 'in', emails).orderBy('email').execute();
      ids[system] = rows.map((r) => r.id);
    }
  });
  afterAll(async () => {
    await database?.close();
  });

  it('when reminders of windows of unrelated systems and an update told to one manager fall due together, then each notice reaches exactly its own recipients, batched from 0', async () => {
    const { db } = database;
    const now = new Date();
    const past = new Date(now.getTime() - 1000);
    const windows = await Promise.all([['tes'], ['tes'], ['carelock'], ['tes']].map((systems) => insertWindow(db, 'scheduled', systems)));
    const [tesA, tesB, care, changed] = windows as [string, string, string, string];
    // The changed window's announcement reached the first Tes manager only.
    const told = await insertReminderDueAt(db, changed, new Date(now.getTime() - MINUTE), { audience: 'managers', kind: 'announcement' });
    await db.updateTable('notices').set({ status: 'sent', dispatched_at: told.due_at, sent_at: told.due_at }).where('id', '=', told.id).execute();
    await db.insertInto('deliveries').values({
      id: randomUUID(), notice_id: told.id, recipient_key: ids.tes[0]!, recipient_id: ids.tes[0]!, channel: 'email', target: 'chef@orebro.se',
      batch: 0, status: 'sent', attempts: 1, claimed_at: null, claimed_by: null, failing_since: null, last_error: null, message_id: null, sent_at: told.due_at, created_at: told.due_at,
    }).execute();
    const reminders = await Promise.all([tesA, tesB, care].map((w) => insertReminderDueAt(db, w, past)));
    const update = await insertReminderDueAt(db, changed, past, { audience: 'managers', kind: 'update' });

    const dispatched = await dispatchDueNotices(db, options(now));

    expect(dispatched.map((d) => d.outcome)).toEqual(Array(4).fill({ outcome: 'dispatched', batches: [0] }));
    const reached = async (noticeId: string) =>
      (await db.selectFrom('deliveries').select(['recipient_id', 'batch']).where('notice_id', '=', noticeId).orderBy('recipient_id').execute());
    const asBatchZero = (recipients: string[]) => [...recipients].sort().map((recipient_id) => ({ recipient_id, batch: 0 }));
    expect(await reached(reminders[0]!.id)).toEqual(asBatchZero(ids.tes));
    expect(await reached(reminders[1]!.id)).toEqual(asBatchZero(ids.tes));
    expect(await reached(reminders[2]!.id)).toEqual(asBatchZero(ids.carelock));
    expect(await reached(update.id)).toEqual(asBatchZero([ids.tes[0]!]));
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
