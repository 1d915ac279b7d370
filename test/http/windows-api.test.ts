import { describe, expect, it } from 'vitest';
import { VIEWER_TOKEN } from '../support/api.js';
import { useTestApi } from '../support/api-fixture.js';
import { testBackends } from '../support/database.js';

const NOW = '2026-11-25T12:00:00Z';

const minor = (start: string, end: string, extra: Record<string, unknown> = {}) => ({
  title: 'Uppgradering av Tes',
  systems: ['tes', 'careapp'],
  kind: 'minor',
  start,
  end,
  ...extra,
});

const dueOf = (window: any, audience: string, kind = 'announcement') =>
  new Date(window.notices.find((n: any) => n.audience === audience && n.kind === kind).dueAt).toISOString();

describe.each(testBackends)('windows API on $name', (backend) => {
  const fixture = useTestApi(backend, NOW);
  const { windowCount } = fixture;


  it('when a minor window on Tuesday 2027-03-30 09:00–12:00 is registered, then its notices are due two and one weeks ahead at 08:00', async () => {
    const res = await fixture.api.request('POST', '/api/windows', { body: minor('2027-03-30T09:00:00+02:00', '2027-03-30T12:00:00+02:00') });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/windows/${res.body.id}`);
    expect(res.body).toMatchObject({ status: 'scheduled', revision: 1, kind: 'minor', systems: ['tes', 'careapp'], shortNotice: null });
    expect(res.body.start).toBe('2027-03-30T09:00:00+02:00');
    expect(dueOf(res.body, 'managers')).toBe('2027-03-16T07:00:00.000Z');
    expect(dueOf(res.body, 'egetval')).toBe('2027-03-16T07:00:00.000Z');
    expect(dueOf(res.body, 'intranet')).toBe('2027-03-23T07:00:00.000Z');
    expect(dueOf(res.body, 'public')).toBe('2027-03-23T07:00:00.000Z');
    expect(res.body.notices.every((n: any) => n.status === 'pending' && n.late === false && n.sentAt === null)).toBe(true);
    expect(fixture.api.planned.filter((n) => n.window_id === res.body.id)).toHaveLength(res.body.notices.length);

    const fetched = await fixture.api.request('GET', `/api/windows/${res.body.id}`, { token: VIEWER_TOKEN });
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(res.body);
  });

  it('when the 14-day due date is a holiday (2027-01-06), then the notice moves to the business day before', async () => {
    const res = await fixture.api.request('POST', '/api/windows', { body: minor('2027-01-20T09:00:00+01:00', '2027-01-20T12:00:00+01:00') });
    expect(res.status).toBe(201);
    expect(dueOf(res.body, 'managers')).toBe('2027-01-05T07:00:00.000Z');
    expect(res.body.notices.find((n: any) => n.audience === 'managers').dueAt).toBe('2027-01-05T08:00:00+01:00');
    expect(dueOf(res.body, 'egetval')).toBe('2027-01-05T07:00:00.000Z');
  });

  it.each([
    ['a Thursday', minor('2027-03-25T09:00:00+01:00', '2027-03-25T12:00:00+01:00'), 'outside_maintenance_slot'],
    ['Tuesday 08:00–10:00', minor('2027-03-23T08:00:00+01:00', '2027-03-23T10:00:00+01:00'), 'outside_maintenance_slot'],
    ['Wednesday 2027-01-06', minor('2027-01-06T09:00:00+01:00', '2027-01-06T12:00:00+01:00'), 'public_holiday'],
    ['end before start', minor('2027-03-30T12:00:00+02:00', '2027-03-30T09:00:00+02:00'), 'end_before_start'],
    ['a past start', minor('2026-11-24T09:00:00+01:00', '2026-11-24T12:00:00+01:00'), 'in_past'],
    ['an unknown system', { ...minor('2027-03-30T09:00:00+02:00', '2027-03-30T12:00:00+02:00'), systems: ['tes', 'foo'] }, 'unknown_system'],
  ])('when a window on %s is registered, then it is refused with 422 and changes nothing', async (_label, body, code) => {
    const before = await windowCount();
    const res = await fixture.api.request('POST', '/api/windows', { body });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 422, title: 'Bryter mot rutinen' });
    expect(res.body.errors.map((e: any) => e.code)).toContain(code);
    expect(await windowCount()).toBe(before);
  });

  it('when a window is registered ten days ahead, then it is refused with the earliest compliant start, and accepted with short notice marked late', async () => {
    const body = minor('2026-12-05T09:00:00+01:00', '2026-12-05T11:00:00+01:00', { kind: 'minor' });
    // 2026-12-05 is a Saturday; use the Tuesday ten days ahead instead.
    body.start = '2026-12-01T09:00:00+01:00';
    body.end = '2026-12-01T11:00:00+01:00';
    const refused = await fixture.api.request('POST', '/api/windows', { body });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([expect.objectContaining({ path: 'start', code: 'insufficient_notice' })]);
    // 14 days from Wednesday 2026-11-25 is Wednesday 2026-12-09, the first slot that keeps every rule.
    expect(refused.body.earliestCompliantStart).toBe('2026-12-09T09:00:00+01:00');
    // The problem lists path, code and message; the brief words kept for pages stay in the process.
    expect(Object.keys(refused.body.errors[0]).sort()).toEqual(['code', 'message', 'path']);

    const accepted = await fixture.api.request('POST', '/api/windows', { body: { ...body, shortNotice: { reason: 'Säkerhetsuppdatering från leverantören' } } });
    expect(accepted.status).toBe(201);
    expect(accepted.body.shortNotice).toEqual({ reason: 'Säkerhetsuppdatering från leverantören' });
    const managers = accepted.body.notices.find((n: any) => n.audience === 'managers');
    expect(managers).toMatchObject({ late: true, status: 'pending' });
    expect(new Date(managers.dueAt).toISOString()).toBe(new Date(NOW).toISOString());
    const intranet = accepted.body.notices.find((n: any) => n.audience === 'intranet');
    // One week ahead still fits: the intranet notice is due 2026-11-24, already past, so it goes at once, late too.
    expect(intranet.late).toBe(true);
  });

  it('when a window is registered nine days ahead of a Wednesday, then only the audiences that can no longer be told in time are late', async () => {
    // Friday 2026-12-04 is 9 days ahead; Wednesday 2026-12-02 is 7 days ahead: intranet due today.
    const res = await fixture.api.request('POST', '/api/windows', {
      body: minor('2026-12-02T09:00:00+01:00', '2026-12-02T10:00:00+01:00', { shortNotice: { reason: 'Akut säkerhetsfix' } }),
    });
    expect(res.status).toBe(201);
    const byAudience = Object.fromEntries(res.body.notices.filter((n: any) => n.kind === 'announcement').map((n: any) => [n.audience, n.late]));
    expect(byAudience).toEqual({ managers: true, egetval: true, intranet: false, public: false });
  });
});
