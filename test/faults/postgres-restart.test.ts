import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/storage/database.js';
import { migrateToLatest } from '../../src/storage/migrate.js';
import type { TestBackend } from '../support/database.js';
import { postgresBin, startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';
import { DELIVERY_TEST_OVERLAP, insertManagers } from '../support/notice-fixtures.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

const RECIPIENTS = 2000;
const SECOND = 1000;

describe.runIf(postgresBin())('when PostgreSQL restarts in the middle of a fan-out', () => {
  let pg: PrivatePostgres;
  let stack: TestStack;

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    const backend: TestBackend = {
      name: 'postgres',
      async open() {
        const db = await openDatabase({ url: pg.url, poolSize: 5 });
        await migrateToLatest(db);
        return { db, url: pg.url, schema: undefined, close: () => db.destroy() };
      },
    };
    stack = await startTestStack(backend, { deliveryAttempts: 10, deliveryBackoffMs: 500 }, { parseMail: false });
    await insertManagers(stack.database.db, RECIPIENTS, { systems: ['tes'], tag: 'pgrestart' });
  });
  afterAll(async () => {
    await stack?.stop();
    await pg?.destroy();
  });

  it(`when the database goes away for a while during a fan-out to ${RECIPIENTS} managers, then every manager gets the notice exactly once`, async () => {
    let day = new Date(Date.now() + 3 * 24 * 3600 * SECOND);
    while (![2, 3].includes(day.getUTCDay())) day = new Date(day.getTime() + 24 * 3600 * SECOND);
    const date = day.toISOString().slice(0, 10);
    const created = await stack.api.request('POST', '/api/windows', {
      body: { title: 'Uppgradering av Tes', systems: ['tes'], kind: 'minor', start: `${date}T09:00:00+01:00`, end: `${date}T10:00:00+01:00`, shortNotice: { reason: 'Test av omstart' }, allowOverlap: DELIVERY_TEST_OVERLAP },
    });
    expect(created.status).toBe(201);
    const managers = created.body.notices.find((n: any) => n.audience === 'managers' && n.kind === 'announcement');

    await eventually(async () => stack.smtp.received.length, (n) => n >= RECIPIENTS / 5, 60 * SECOND);
    await pg.stop();
    const atStop = stack.smtp.received.length;
    await new Promise((r) => setTimeout(r, 2 * SECOND));
    await pg.start();

    const finished = await eventually(
      async () => (await stack.database.db.selectFrom('notices').select(['status']).where('id', '=', managers.id).executeTakeFirst())?.status,
      (status) => status !== 'pending',
      120 * SECOND,
    ).catch(() => undefined);
    const mine = stack.smtp.received.filter((m) => String(m.parsed.messageId).includes(managers.id));
    const perRecipient = new Map<string, number>();
    for (const mail of mine) for (const to of mail.to) perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
    const repeats = mine.length - perRecipient.size;
    console.log(`postgres restart: ${RECIPIENTS} recipients, ${atStop} received before the stop, ${mine.length} in all, ${perRecipient.size} distinct, ${repeats} repeats`);
    expect(finished).toBe('sent');
    expect(perRecipient.size).toBe(RECIPIENTS);
    expect([...perRecipient.values()].every((n) => n === 1)).toBe(true);
    expect(atStop).toBeLessThan(RECIPIENTS);
  });
});
