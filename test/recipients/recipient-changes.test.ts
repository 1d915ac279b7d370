import { describe, expect, it } from 'vitest';
import { listAudit } from '../../src/windows/audit-repository.js';
import { testBackends } from '../support/database.js';
import { useRecipientApi } from './recipient-test-app.js';

const anna = { kind: 'manager', name: 'Anna Åberg', email: 'anna.aberg@orebro.se', systems: ['tes'], unit: 'Hemtjänst Väster' };

/** The administrator's side of the register: PATCH /api/recipients/:id and the searched, paged list. */
describe.each(testBackends)('changing and finding recipients on $name', (backend) => {
  const stack = useRecipientApi(backend, ['recipients', 'audit_events']);

  const create = async (body: Record<string, unknown>) => {
    const res = await stack.api.request('POST', '/api/recipients', { json: body });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };
  const changes = async () => (await listAudit(stack.db, {})).filter((e) => e.action === 'recipient.changed');

  it('when the address and systems are changed, then the recipient comes back changed and the audit trail has before and after', async () => {
    const { id } = await create(anna);
    const res = await stack.api.request('PATCH', `/api/recipients/${id}`, { json: { email: ' Anna.Berg@Orebro.se ', systems: ['tes', 'carelock'], unit: null } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, name: 'Anna Åberg', email: 'anna.berg@orebro.se', systems: ['tes', 'carelock'], unit: null });
    expect((await stack.api.request('GET', `/api/recipients/${id}`)).body).toEqual(res.body);
    const [entry] = await changes();
    expect(entry).toMatchObject({
      actor: 'admin:test',
      details: {
        recipientId: id,
        kind: 'manager',
        email: { before: 'anna.aberg@orebro.se', after: 'anna.berg@orebro.se' },
        systems: { before: ['tes'], after: ['tes', 'carelock'] },
        unit: { before: 'Hemtjänst Väster', after: null },
      },
    });
    // The same request again is the same answer and changes (and records) nothing.
    const again = await stack.api.request('PATCH', `/api/recipients/${id}`, { json: { email: 'anna.berg@orebro.se', systems: ['carelock', 'tes'] }, headers: { 'idempotency-key': 'patch-1' } });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    expect(await changes()).toHaveLength(1);
  });

  it('when the address is another recipient\'s of the same kind, then 409 and nothing changes; of another kind it is allowed', async () => {
    const { id } = await create(anna);
    await create({ ...anna, name: 'Bo', email: 'bo@orebro.se' });
    await create({ kind: 'provider', name: 'Omsorg AB', email: 'info@omsorg.example', systems: ['tes'] });
    const taken = await stack.api.request('PATCH', `/api/recipients/${id}`, { json: { email: 'BO@orebro.se' } });
    expect(taken.status).toBe(409);
    expect(taken.body.detail).toContain('bo@orebro.se');
    expect(await changes()).toEqual([]);
    expect((await stack.api.request('PATCH', `/api/recipients/${id}`, { json: { email: 'info@omsorg.example' } })).status).toBe(200);
  });

  it.each([
    ['an empty body', {}, '(root)', 400],
    ['a malformed address', { email: 'anna@' }, 'email', 400],
    ['an empty name', { name: '  ' }, 'name', 400],
    ['no systems', { systems: [] }, 'systems', 400],
    ['an unknown field', { kind: 'provider' }, 'kind', 400],
    ['a control character in the unit', { unit: 'Väster\u0007' }, 'unit', 400],
    ['an unknown system', { systems: ['tes', 'pulsen'] }, 'systems.1', 422],
  ])('when the change has %s, then %4$i names the field and nothing changes', async (_what, json, path, status) => {
    const { id } = await create(anna);
    const res = await stack.api.request('PATCH', `/api/recipients/${id}`, { json });
    expect(res.status).toBe(status);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(res.body.detail).not.toMatch(/[A-Za-z]+ is required|Invalid/);
    expect(await changes()).toEqual([]);
  });

  it('when the recipient is unknown or removed, or the id is not one, then 404 or 400', async () => {
    const { id } = await create(anna);
    expect((await stack.api.request('DELETE', `/api/recipients/${id}`)).status).toBe(204);
    expect((await stack.api.request('PATCH', `/api/recipients/${id}`, { json: { name: 'Anna' } })).status).toBe(404);
    expect((await stack.api.request('PATCH', `/api/recipients/${crypto.randomUUID()}`, { json: { name: 'Anna' } })).status).toBe(404);
    expect((await stack.api.request('PATCH', '/api/recipients/inte-ett-id', { json: { name: 'Anna' } })).status).toBe(400);
  });

  it('when the register is searched by name, unit, address or system, then it is found in Swedish order, a page at a time', async () => {
    await create({ ...anna, name: 'Östen Ek', email: 'osten@orebro.se', systems: ['carelock'], unit: 'Hemtjänst Norr' });
    await create({ ...anna, name: 'Åsa Lind', email: 'asa@orebro.se', systems: ['careapp'], unit: 'Hemtjänst Väster' });
    await create({ ...anna, name: 'Ärla Berg', email: 'arla@orebro.se', systems: ['tes'], unit: 'Hemtjänst Söder' });
    await create({ ...anna, name: 'Zack 100%', email: 'zack@kommun.example', systems: ['tes'], unit: null });
    const names = async (query: string) => ((await stack.api.request('GET', `/api/recipients?${query}`)).body.items as { name: string }[]).map((r) => r.name);
    expect(await names('')).toEqual(['Zack 100%', 'Åsa Lind', 'Ärla Berg', 'Östen Ek']);
    expect(await names('q=väster')).toEqual(['Åsa Lind']);
    expect(await names('q=KOMMUN.example')).toEqual(['Zack 100%']);
    expect(await names('q=carelock')).toEqual(['Östen Ek']);
    expect(await names('q=CareApp')).toEqual(['Åsa Lind']);
    expect(await names(`q=${encodeURIComponent('%')}`)).toEqual(['Zack 100%']);
    expect(await names('q=_')).toEqual([]);
    expect(await names('system=tes&kind=manager')).toEqual(['Zack 100%', 'Ärla Berg']);
    const paged = await stack.api.request('GET', '/api/recipients?page=1');
    expect(paged.body).toMatchObject({ total: 4, page: 1, pages: 1 });
    expect((await stack.api.request('GET', '/api/recipients?page=2')).body).toMatchObject({ items: [], total: 4, page: 2, pages: 1 });
    for (const bad of ['page=0', 'page=x', 'kind=boss']) {
      const res = await stack.api.request('GET', `/api/recipients?${bad}`);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].path).toBe(bad.split('=')[0]);
    }
  });
});
