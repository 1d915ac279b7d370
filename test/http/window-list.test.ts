import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, VIEWER_TOKEN, type TestApi } from '../support/api.js';
import { testBackends, type TestDatabase } from '../support/database.js';

const NOW = '2026-11-25T12:00:00Z';

/** Four compliant one-hour windows in March 2028 (Tue 7, Wed 8, Tue 14, Wed 15), registered out of order. */
const DAYS = ['2028-03-14', '2028-03-07', '2028-03-15', '2028-03-08'] as const;
/** One more in May, outside every date filter below (and within the policy's horizon). */
const LATER = '2028-05-09';

const windowOn = (day: string) => ({
  title: `Driftstopp ${day}`,
  systems: ['carelock'],
  kind: 'minor',
  start: `${day}T09:00:00+01:00`,
  end: `${day}T10:00:00+01:00`,
});

describe.each(testBackends)('window list on $name', (backend) => {
  let database: TestDatabase;
  let api: TestApi;
  /** Window id by its date. */
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    database = await backend.open();
    api = await startTestApi(database.db, { now: NOW });
    for (const day of [LATER, ...DAYS]) {
      const res = await api.request('POST', '/api/windows', { body: windowOn(day) });
      expect(res.status).toBe(201);
      ids[day] = res.body.id;
    }
    const cancelled = await api.request('POST', `/api/windows/${ids['2028-03-14']}/cancel`, { body: { reason: 'Flyttas till hösten' } });
    expect(cancelled.status).toBe(200);
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  /** The dates of the listed windows, in the order the API gives them. */
  const listDays = async (query: string) => {
    const res = await api.request('GET', `/api/windows${query}`, { token: VIEWER_TOKEN });
    expect(res.status).toBe(200);
    return res.body.items.map((w: any) => Object.keys(ids).find((day) => ids[day] === w.id));
  };

  it('when every window is listed, then they come ordered by start, whatever the order they were registered in', async () => {
    const res = await api.request('GET', '/api/windows');
    expect(res.status).toBe(200);
    const starts = res.body.items.map((w: any) => Date.parse(w.start));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(await listDays('')).toEqual(['2028-03-07', '2028-03-08', '2028-03-14', '2028-03-15', LATER]);
  });

  it('when each listed window is compared with GET by id, then the list shows the same window with its notices', async () => {
    const res = await api.request('GET', '/api/windows');
    const one = res.body.items.find((w: any) => w.id === ids['2028-03-08']);
    expect(one).toEqual((await api.request('GET', `/api/windows/${ids['2028-03-08']}`)).body);
    expect(one.notices.length).toBeGreaterThan(0);
  });

  it('when from and to are instants, then only windows between them are listed', async () => {
    const from = encodeURIComponent('2028-03-08T00:00:00+01:00');
    const to = encodeURIComponent('2028-03-15T00:00:00+01:00');
    expect(await listDays(`?from=${from}&to=${to}`)).toEqual(['2028-03-08', '2028-03-14']);
    expect(await listDays('?from=2028-03-07T23:00:00Z&to=2028-03-14T23:00:00Z')).toEqual(['2028-03-08', '2028-03-14']);
  });

  it('when from and to are dates, then they mean local midnight', async () => {
    expect(await listDays('?from=2028-03-08&to=2028-03-15')).toEqual(['2028-03-08', '2028-03-14']);
    expect(await listDays('?from=2028-03-15')).toEqual(['2028-03-15', LATER]);
    expect(await listDays('?to=2028-03-08')).toEqual(['2028-03-07']);
  });

  it('when status is given, then only windows with that status or those statuses are listed', async () => {
    expect(await listDays('?status=cancelled')).toEqual(['2028-03-14']);
    expect(await listDays('?status=scheduled')).toEqual(['2028-03-07', '2028-03-08', '2028-03-15', LATER]);
    expect(await listDays('?status=scheduled,cancelled&to=2028-04-01')).toEqual(DAYS.slice().sort());
    expect(await listDays('?status=completed')).toEqual([]);
  });

  it('when status and dates are combined, then both filters apply', async () => {
    expect(await listDays('?status=scheduled&from=2028-03-08&to=2028-03-16')).toEqual(['2028-03-08', '2028-03-15']);
  });
});
