import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findRecipient,
  insertRecipient,
  listRecipients,
  recipientsForAudience,
  softDeleteRecipient,
  type NewRecipient,
} from '../../src/recipients/recipient-repository.js';
import type { RecipientKind } from '../../src/storage/schema.js';
import { testBackends, type TestDatabase } from '../support/database.js';

const CREATED = new Date('2026-11-25T12:00:00Z');

const recipient = (kind: RecipientKind, name: string, systems: string[]): NewRecipient => ({
  id: randomUUID(),
  kind,
  name,
  email: `${name.toLowerCase()}@example.se`,
  systems,
  unit: null,
  createdAt: CREATED,
});

describe.each(testBackends)('recipient repository on $name', (backend) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await backend.open();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('when an audience is asked for, then only active recipients of that kind sharing a system come back', async () => {
    const db = database.db;
    const insert = async (r: NewRecipient) => (await insertRecipient(db, r))!;
    const tesManager = await insert(recipient('manager', 'Alva', ['tes']));
    const bothManager = await insert(recipient('manager', 'Bengt', ['careapp', 'carelock']));
    await insert(recipient('manager', 'Cilla', ['carelock']));
    await insert(recipient('provider', 'Doris', ['tes', 'careapp']));
    const removed = await insert(recipient('manager', 'Egon', ['tes']));
    await softDeleteRecipient(db, removed.id, CREATED);

    const names = (rows: { name: string }[]) => rows.map((r) => r.name);
    expect(names(await recipientsForAudience(db, { kind: 'manager', systems: ['tes', 'careapp'] }))).toEqual(['Alva', 'Bengt']);
    expect(names(await recipientsForAudience(db, { kind: 'provider', systems: ['tes'] }))).toEqual(['Doris']);
    expect(names(await recipientsForAudience(db, { kind: 'provider', systems: ['carelock'] }))).toEqual([]);
    expect(await recipientsForAudience(db, { kind: 'manager', systems: [] })).toEqual([]);

    const [alva] = await recipientsForAudience(db, { kind: 'manager', systems: ['tes'] });
    expect(alva).toEqual({ ...tesManager, created_at: CREATED, deleted_at: null });
    expect(bothManager.systems).toEqual(['careapp', 'carelock']);
  });

  it('when a recipient is removed, then it is found with its removal time but is no longer listed, and cannot be removed twice', async () => {
    const db = database.db;
    const row = (await insertRecipient(db, recipient('provider', 'Frida', ['tes'])))!;
    expect(await softDeleteRecipient(db, row.id, new Date('2026-12-01T08:00:00Z'))).toMatchObject({ id: row.id });
    expect(await softDeleteRecipient(db, row.id, new Date('2026-12-02T08:00:00Z'))).toBeUndefined();
    expect((await findRecipient(db, row.id))?.deleted_at).toEqual(new Date('2026-12-01T08:00:00Z'));
    expect((await listRecipients(db)).map((r) => r.id)).not.toContain(row.id);
  });

  it('when an active recipient with the same kind and e-mail exists, then insertRecipient stores nothing', async () => {
    const db = database.db;
    const first = recipient('manager', 'Gustav', ['tes']);
    expect(await insertRecipient(db, first)).toBeDefined();
    expect(await insertRecipient(db, { ...first, id: randomUUID(), name: 'Gustav igen' })).toBeUndefined();
    expect(await insertRecipient(db, { ...first, id: randomUUID(), kind: 'provider' })).toBeDefined();
  });
});
