import { describe, expect, it } from 'vitest';
import { listAudit } from '../../src/windows/audit-repository.js';
import { testBackends } from '../support/database.js';
import { countRows, useRecipientApi } from './recipient-test-app.js';

const anna = { kind: 'manager', name: 'Anna Åberg', email: '  Anna.Aberg@Orebro.SE ', systems: ['tes', 'careapp'], unit: 'Hemtjänst Väster' };

describe.each(testBackends)('recipients API on $name', (backend) => {
  const stack = useRecipientApi(backend, ['recipients', 'audit_events']);

  it('when a recipient is created, then it is returned with a lower-cased e-mail, listed, and audited', async () => {
    const created = await stack.api.request('POST', '/api/recipients', { json: anna });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      kind: 'manager',
      name: 'Anna Åberg',
      email: 'anna.aberg@orebro.se',
      systems: ['tes', 'careapp'],
      unit: 'Hemtjänst Väster',
      createdAt: '2026-11-25T13:00:00+01:00',
      unsubscribedAt: null,
      deputy: null,
    });
    expect(created.headers.get('location')).toBe(`/api/recipients/${created.body.id}`);

    const listed = await stack.api.request('GET', '/api/recipients');
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({ items: [created.body], total: 1 });

    const audit = await listAudit(stack.db, {});
    expect(audit).toEqual([
      expect.objectContaining({ window_id: null, actor: 'admin:test', action: 'recipient.created', details: expect.objectContaining({ recipientId: created.body.id }) }),
    ]);
  });

  it('when recipients are listed with kind and system filters, then only matching active ones come back, by kind and name', async () => {
    const make = (kind: string, name: string, systems: string[]) =>
      stack.api.request('POST', '/api/recipients', { json: { kind, name, email: `${name.toLowerCase()}@example.se`, systems } });
    await make('provider', 'Cecilia', ['careapp']);
    await make('manager', 'Bertil', ['carelock']);
    await make('manager', 'Adam', ['tes']);
    await make('provider', 'Bo', ['tes', 'carelock']);

    const names = async (query: string) => (await stack.api.request('GET', `/api/recipients${query}`)).body.items.map((r: any) => r.name);
    expect(await names('')).toEqual(['Adam', 'Bertil', 'Bo', 'Cecilia']);
    expect(await names('?kind=provider')).toEqual(['Bo', 'Cecilia']);
    expect(await names('?system=carelock')).toEqual(['Bertil', 'Bo']);
    expect(await names('?kind=manager&system=carelock')).toEqual(['Bertil']);
    expect(await names('?system=nosuch')).toEqual([]);

    const bad = await stack.api.request('GET', '/api/recipients?kind=boss');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.path)).toEqual(['kind']);
  });

  it('when a recipient is deleted, then it leaves the list, stays in the table, and a second delete is 404', async () => {
    const { body: created } = await stack.api.request('POST', '/api/recipients', { json: anna });
    const deleted = await stack.api.request('DELETE', `/api/recipients/${created.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBe('');
    expect((await stack.api.request('GET', '/api/recipients')).body.items).toEqual([]);
    const row = await stack.db.selectFrom('recipients').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(row.deleted_at).toEqual(new Date('2026-11-25T12:00:00Z'));

    const again = await stack.api.request('DELETE', `/api/recipients/${created.id}`);
    expect(again.status).toBe(404);
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await stack.api.request('DELETE', '/api/recipients/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await stack.api.request('DELETE', '/api/recipients/not-a-uuid')).body.errors.map((e: any) => e.path)).toEqual(['id']);

    const actions = (await listAudit(stack.db, {})).map((e) => e.action);
    expect(actions).toEqual(['recipient.created', 'recipient.removed']);
  });

  it('when a removed recipient is added again, then it is accepted as a new recipient', async () => {
    const { body: first } = await stack.api.request('POST', '/api/recipients', { json: anna });
    await stack.api.request('DELETE', `/api/recipients/${first.id}`);
    const second = await stack.api.request('POST', '/api/recipients', { json: anna });
    expect(second.status).toBe(201);
    expect(second.body.id).not.toBe(first.id);
  });

  it.each([
    ['no name', { ...anna, name: '  ' }, ['name']],
    ['a bad e-mail', { ...anna, email: 'anna.orebro.se' }, ['email']],
    ['an unknown kind', { ...anna, kind: 'boss' }, ['kind']],
    ['no systems', { ...anna, systems: [] }, ['systems']],
    ['an unknown field', { ...anna, phone: '019-21 00 00' }, ['phone']],
    ['a missing e-mail and kind', { name: 'Anna', systems: ['tes'] }, ['kind', 'email']],
  ])('when a recipient with %s is posted, then it is a 400 naming the field and nothing is stored', async (_label, json, paths) => {
    const res = await stack.api.request('POST', '/api/recipients', { json });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body.errors.map((e: any) => e.path)).toEqual(paths);
    expect(await countRows(stack.db, 'recipients')).toBe(0);
  });

  it('when the body is not JSON, then it is a 400', async () => {
    const res = await stack.api.request('POST', '/api/recipients', { json: '{"kind":' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ code: 'invalid_json' })]);
  });

  it('when an active recipient of the same kind has the e-mail in another case, then it is a 409; another kind is fine', async () => {
    expect((await stack.api.request('POST', '/api/recipients', { json: anna })).status).toBe(201);
    const again = await stack.api.request('POST', '/api/recipients', { json: { ...anna, email: 'ANNA.ABERG@orebro.se', name: 'Anna Å.' } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ status: 409, title: 'Konflikt' });
    expect((await stack.api.request('POST', '/api/recipients', { json: { ...anna, kind: 'provider' } })).status).toBe(201);
    expect(await countRows(stack.db, 'recipients')).toBe(2);
    expect(await countRows(stack.db, 'audit_events')).toBe(2);
  });

  it('when the same recipient is posted twice at once, then exactly one is created', async () => {
    const results = await Promise.all([1, 2, 3].map(() => stack.api.request('POST', '/api/recipients', { json: anna })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    expect(await countRows(stack.db, 'recipients')).toBe(1);
  });

  it('when a system is not in the policy, then it is a 422 unknown_system naming its position', async () => {
    const res = await stack.api.request('POST', '/api/recipients', { json: { ...anna, systems: ['tes', 'pascal'] } });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ path: 'systems.1', code: 'unknown_system', message: expect.stringContaining('pascal') }]);
    expect(await countRows(stack.db, 'recipients')).toBe(0);
  });
});
