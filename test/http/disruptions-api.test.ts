import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VIEWER_TOKEN } from '../support/api.js';
import { useTestApi } from '../support/api-fixture.js';
import { testBackends } from '../support/database.js';

const NOW = '2026-11-25T18:30:00Z';

const disruption = (extra: Record<string, unknown> = {}) => ({
  title: 'Tes går inte att nå',
  systems: ['tes'],
  description: 'Inloggningen svarar inte.',
  ...extra,
});

describe.each(testBackends)('disruptions API on $name', (backend) => {
  const fixture = useTestApi(backend, NOW);
  const count = async () => Number((await fixture.database.db.selectFrom('disruptions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const create = async (extra: Record<string, unknown> = {}) => {
    const res = await fixture.api.request('POST', '/api/disruptions', { body: disruption(extra) });
    expect(res.status).toBe(201);
    return res.body;
  };

  it('when a disruption is registered, then it is investigating with its registration as first update and an announcement due now to every audience', async () => {
    const res = await fixture.api.request('POST', '/api/disruptions', { body: disruption() });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/disruptions/${res.body.id}`);
    expect(res.body).toMatchObject({ title: 'Tes går inte att nå', systems: ['tes'], status: 'investigating', revision: 1, resolvedAt: null, createdBy: 'admin:' + res.body.createdBy.slice(6) });
    expect(res.body.updates).toEqual([{ sequence: 1, status: 'investigating', message: 'Inloggningen svarar inte.', at: '2026-11-25T19:30:00+01:00', by: res.body.createdBy }]);
    expect(res.body.notices.map((n: any) => [n.audience, n.kind, n.dueAt, n.status])).toEqual(
      ['managers', 'intranet', 'public', 'egetval'].map((a) => [a, 'announcement', '2026-11-25T19:30:00+01:00', 'pending']).sort((x, y) => ['managers', 'intranet', 'public', 'egetval'].indexOf(x[0]!) - ['managers', 'intranet', 'public', 'egetval'].indexOf(y[0]!)),
    );
    expect(fixture.api.planned.filter((n) => n.disruption_id === res.body.id)).toHaveLength(4);

    const read = await fixture.api.request('GET', `/api/disruptions/${res.body.id}`, { token: VIEWER_TOKEN });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
    const audit = await fixture.api.request('GET', `/api/audit?disruptionId=${res.body.id}`);
    expect(audit.body.items.map((e: any) => [e.action, e.disruptionId, e.windowId])).toEqual([['disruption.created', res.body.id, null]]);
  });

  it('when a disruption is registered as identified, then that is its first status', async () => {
    expect((await create({ status: 'identified' })).updates.map((u: any) => u.status)).toEqual(['identified']);
  });

  it('when updates go forward and back, then each is kept in order; after resolved the next is 409 in Swedish and changes nothing', async () => {
    const { id } = await create();
    for (const status of ['identified', 'monitoring', 'identified', 'monitoring', 'resolved']) {
      const res = await fixture.api.request('POST', `/api/disruptions/${id}/updates`, { body: { status, message: `Nu: ${status}` } });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe(status);
    }
    const closed = await fixture.api.request('GET', `/api/disruptions/${id}`);
    expect(closed.body.updates.map((u: any) => [u.sequence, u.status])).toEqual([
      [1, 'investigating'],
      [2, 'identified'],
      [3, 'monitoring'],
      [4, 'identified'],
      [5, 'monitoring'],
      [6, 'resolved'],
    ]);
    expect(closed.body.resolvedAt).toBe('2026-11-25T19:30:00+01:00');
    for (const status of ['monitoring', 'resolved']) {
      const again = await fixture.api.request('POST', `/api/disruptions/${id}/updates`, { body: { status, message: 'Igen' } });
      expect(again.status).toBe(409);
      expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(again.body.detail).toBe('Driftstörningen är löst och därmed stängd; den kan inte uppdateras. Registrera en ny driftstörning om felet kommer tillbaka.');
    }
    expect((await fixture.api.request('GET', `/api/disruptions/${id}`)).body.updates).toHaveLength(6);
  });

  it.each([
    ['title missing', { title: undefined }, 'title'],
    ['title empty', { title: '   ' }, 'title'],
    ['title with a NUL byte', { title: 'Tes\u0000nere' }, 'title'],
    ['title with a newline', { title: 'Tes\nnere' }, 'title'],
    ['title of invisible characters only', { title: '\u200b\ufeff' }, 'title'],
    ['title with a bidirectional override', { title: 'Tes \u202enere' }, 'title'],
    ['systems missing', { systems: undefined }, 'systems'],
    ['systems empty', { systems: [] }, 'systems'],
    ['systems not a list', { systems: 'tes' }, 'systems'],
    ['description missing', { description: undefined }, 'description'],
    ['description empty', { description: '' }, 'description'],
    ['description with a NUL byte', { description: 'Tes\u0000' }, 'description'],
    ['status unknown', { status: 'fixed' }, 'status'],
    ['a field the API does not know', { severity: 'major' }, 'severity'],
  ])('when registered with %s, then 400 names the field and nothing is stored', async (_what, change, path) => {
    const before = await count();
    const res = await fixture.api.request('POST', '/api/disruptions', { body: disruption(change) });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: any) => e.path)).toContain(path);
    expect(res.body.errors.every((e: any) => /[åäöa-z]/i.test(e.message))).toBe(true);
    expect(await count()).toBe(before);
  });

  it('when registered with an unknown system or as resolved, then 422 names the rule and nothing is stored', async () => {
    const before = await count();
    const unknown = await fixture.api.request('POST', '/api/disruptions', { body: disruption({ systems: ['tes', 'journal'] }) });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ path: 'systems.1', code: 'unknown_system' })]);
    const resolved = await fixture.api.request('POST', '/api/disruptions', { body: disruption({ status: 'resolved' }) });
    expect(resolved.status).toBe(422);
    expect(resolved.body.errors).toEqual([expect.objectContaining({ path: 'status', code: 'resolved_at_registration' })]);
    expect(await count()).toBe(before);
  });

  it.each([
    ['status missing', { message: 'Nytt' }, 'status'],
    ['status unknown', { status: 'fixed', message: 'Nytt' }, 'status'],
    ['message missing', { status: 'identified' }, 'message'],
    ['message blank', { status: 'identified', message: '  ' }, 'message'],
    ['message with a NUL byte', { status: 'identified', message: 'a\u0000b' }, 'message'],
  ])('when an update has %s, then 400 names the field and the disruption is unchanged', async (_what, body, path) => {
    const { id } = await create();
    const res = await fixture.api.request('POST', `/api/disruptions/${id}/updates`, { body });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: any) => e.path)).toContain(path);
    expect((await fixture.api.request('GET', `/api/disruptions/${id}`)).body).toMatchObject({ status: 'investigating', revision: 1 });
  });

  it('when the id is unknown or not a UUID, then 404 or 400', async () => {
    expect((await fixture.api.request('GET', `/api/disruptions/${randomUUID()}`)).status).toBe(404);
    expect((await fixture.api.request('POST', `/api/disruptions/${randomUUID()}/updates`, { body: { status: 'identified', message: 'x' } })).status).toBe(404);
    const bad = await fixture.api.request('GET', '/api/disruptions/not-an-id');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('id');
  });

  it('when a viewer or nobody writes, then 403 or 401 and nothing is stored; a viewer reads', async () => {
    const before = await count();
    expect((await fixture.api.request('POST', '/api/disruptions', { body: disruption(), token: VIEWER_TOKEN })).status).toBe(403);
    expect((await fixture.api.request('POST', '/api/disruptions', { body: disruption(), token: null })).status).toBe(401);
    const { id } = await create();
    expect((await fixture.api.request('POST', `/api/disruptions/${id}/updates`, { body: { status: 'identified', message: 'x' }, token: VIEWER_TOKEN })).status).toBe(403);
    expect((await fixture.api.request('GET', '/api/disruptions', { token: VIEWER_TOKEN })).status).toBe(200);
    expect(await count()).toBe(before + 1);
  });

  it('when the same Idempotency-Key comes again, then the same body gives the first disruption and another body 409', async () => {
    const key = `storning-${randomUUID()}`;
    const first = await fixture.api.request('POST', '/api/disruptions', { body: disruption(), headers: { 'Idempotency-Key': key } });
    const again = await fixture.api.request('POST', '/api/disruptions', { body: disruption(), headers: { 'Idempotency-Key': key } });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    const other = await fixture.api.request('POST', '/api/disruptions', { body: disruption({ title: 'Annat' }), headers: { 'Idempotency-Key': key } });
    expect(other.status).toBe(409);
    const bad = await fixture.api.request('POST', '/api/disruptions', { body: disruption(), headers: { 'Idempotency-Key': 'med mellanslag' } });
    expect(bad.status).toBe(400);
  });

  it('when listed by status, from and to, then the matching come, newest first; a bad status is 400', async () => {
    const open = await create({ title: 'Pågående i listan' });
    const closed = await create({ title: 'Löst i listan' });
    await fixture.api.request('POST', `/api/disruptions/${closed.id}/updates`, { body: { status: 'resolved', message: 'Klart' } });
    const ids = async (query: string) => (await fixture.api.request('GET', `/api/disruptions${query}`)).body.items.map((d: any) => d.id);
    expect(await ids('?status=resolved')).toContain(closed.id);
    expect(await ids('?status=resolved')).not.toContain(open.id);
    expect(await ids('?status=investigating,identified,monitoring')).toContain(open.id);
    expect(await ids('?status=investigating,identified,monitoring')).not.toContain(closed.id);
    expect(await ids('?from=2026-11-26')).toContain(open.id);
    expect(await ids('?from=2026-11-26')).not.toContain(closed.id);
    expect(await ids('?to=2026-11-25')).toEqual([]);
    const all = await fixture.api.request('GET', '/api/disruptions');
    const created = all.body.items.map((d: any) => d.createdAt);
    expect(created).toEqual([...created].sort().reverse());
    const bad = await fixture.api.request('GET', '/api/disruptions?status=fixed');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('status.0'); // as the window list names the first status it does not know
  });
});
