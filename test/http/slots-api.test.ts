import { beforeEach, describe, expect, it } from 'vitest';
import { VIEWER_TOKEN } from '../support/api.js';
import { useTestApi } from '../support/api-fixture.js';
import { testBackends } from '../support/database.js';

/** Wednesday 2026-11-25, 13:00 in Stockholm. */
const NOW = '2026-11-25T12:00:00Z';

const slot = (day: string) => ({ start: `${day}T09:00:00+01:00`, end: `${day}T14:00:00+01:00` });

/** Saturday 2027-06-12 06:00–18:00: outside the minor slot, which an extensive window may be. */
const extensive = (extra: Record<string, unknown> = {}) => ({
  title: 'Byte av databasserver',
  systems: ['tes', 'careapp', 'carelock'],
  kind: 'extensive',
  start: '2027-06-12T06:00:00+02:00',
  end: '2027-06-12T18:00:00+02:00',
  ...extra,
});

describe.each(testBackends)('slots and extensive windows on $name', (backend) => {
  const fixture = useTestApi(backend, NOW);
  // The describe shares one database; each test registers its windows into a register of its own.
  beforeEach(() => fixture.retireWindows());
  const { windowCount } = fixture;


  it('when three slots are asked for, then they are the first whose 14-day notice can still go out: Wed 9, Tue 15, Wed 16 December', async () => {
    const res = await fixture.api.request('GET', '/api/slots?count=3', { token: VIEWER_TOKEN });
    expect(res.status).toBe(200);
    // Tuesday 2026-12-08 would need its managers told by 2026-11-24, which has passed.
    expect(res.body).toEqual({ items: [slot('2026-12-09'), slot('2026-12-15'), slot('2026-12-16')] });
  });

  it('when no count is given, then ten slots are returned, each on a Tuesday or Wednesday', async () => {
    const res = await fixture.api.request('GET', '/api/slots');
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(10);
    for (const item of res.body.items) {
      expect([2, 3]).toContain(new Date(item.start).getUTCDay());
    }
  });

  it('when slots from 2027-01-01 are asked for, then they start on or after that date and skip the holiday 2027-01-06', async () => {
    const res = await fixture.api.request('GET', '/api/slots?from=2027-01-01&count=3');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([slot('2027-01-05'), slot('2027-01-12'), slot('2027-01-13')]);
  });

  it('when from is an instant after a slot has begun, then that slot is not offered', async () => {
    const from = encodeURIComponent('2027-01-05T10:00:00+01:00');
    const res = await fixture.api.request('GET', `/api/slots?from=${from}&count=1`);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([slot('2027-01-12')]);
  });

  it('when a slot is offered, then a window registered in it is accepted without short notice', async () => {
    const [first] = (await fixture.api.request('GET', '/api/slots?count=1')).body.items;
    const res = await fixture.api.request('POST', '/api/windows', {
      body: { title: 'I första lediga luckan', systems: ['tes'], kind: 'minor', ...first },
    });
    expect(res.status).toBe(201);
    expect(res.body.notices.some((n: any) => n.late)).toBe(false);
  });

  it('when an extensive window falls on Saturday 2027-06-12 06:00–18:00, then it is accepted with the default extensive plan', async () => {
    const res = await fixture.api.request('POST', '/api/windows', { body: extensive() });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'extensive', status: 'scheduled', plan: null, start: '2027-06-12T06:00:00+02:00' });
    const announcements = Object.fromEntries(
      res.body.notices.filter((n: any) => n.kind === 'announcement').map((n: any) => [n.audience, n.dueAt]),
    );
    // 28 days before is Saturday 2027-05-15, 14 days before Saturday 2027-05-29: each moves back to the Friday.
    expect(announcements).toEqual({
      managers: '2027-05-14T08:00:00+02:00',
      egetval: '2027-05-14T08:00:00+02:00',
      intranet: '2027-05-28T08:00:00+02:00',
      public: '2027-05-28T08:00:00+02:00',
    });
  });

  it('when an extensive window brings its own plan reaching every audience in time, then the plan is kept', async () => {
    const plan = [
      { audience: 'managers', leadDays: 35 },
      { audience: 'egetval', leadDays: 28 },
      { audience: 'intranet', leadDays: 14 },
      { audience: 'public', leadDays: 7 },
    ];
    const res = await fixture.api.request('POST', '/api/windows', { body: extensive({ plan }) });
    expect(res.status).toBe(201);
    expect(res.body.plan).toEqual(plan);
    const managers = res.body.notices.find((n: any) => n.audience === 'managers' && n.kind === 'announcement');
    // 35 days before Saturday 2027-06-12 is Saturday 2027-05-08: moved back to Friday 2027-05-07.
    expect(managers.dueAt).toBe('2027-05-07T08:00:00+02:00');
  });

  it('when an extensive window brings a plan that leaves out Eget Val, then it is a 400 naming plan and nothing is stored', async () => {
    const before = await windowCount();
    const plan = [
      { audience: 'managers', leadDays: 28 },
      { audience: 'intranet', leadDays: 14 },
      { audience: 'public', leadDays: 14 },
    ];
    const res = await fixture.api.request('POST', '/api/windows', { body: extensive({ plan }) });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'plan' })]);
    expect(res.body.errors[0].message).toContain('egetval');
    expect(await windowCount()).toBe(before);
  });

  it('when a minor window brings a plan, then it is a 400 naming plan and nothing is stored', async () => {
    const before = await windowCount();
    const res = await fixture.api.request('POST', '/api/windows', {
      body: { ...extensive({ kind: 'minor', ...slot('2027-03-02') }), plan: [{ audience: 'managers', leadDays: 30 }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'plan' })]);
    expect(await windowCount()).toBe(before);
  });
});
