import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, type TestDatabase } from '../support/database.js';
import { cancelWindow, changeWindow, createWindow, type NewWindowInput } from '../../src/windows/window-service.js';
import { markSent, minutesAfter, startComplianceApi, type ComplianceTestApi } from './compliance-test-app.js';

const REGISTERED = '2026-11-25T12:00:00Z';

const minor = (start: string, end: string, extra: Partial<NewWindowInput> = {}): NewWindowInput => ({
  title: 'Uppgradering av Tes',
  systems: ['tes', 'careapp'],
  kind: 'minor',
  start: DateTime.fromISO(start, { setZone: true }),
  end: DateTime.fromISO(end, { setZone: true }),
  ...extra,
});

const entry = (item: any, audience: string, kind = 'announcement', revision?: number) =>
  item.audiences.find((a: any) => a.audience === audience && a.kind === kind && (revision === undefined || a.revision === revision));

describe.each(testBackends)('compliance API on $name', (backend) => {
  let database: TestDatabase;
  let api: ComplianceTestApi;
  beforeAll(async () => {
    database = await backend.open();
    api = await startComplianceApi(database.db);
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  const register = async (input: NewWindowInput) => {
    api.setNow(REGISTERED);
    return createWindow(api.service, input, 'admin:test');
  };

  it('when a window was registered in time and every notice went out on time, then each announcement is on_time and the reminders informational', async () => {
    const window = await register(minor('2027-03-30T09:00:00+02:00', '2027-03-30T12:00:00+02:00'));
    await markSent(database.db, window.id, (n) => minutesAfter(n.due_at, 1));
    api.setNow('2027-03-29T12:00:00+02:00');

    const res = await api.request('/api/compliance?from=2027-03-30&to=2027-03-31');
    expect(res.status).toBe(200);
    expect(res.body.generatedAt).toBe('2027-03-29T12:00:00+02:00');
    expect(res.body.items).toHaveLength(1);
    const [item] = res.body.items;
    expect(item).toMatchObject({ windowId: window.id, status: 'scheduled', revision: 1, shortNotice: null, atRisk: false });
    expect(entry(item, 'managers')).toMatchObject({
      requiredBy: '2027-03-17T00:00:00+01:00',
      dueAt: '2027-03-16T08:00:00+01:00',
      sentAt: '2027-03-16T08:01:00+01:00',
      onTime: true,
      verdict: 'on_time',
      reason: null,
      deliveries: { sent: 1, failed: 0, pending: 0, cancelled: 0 },
      feeds: false,
    });
    expect(entry(item, 'intranet')).toMatchObject({ deliveries: { sent: 0, failed: 0, pending: 0, cancelled: 0 }, feeds: true });
    const announcements = item.audiences.filter((a: any) => a.kind === 'announcement');
    expect(announcements.map((a: any) => a.audience).sort()).toEqual(['egetval', 'intranet', 'managers', 'public']);
    expect(announcements.every((a: any) => a.verdict === 'on_time' && a.onTime === true)).toBe(true);
    const reminders = item.audiences.filter((a: any) => a.kind === 'reminder');
    expect(reminders).toHaveLength(2);
    expect(reminders.every((a: any) => a.verdict === 'informational' && a.onTime === null)).toBe(true);
  });

  it('when a window was registered on short notice, then its notices are pending at once and, once sent, late with the short-notice reason', async () => {
    const reason = 'Säkerhetsuppdatering från leverantören';
    const window = await register(minor('2026-12-01T09:00:00+01:00', '2026-12-01T11:00:00+01:00', { shortNotice: { reason } }));
    api.setNow('2026-11-25T12:01:00Z');
    const before = await api.request('/api/compliance?from=2026-12-01&to=2026-12-02');
    expect(before.body.items[0]).toMatchObject({ shortNotice: { reason }, atRisk: false });
    expect(entry(before.body.items[0], 'managers')).toMatchObject({ verdict: 'pending', onTime: false, reason: `kort varsel: ${reason}` });

    await markSent(database.db, window.id, (n) => (n.kind === 'announcement' ? minutesAfter(n.due_at, 2) : null));
    api.setNow('2026-11-25T13:00:00Z');
    const after = await api.request('/api/compliance?from=2026-12-01&to=2026-12-02');
    for (const audience of ['managers', 'egetval', 'intranet', 'public']) {
      expect(entry(after.body.items[0], audience)).toMatchObject({
        sentAt: '2026-11-25T13:02:00+01:00',
        onTime: false,
        verdict: 'late',
        reason: `kort varsel: ${reason}`,
      });
    }
  });

  it('when a window is moved after managers were told, then their announcement stays on_time, the update is informational and withdrawn notices vanish', async () => {
    const window = await register(minor('2027-04-13T09:00:00+02:00', '2027-04-13T12:00:00+02:00'));
    const told = await markSent(database.db, window.id, (n) =>
      n.kind === 'announcement' && (n.audience === 'managers' || n.audience === 'egetval') ? minutesAfter(n.due_at, 1) : null,
    );
    expect(told).toHaveLength(2);
    api.setNow('2027-03-31T10:00:00+02:00');
    const moved = await changeWindow(
      api.service,
      window.id,
      { start: DateTime.fromISO('2027-04-20T09:00:00+02:00'), end: DateTime.fromISO('2027-04-20T12:00:00+02:00') },
      'admin:test',
    );
    expect(moved.revision).toBe(2);
    await markSent(database.db, window.id, (n) => (n.kind === 'update' ? minutesAfter(n.due_at, 0.5) : null));

    api.setNow('2027-04-01T10:00:00+02:00');
    const res = await api.request('/api/compliance?from=2027-04-20&to=2027-04-21');
    const [item] = res.body.items;
    expect(item).toMatchObject({ revision: 2, atRisk: false, start: '2027-04-20T09:00:00+02:00' });
    expect(entry(item, 'managers', 'announcement')).toMatchObject({ revision: 1, verdict: 'on_time', onTime: true });
    expect(entry(item, 'managers', 'update')).toMatchObject({ revision: 2, verdict: 'informational', onTime: null, sentAt: '2027-03-31T10:00:30+02:00' });
    expect(entry(item, 'intranet', 'announcement')).toMatchObject({ revision: 2, verdict: 'pending', dueAt: '2027-04-13T08:00:00+02:00' });
    // Revision 1's intranet, public and reminder notices were withdrawn unsent: nobody heard of them.
    expect(item.audiences.filter((a: any) => a.revision === 1)).toHaveLength(2);
    expect(item.audiences).toHaveLength(8);
  });

  it('when notices are overdue and nobody sent them, then they are at_risk and the window atRisk; once the rule day is over, onTime is false', async () => {
    const window = await register(minor('2027-05-11T09:00:00+02:00', '2027-05-11T12:00:00+02:00'));
    const path = '/api/compliance?from=2027-05-11T00:00:00%2B02:00&to=2027-05-12';
    api.setNow('2027-04-27T08:04:00+02:00');
    const early = await api.request(path);
    expect(early.body.items[0].atRisk).toBe(false);
    expect(entry(early.body.items[0], 'managers')).toMatchObject({ verdict: 'pending', onTime: null });

    api.setNow('2027-04-27T08:06:00+02:00');
    const overdue = await api.request(path);
    expect(overdue.body.items[0]).toMatchObject({ windowId: window.id, atRisk: true });
    expect(entry(overdue.body.items[0], 'managers')).toMatchObject({ verdict: 'at_risk', onTime: null, sentAt: null });
    expect(entry(overdue.body.items[0], 'egetval')).toMatchObject({ verdict: 'at_risk' });
    expect(entry(overdue.body.items[0], 'intranet')).toMatchObject({ verdict: 'pending' });

    api.setNow('2027-04-28T00:00:00+02:00');
    const broken = await api.request(path);
    expect(entry(broken.body.items[0], 'managers')).toMatchObject({ verdict: 'at_risk', onTime: false, reason: 'inte skickat före regelns sista tidpunkt' });
  });

  it('when a window is cancelled before any notice was due, then its notices show as cancelled and nobody gets a cancellation', async () => {
    const window = await register(minor('2027-05-18T09:00:00+02:00', '2027-05-18T12:00:00+02:00'));
    api.setNow('2027-04-01T10:00:00+02:00');
    await cancelWindow(api.service, window.id, 'Leverantören sköt upp versionen', 'admin:test');
    const res = await api.request('/api/compliance?from=2027-05-18&to=2027-05-19');
    const [item] = res.body.items;
    expect(item).toMatchObject({ status: 'cancelled', revision: 2, atRisk: false });
    expect(item.audiences).toHaveLength(6);
    expect(item.audiences.every((a: any) => a.verdict === 'cancelled' && a.onTime === null && a.revision === 1)).toBe(true);
    expect(item.audiences[0].reason).toBe('driftstoppet ställdes in före utskick');
  });

  it('when from and to are dates, then they mean local midnight: a window at 00:30 on the 30th belongs to the 30th', async () => {
    await register({
      ...minor('2027-06-08T00:30:00+02:00', '2027-06-08T02:00:00+02:00'),
      kind: 'extensive',
      title: 'Nattligt byte av databasserver',
    });
    const titles = async (query: string) =>
      (await api.request(`/api/compliance?${query}`)).body.items.map((i: any) => i.title);
    expect(await titles('from=2027-06-08&to=2027-06-09')).toEqual(['Nattligt byte av databasserver']);
    expect(await titles('from=2027-06-07&to=2027-06-08')).toEqual([]);
    expect(await titles('from=2027-06-08T00:30:00%2B02:00&to=2027-06-08T00:30:01%2B02:00')).toHaveLength(1);
    expect(await titles('from=2027-06-07T00:00:00Z&to=2027-06-08T00:30:00%2B02:00')).toEqual([]);
  });

  it.each([
    ['from=igår', 'from'],
    ['to=2027-13-01', 'to'],
    ['from=2027-04-01&to=2027-03-01', 'to'],
    ['from=2027-04-01T09:00:00', 'from'],
    ['format=xlsx', 'format'],
    ['sort=start', 'sort'],
  ])('when the query is %s, then it is refused with 400 naming %s', async (query, field) => {
    const res = await api.request(`/api/compliance?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body.errors.map((e: any) => e.path)).toEqual([field]);
  });

  it('when the audit trail of a window is asked for, then it lists who registered and moved it, in order', async () => {
    const window = await register(minor('2027-09-07T09:00:00+02:00', '2027-09-07T12:00:00+02:00'));
    api.setNow('2027-01-10T10:00:00+01:00');
    await changeWindow(api.service, window.id, { start: DateTime.fromISO('2027-09-14T09:00:00+02:00'), end: DateTime.fromISO('2027-09-14T10:00:00+02:00') }, 'admin:other');
    const res = await api.request(`/api/audit?windowId=${window.id}`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((e: any) => [e.action, e.actor, e.at])).toEqual([
      ['window.created', 'admin:test', '2026-11-25T13:00:00+01:00'],
      ['window.rescheduled', 'admin:other', '2027-01-10T10:00:00+01:00'],
    ]);
    expect(res.body.items[1]).toMatchObject({ windowId: window.id, details: { after: { start: '2027-09-14T07:00:00.000Z' } } });

    const ranged = await api.request(`/api/audit?windowId=${window.id}&from=2027-01-10&to=2027-01-11`);
    expect(ranged.body.items.map((e: any) => e.action)).toEqual(['window.rescheduled']);
    const bad = await api.request('/api/audit?windowId=42');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('windowId');
  });
});
