import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, VIEWER_TOKEN } from '../support/api.js';
import { useTestApi } from '../support/api-fixture.js';
import { testBackends } from '../support/database.js';

const NOW = '2026-11-25T12:00:00Z';

const validBody = () => ({
  title: 'Uppgradering av Tes',
  systems: ['tes'],
  kind: 'minor',
  start: '2027-03-30T09:00:00+02:00',
  end: '2027-03-30T12:00:00+02:00',
});

function expectProblem(res: { status: number; body: any; headers: Headers }, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\.(ts|js):\d+/);
}

describe.each(testBackends)('API errors on $name', (backend) => {
  const fixture = useTestApi(backend, NOW);
  // The describe shares one database; each test registers its windows into a register of its own.
  beforeEach(() => fixture.retireWindows());
  const { windowCount } = fixture;


  const createWindow = async () => {
    const res = await fixture.api.request('POST', '/api/windows', { body: validBody() });
    expect(res.status).toBe(201);
    return res.body;
  };

  it('when the body is not valid JSON, then it is a 400 problem naming the body and nothing is stored', async () => {
    const before = await windowCount();
    const res = await fixture.api.request('POST', '/api/windows', { body: '{"title": "Tes",' });
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'body' })]);
    expect(await windowCount()).toBe(before);
  });

  it.each([
    ['the title is missing', (({ title: _t, ...rest }) => rest)(validBody()), 'title'],
    ['systems is a string', { ...validBody(), systems: 'tes' }, 'systems'],
    ['an unknown field is sent', { ...validBody(), colour: 'red' }, 'colour'],
    ['start is not ISO 8601', { ...validBody(), start: '30/3/2027 09:00' }, 'start'],
    ['start has no offset', { ...validBody(), start: '2027-03-30T09:00:00' }, 'start'],
  ])('when %s, then POST /api/windows is a 400 naming the field and stores nothing', async (_label, body, field) => {
    const before = await windowCount();
    const res = await fixture.api.request('POST', '/api/windows', { body });
    expectProblem(res, 400);
    expect(res.body.errors.map((e: any) => e.path)).toContain(field);
    expect(await windowCount()).toBe(before);
  });

  it.each([
    ['/api/slots?count=0', 'count'],
    ['/api/slots?count=many', 'count'],
    ['/api/windows?status=done', 'status'],
    ['/api/windows?from=yesterday', 'from'],
    ['/api/windows/not-a-uuid', 'id'],
  ])('when GET %s, then it is a 400 naming %s', async (path, field) => {
    const res = await fixture.api.request('GET', path);
    expectProblem(res, 400);
    expect(res.body.errors.map((e: any) => e.path.split('.')[0])).toContain(field);
  });

  it('when PATCH or cancel names a non-UUID id, then it is a 400 naming id and nothing changes', async () => {
    const before = await windowCount();
    const patched = await fixture.api.request('PATCH', '/api/windows/123', { body: { title: 'Ny titel' } });
    expectProblem(patched, 400);
    expect(patched.body.errors.map((e: any) => e.path)).toContain('id');
    const cancelled = await fixture.api.request('POST', '/api/windows/123/cancel', { body: { reason: 'Behövs inte' } });
    expectProblem(cancelled, 400);
    expect(await windowCount()).toBe(before);
  });

  it.each([
    ['has a space', 'two words'],
    ['is longer than 200 characters', 'x'.repeat(201)],
  ])('when the Idempotency-Key header %s, then it is a 400 naming the header and nothing is stored', async (_label, key) => {
    const before = await windowCount();
    const res = await fixture.api.request('POST', '/api/windows', { body: validBody(), headers: { 'idempotency-key': key } });
    expectProblem(res, 400);
    expect(res.body.errors.map((e: any) => e.path)).toContain('header.Idempotency-Key');
    expect(await windowCount()).toBe(before);
  });

  it('when no token is sent, then it is a 401 problem with WWW-Authenticate and nothing is stored', async () => {
    const before = await windowCount();
    for (const [method, path] of [['GET', '/api/windows'], ['POST', '/api/windows']] as const) {
      const res = await fixture.api.request(method, path, { token: null, ...(method === 'POST' ? { body: validBody() } : {}) });
      expectProblem(res, 401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
    }
    expect(await windowCount()).toBe(before);
  });

  it('when a wrong token or a non-bearer scheme is sent, then it is a 401', async () => {
    const wrong = await fixture.api.request('GET', '/api/windows', { token: `${ADMIN_TOKEN}x` });
    expectProblem(wrong, 401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const basic = await fixture.api.request('GET', '/api/windows', { token: null, headers: { authorization: `Basic ${ADMIN_TOKEN}` } });
    expectProblem(basic, 401);
  });

  it('when a viewer writes, then POST, PATCH and cancel are 403 and change nothing, while GET works', async () => {
    const window = await createWindow();
    const before = await windowCount();
    const created = await fixture.api.request('POST', '/api/windows', { body: validBody(), token: VIEWER_TOKEN });
    expectProblem(created, 403);
    const patched = await fixture.api.request('PATCH', `/api/windows/${window.id}`, { body: { title: 'Av tittare' }, token: VIEWER_TOKEN });
    expectProblem(patched, 403);
    const cancelled = await fixture.api.request('POST', `/api/windows/${window.id}/cancel`, { body: { reason: 'Av tittare' }, token: VIEWER_TOKEN });
    expectProblem(cancelled, 403);
    expect(await windowCount()).toBe(before);

    const read = await fixture.api.request('GET', `/api/windows/${window.id}`, { token: VIEWER_TOKEN });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(window);
    expect((await fixture.api.request('GET', '/api/windows', { token: VIEWER_TOKEN })).status).toBe(200);
    expect((await fixture.api.request('GET', '/api/slots?count=1', { token: VIEWER_TOKEN })).status).toBe(200);
  });

  it('when an unknown id is read, changed or cancelled, then it is a 404 problem', async () => {
    const id = randomUUID();
    expectProblem(await fixture.api.request('GET', `/api/windows/${id}`), 404);
    expectProblem(await fixture.api.request('PATCH', `/api/windows/${id}`, { body: { title: 'Ny titel' } }), 404);
    expectProblem(await fixture.api.request('POST', `/api/windows/${id}/cancel`, { body: { reason: 'Behövs inte' } }), 404);
  });

  it('when GET /nope without a token, then it is a 404 problem', async () => {
    expectProblem(await fixture.api.request('GET', '/nope', { token: null }), 404);
  });

  it.each(['/api/nope', '/api/windows/x/y/z'])('when GET %s with a token, then it is a 404 problem', async (path) => {
    expectProblem(await fixture.api.request('GET', path), 404);
  });

  it('when the body is larger than 100 kB, then it is a 413 problem, never a 500, and nothing is stored', async () => {
    const before = await windowCount();
    const body = { ...validBody(), description: 'x'.repeat(150_000) };
    expectProblem(await fixture.api.request('POST', '/api/windows', { body }), 413);
    const window = await createWindow();
    expectProblem(await fixture.api.request('PATCH', `/api/windows/${window.id}`, { body }), 413);
    expect(await windowCount()).toBe(before + 1);
    expect((await fixture.api.request('GET', `/api/windows/${window.id}`)).body.description).toBe('');
  });

  it('when /healthz and /readyz are asked without a token, then both answer 200 JSON, /readyz with its checks', async () => {
    const health = await fixture.api.request('GET', '/healthz', { token: null });
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    const ready = await fixture.api.request('GET', '/readyz', { token: null });
    expect(ready.status).toBe(200);
    expect(ready.headers.get('content-type')).toMatch(/^application\/json/);
    expect(ready.body).toEqual({ status: 'ready', checks: { database: true, redis: true }, overdueNotices: 0, deliveries: { retrying: 0, stalled: 0, failed: 0 } });
  });

  it('when /openapi.json is asked, then it is OpenAPI 3.1 whose POST /api/windows body comes from the zod schema', async () => {
    const res = await fixture.api.request('GET', '/openapi.json', { token: null });
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/windows', '/api/windows/{id}', '/api/windows/{id}/cancel', '/api/slots']),
    );
    const schema = res.body.paths['/api/windows'].post.requestBody.content['application/json'].schema;
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['title', 'systems', 'kind', 'start', 'end']));
    expect(schema.required).toEqual(expect.arrayContaining(['title', 'systems', 'kind', 'start', 'end']));
    expect(schema.required).not.toContain('description');
    expect(schema.properties.kind.enum).toEqual(['minor', 'extensive']);
    expect(schema.additionalProperties).toBe(false);
    expect(res.body.paths['/api/windows/{id}'].patch).toBeDefined();
    expect(res.body.paths['/api/windows/{id}/cancel'].post).toBeDefined();
  });
});
