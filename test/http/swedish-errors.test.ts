import { describe, expect, it } from 'vitest';
import { useTestApi } from '../support/api-fixture.js';
import { testBackends } from '../support/database.js';

const NOW = '2026-11-25T12:00:00Z';

/**
 * Words that give away an English sentence. Field names (`to`, `from`, `status`) and values
 * (`minor`, `true`) are taken out of a text before it is looked at, so they do not count.
 */
const ENGLISH = /\b(the|is|are|not|must|should|be|invalid|expected|received|request|required|unknown|field|string|number|array|object|at least|at most|too|valid|characters?|cannot|has|have|of|and|or|with|must|only|path|body|query|error|found|conflict|unauthorized|forbidden|bad|unprocessable|content|large)\b/i;

interface Problem {
  status: number;
  title?: string;
  detail?: string;
  errors?: { path: string; code: string; message: string }[];
}

/** Each human text of a problem, with the field paths it names taken out. */
function humanTexts(problem: Problem): string[] {
  const paths = new Set((problem.errors ?? []).flatMap((e) => [e.path, ...e.path.split('.')]));
  const strip = (text: string) =>
    [...paths]
      .sort((a, b) => b.length - a.length)
      .reduce((out, path) => out.replaceAll(path, ' '), text)
      // Quoted values, e.g. an unknown field "colour", header names and enum lists are the caller's words or codes.
      .replace(/"[^"]*"/g, ' ')
      .replace(/\b(Content-Type|Authorization|Idempotency-Key): ?\S*/g, ' ')
      .replace(/ska vara (ett av )?[\w, ]+$/u, ' ');
  return [problem.title ?? '', problem.detail ?? '', ...(problem.errors ?? []).map((e) => e.message)].map(strip);
}

const englishIn = (problem: Problem) => humanTexts(problem).filter((text) => ENGLISH.test(text));

/** A bad value for each kind of parameter the OpenAPI document describes. */
function badValue(schema: { type?: string; format?: string; anyOf?: unknown[]; enum?: unknown[] } | undefined): string {
  if (schema?.type === 'integer' || schema?.type === 'number') return 'många';
  return 'inte-rätt';
}

describe.each(testBackends)('every problem of the API is Swedish on $name', (backend) => {
  const fixture = useTestApi(backend, NOW);

  it('when every endpoint of /openapi.json is called with bad input, then no title, detail or errors[].message is an English sentence', async () => {
    const openapi = (await fixture.api.request('GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string; schema?: any }[]; requestBody?: { content: Record<string, unknown> } }>>;
    };
    const problems: { call: string; problem: Problem }[] = [];
    const call = async (method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
      const res = await fixture.api.request(method.toUpperCase(), path, { body, headers });
      if (res.status >= 400) problems.push({ call: `${method.toUpperCase()} ${path}`, problem: res.body as Problem });
      return res;
    };

    for (const [template, operations] of Object.entries(openapi.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const path = template.replace(/\{(\w+)\}/g, 'inte-ett-id');
        const query = (operation.parameters ?? []).filter((p) => p.in === 'query');
        // A bad path parameter, each bad query parameter, an unknown one.
        await call(method, path);
        for (const parameter of query) await call(method, `${path}?${parameter.name}=${badValue(parameter.schema)}`);
        await call(method, `${template.replace(/\{(\w+)\}/g, '00000000-0000-4000-8000-000000000000')}?okand=1`);
        if (operation.requestBody?.content['application/json']) {
          const real = template.replace(/\{(\w+)\}/g, '00000000-0000-4000-8000-000000000000');
          await call(method, real, {});
          await call(method, real, { okand: 1, title: 7, systems: 'tes', start: 'i morgon', reason: '' });
          await call(method, real, [1, 2]);
          await call(method, real, '{"title": ');
        }
      }
    }

    // A rule broken (422 with the earliest start), a conflict (409), a bad range and a bad Idempotency-Key.
    const soon = { title: 'Uppgradering av Tes', systems: ['tes'], kind: 'minor', start: '2026-12-01T09:00:00+01:00', end: '2026-12-01T12:00:00+01:00' };
    const refused = await call('post', '/api/windows', soon);
    expect(refused.status).toBe(422);
    const created = await call('post', '/api/windows', { ...soon, shortNotice: { reason: 'Säkerhetsuppdatering från leverantören' } });
    expect(created.status).toBe(201);
    expect((await call('post', `/api/windows/${created.body.id}/cancel`, { reason: 'Behövs inte' })).status).toBe(200);
    const conflict = await call('post', `/api/windows/${created.body.id}/cancel`, { reason: 'Igen' });
    expect(conflict.status).toBe(409);
    await call('get', '/api/compliance?from=2027-03-30&to=2027-03-01');
    await call('post', '/api/windows', soon, { 'idempotency-key': ' ' });
    await call('post', '/api/windows', soon, { 'content-type': 'application/json; charset=latin-9' });

    expect(problems.length).toBeGreaterThan(30);
    const english = problems.flatMap(({ call: made, problem }) => englishIn(problem).map((text) => `${made}: ${text}`));
    expect(english).toEqual([]);
    // Machine fields stay English codes.
    expect(conflict.body).toMatchObject({ status: 409, title: 'Konflikt', detail: 'Driftstoppet är inställt och kan inte längre ändras.' });
  });

  it('when a window comes too late for the routine, then the 422 gives the earliest compliant start as an instant and written out, in the detail too', async () => {
    const res = await fixture.api.request('POST', '/api/windows', {
      body: { title: 'Uppgradering av Tes', systems: ['tes'], kind: 'minor', start: '2026-12-01T09:00:00+01:00', end: '2026-12-01T12:00:00+01:00' },
    });
    expect(res.status).toBe(422);
    expect(res.body.earliestCompliantStart).toBe('2026-12-09T09:00:00+01:00');
    expect(res.body.earliestCompliantStartText).toBe('tidigast onsdag 9 december 2026 kl. 09.00');
    expect(res.body.detail).toContain('onsdag 9 december 2026 kl. 09.00');
    expect(res.body.detail).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });

  it('when the English heuristic is shown an English problem, then it finds it (so the walk above can fail)', () => {
    expect(englishIn({ status: 400, title: 'Bad Request', detail: 'The request body is not valid.', errors: [{ path: 'start', code: 'invalid_format', message: 'Invalid ISO datetime' }] })).toHaveLength(3);
    expect(englishIn({ status: 400, title: 'Felaktig begäran', detail: 'Begärans innehåll har fel: to ska ligga efter from.', errors: [{ path: 'to', code: 'invalid_range', message: 'ska ligga efter from' }] })).toEqual([]);
  });
});
