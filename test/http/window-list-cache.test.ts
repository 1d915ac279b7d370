import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { versionCache } from '../../src/http/version-cache.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { testBackends, type TestDatabase } from '../support/database.js';

const NOW = '2026-11-25T12:00:00Z';
const windowOn = (day: string, title = `Driftstopp ${day}`) => ({
  title,
  systems: ['tes'],
  kind: 'minor',
  start: `${day}T09:00:00+01:00`,
  end: `${day}T10:00:00+01:00`,
});

async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, ms = 5000): Promise<T> {
  for (const started = Date.now(); ; ) {
    const value = await read();
    if (accept(value) || Date.now() - started > ms) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.each(testBackends)('the window list rendered once per change on $name', (backend) => {
  let database: TestDatabase;
  let api: TestApi;
  const titles = async () => ((await api.request('GET', '/api/windows')).body.items as { title: string }[]).map((w) => w.title);

  beforeAll(async () => {
    database = await backend.open();
    api = await startTestApi(database.db, { now: NOW, watchRegister: true });
    expect((await api.request('POST', '/api/windows', { body: windowOn('2028-03-07', 'Första') })).status).toBe(201);
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  it('when a window is registered or renamed through the API, then the very next list shows it', async () => {
    expect(await titles()).toEqual(['Första']);
    const created = await api.request('POST', '/api/windows', { body: windowOn('2028-03-08', 'Andra') });
    expect(await titles()).toEqual(['Första', 'Andra']);
    const renamed = await api.request('PATCH', `/api/windows/${created.body.id}`, { body: { title: 'Andra, omdöpt' } });
    expect(renamed.status).toBe(200);
    expect(await titles()).toEqual(['Första', 'Andra, omdöpt']);
  });

  it('when another process changes a window, then the list shows it as soon as the notification arrives', async () => {
    await titles();
    await database.db.updateTable('windows').set({ title: 'Ändrad av en worker' }).where('title', '=', 'Första').execute();
    const seen = await eventually(titles, (t) => t.includes('Ändrad av en worker'));
    expect(seen).toContain('Ändrad av en worker');
  });

  it('when the list is asked for again with its ETag, then the answer is 304 until something changes', async () => {
    const first = await api.request('GET', '/api/windows');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    // fetch adds `Cache-Control: no-cache` to a conditional request unless told otherwise, as a browser's reload would.
    const conditional = { 'if-none-match': etag, 'cache-control': 'max-age=0' };
    expect((await api.request('GET', '/api/windows', { headers: conditional })).status).toBe(304);
    await api.request('POST', '/api/windows', { body: windowOn('2028-03-14', 'Tredje') });
    const changed = await api.request('GET', '/api/windows', { headers: conditional });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('when a change bypasses the triggers, then the list keeps its rendered answer until the next heard change', async () => {
    // Proof that answers are reused: with triggers off (replica role) the change sends no notification.
    // First let the notifications of the earlier changes arrive, so that none lands in the middle.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = await titles();
    await database.db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await trx.updateTable('windows').set({ title: 'Tyst ändring' }).where('title', '=', before[0]!).execute();
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await titles()).toEqual(before);
    await database.db.updateTable('windows').set({ description: 'hörs' }).where('title', '=', before[1]!).execute();
    const after = await eventually(titles, (t) => t[0] === 'Tyst ändring');
    expect(after[0]).toBe('Tyst ändring');
  });
});

describe('versionCache', () => {
  const deferred = () => {
    let resolve!: (value: string) => void;
    const promise = new Promise<string>((r) => (resolve = r));
    return { promise, resolve };
  };

  it('when the version changes while an answer is being rendered, then that answer is not served afterwards', async () => {
    let version = 1;
    const cache = versionCache(() => version);
    const slow = deferred();
    const first = cache('k', () => slow.promise);
    expect(cache('k', () => Promise.resolve('other'))).toBe(first); // shared while in flight
    version = 2;
    slow.resolve('old');
    expect(await first).toBe('old');
    expect(await cache('k', () => Promise.resolve('new'))).toBe('new');
    expect(await cache('k', () => Promise.resolve('newer'))).toBe('new');
  });

  it('when there is no version or a render fails, then nothing is kept', async () => {
    let version: number | null = null;
    const cache = versionCache(() => version);
    expect(await cache('k', () => Promise.resolve('a'))).toBe('a');
    expect(await cache('k', () => Promise.resolve('b'))).toBe('b');
    version = 1;
    await expect(cache('k', () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await cache('k', () => Promise.resolve('c'))).toBe('c');
  });

  it('when an answer is older than its maximum age, then it is rendered again even without a change', async () => {
    let clock = 0;
    const cache = versionCache(() => 1, { maxAgeMs: 1000, now: () => clock });
    expect(await cache('k', () => Promise.resolve('a'))).toBe('a');
    clock = 999;
    expect(await cache('k', () => Promise.resolve('b'))).toBe('a');
    clock = 1000;
    expect(await cache('k', () => Promise.resolve('c'))).toBe('c');
  });

  it('when more keys are asked for than it holds, then the oldest is dropped', async () => {
    const cache = versionCache(() => 1, { maxEntries: 2 });
    await cache('a', () => Promise.resolve('a1'));
    await cache('b', () => Promise.resolve('b1'));
    await cache('c', () => Promise.resolve('c1'));
    expect(await cache('a', () => Promise.resolve('a2'))).toBe('a2');
    expect(await cache('c', () => Promise.resolve('c2'))).toBe('c1');
  });
});
