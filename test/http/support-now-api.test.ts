import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { useTestApi } from '../support/api-fixture.js';
import { testBackends } from '../support/database.js';
import { supportNowSchema } from '../../src/http/routes/support-routes.js';
import { LOCK, TABLE, TES } from '../rules/support-now-table.js';

/** Saturday 2026-12-05 19:30 in Stockholm: a carer at a locked door. */
const NOW = '2026-12-05T18:30:00Z';

/** The answer touches no table: one backend proves the route. */
const [backend] = testBackends;

/** `2026-12-01T09:00` in Stockholm as the query writes it, e.g. `2026-12-01T09:00:00+01:00`. */
const instant = (wallClock: string) => DateTime.fromISO(wallClock, { zone: 'Europe/Stockholm' }).toISO({ suppressMilliseconds: true })!;

describe(`GET /public/support/now on ${backend!.name}`, () => {
  const fixture = useTestApi(backend!, NOW);
  const get = (query: string) => fixture.api.request('GET', `/public/support/now${query}`, { token: null });

  it.each(TABLE)('when asked for $label ($at, $for) without a token, then the open lines, their closing times and the advice are the routine\'s', async (row) => {
    const res = await get(`?at=${encodeURIComponent(instant(row.at))}&for=${row.for}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(DateTime.fromISO(res.body.at).toMillis()).toBe(DateTime.fromISO(instant(row.at)).toMillis());
    // The contract's shape: `open: [{ name, phone, until }]` with an ISO instant, and `advice`.
    expect(res.body.open.map((line: { id: string; until: string }) => `${line.id} ${line.until}`)).toEqual(row.open);
    for (const line of res.body.open) expect(line).toEqual(expect.objectContaining({ name: expect.any(String), phone: expect.any(String), until: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/) }));
    expect(Array.isArray(res.body.advice)).toBe(true);
    expect(res.body.advice.length).toBeGreaterThan(0);
    expect(res.body.checklist.length > 0).toBe(row.checklist);
    expect(res.body.onCall !== null).toBe(row.onCall);
    // The answer is what /openapi.json describes, field for field.
    expect(supportNowSchema.strict().safeParse(res.body).error).toBeUndefined();
  });

  it('when no instant is given, then the answer is for now: Saturday 19:30, the lock-fault line until 22.00, kept no longer than its next change', async () => {
    const res = await get('?for=provider');
    expect(res.status).toBe(200);
    expect(res.body.at).toBe('2026-12-05T19:30:00+01:00');
    expect(res.body.open).toEqual([expect.objectContaining({ id: LOCK, name: 'Felanmälan CareLock (trasigt lås)', phone: '019-21 49 44', until: '2026-12-05T22:00:00+01:00', untilText: 'kl. 22.00' })]);
    expect(res.body.closed).toEqual([expect.objectContaining({ id: TES, opensAt: '2026-12-07T08:00:00+01:00', opensAtText: 'måndag 7 december 2026 kl. 08.00' })]);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('when no audience is given, then the answer is the providers\', with no internal-only line', async () => {
    const res = await get('?at=2026-12-01T23:00:00%2B01:00');
    expect(res.status).toBe(200);
    expect(res.body.audience).toBe('provider');
    expect(res.body.onCall).toBeNull();
    expect(JSON.stringify(res.body)).not.toContain('internt');
  });

  it('when the instant is given with Z, then it is the same instant in Stockholm time', async () => {
    const res = await get('?at=2026-12-01T08:00:00Z&for=staff');
    expect(res.status).toBe(200);
    expect(res.body.at).toBe('2026-12-01T09:00:00+01:00');
    expect(res.body.open.map((line: { id: string }) => line.id)).toEqual([TES, 'it-och-telefoni']);
  });

  it.each([
    ['an empty audience', '?for=', 'for', 'ska vara staff'],
    ['an unknown audience', '?for=public', 'for', 'ska vara staff (kommunens personal) eller provider (extern utförare)'],
    ['an audience in capitals', '?for=STAFF', 'for', 'ska vara staff'],
    ['two audiences', '?for=staff&for=provider', 'for', 'ska vara staff'],
    ['a date without a time', '?for=staff&at=2026-12-01', 'at', 'ska vara en tidpunkt enligt ISO 8601 med tidszon'],
    ['a time without an offset', '?for=staff&at=2026-12-01T09:00:00', 'at', 'ska vara en tidpunkt enligt ISO 8601 med tidszon'],
    ['a day that does not exist', '?for=staff&at=2027-02-30T09:00:00%2B01:00', 'at', 'ska vara en tidpunkt'],
    ['an hour of 25', '?for=staff&at=2026-12-01T25:00:00%2B01:00', 'at', 'ska vara en tidpunkt'],
    ['a "+" the query turned into a space', '?for=staff&at=2026-12-01T09:00:00+01:00', 'at', 'ska vara en tidpunkt'],
    ['words', '?for=staff&at=nu', 'at', 'ska vara en tidpunkt'],
    ['an empty instant', '?for=staff&at=', 'at', 'ska vara en tidpunkt'],
    ['the year 9999', '?for=staff&at=9999-12-31T23:00:00Z', 'at', 'ska vara en tidpunkt mellan år 1900 och 2999'],
    ['two instants', '?for=staff&at=2026-12-01T08:00:00Z&at=2026-12-01T09:00:00Z', 'at', 'ska vara text'],
    ['an unknown field', '?for=staff&when=now', 'when', 'okänt fält'],
  ])('when the query has %s, then 400 names the field in Swedish', async (_label, query, field, message) => {
    const res = await get(query);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: field, message: expect.stringContaining(message) })]);
    expect(res.body.detail).toContain(field);
  });

  it('when /openapi.json is read, then it describes the endpoint without a token, with both query fields', async () => {
    const res = await fixture.api.request('GET', '/openapi.json', { token: null });
    const operation = res.body.paths['/public/support/now'].get;
    expect(operation.security).toEqual([]);
    expect(operation.parameters.map((p: { name: string; required: boolean }) => [p.name, p.required])).toEqual([
      ['at', false],
      ['for', false],
    ]);
    expect(Object.keys(operation.responses)).toEqual(['200', '400']);
  });
});
