import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/policy/load-policy.js';
import type { Policy } from '../../src/policy/policy-schema.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { testBackends, type TestDatabase } from '../support/database.js';

const NOW = '2026-11-25T12:00:00Z';
const BLACKOUT_REASON = 'Jul- och nyårshelgerna: enheterna arbetar med vikarier.';
const policy: Policy = { ...loadPolicy(), blackouts: [{ from: '2027-01-01', to: '2027-01-10', reason: BLACKOUT_REASON }] };

const minor = (start: string, end: string, extra: Record<string, unknown> = {}) => ({
  title: 'Uppgradering av Tes',
  systems: ['tes'],
  kind: 'minor',
  start,
  end,
  ...extra,
});

describe.each(testBackends)('the calendar API on $name', (backend) => {
  let database: TestDatabase;
  let api: TestApi;
  beforeEach(async () => {
    database = await backend.open();
    api = await startTestApi(database.db, { now: NOW, policy });
  });
  afterEach(async () => {
    await api?.close();
    await database?.close();
  });

  const post = (path: string, body: unknown) => api.request('POST', path, { body });
  const codes = (res: { body: any }) => res.body.errors.map((e: any) => e.code);

  it('when a second Tes window overlaps one at 09–12, then it is a 422 overlapping_window listing the conflict and the nearest free slot', async () => {
    const first = await post('/api/windows', minor('2026-12-15T09:00:00+01:00', '2026-12-15T12:00:00+01:00'));
    expect(first.status).toBe(201);
    const res = await post('/api/windows', minor('2026-12-15T10:00:00+01:00', '2026-12-15T11:00:00+01:00'));
    expect(res.status).toBe(422);
    expect(codes(res)).toEqual(['overlapping_window']);
    expect(res.body.conflicts).toEqual([
      { id: first.body.id, title: 'Uppgradering av Tes', start: '2026-12-15T09:00:00+01:00', end: '2026-12-15T12:00:00+01:00' },
    ]);
    expect(res.body.suggestedStart).toBe('2026-12-22T10:00:00+01:00');
    expect(res.body.suggestedEnd).toBe('2026-12-22T11:00:00+01:00');
  });

  it('when a CareApp window overlaps a Tes window, then it conflicts, since CareApp depends on Tes; a CareLock one does not', async () => {
    expect((await post('/api/windows', minor('2026-12-15T09:00:00+01:00', '2026-12-15T12:00:00+01:00'))).status).toBe(201);
    const careapp = await post('/api/windows', minor('2026-12-15T10:00:00+01:00', '2026-12-15T11:00:00+01:00', { systems: ['careapp'] }));
    expect(codes(careapp)).toEqual(['overlapping_window']);
    const carelock = await post('/api/windows', minor('2026-12-15T10:00:00+01:00', '2026-12-15T11:00:00+01:00', { systems: ['carelock'] }));
    expect(carelock.status).toBe(201);
  });

  it('when an overlap is accepted with allowOverlap, then the window is stored with the reason', async () => {
    expect((await post('/api/windows', minor('2026-12-15T09:00:00+01:00', '2026-12-15T12:00:00+01:00'))).status).toBe(201);
    const res = await post('/api/windows', minor('2026-12-15T10:00:00+01:00', '2026-12-15T11:00:00+01:00', { allowOverlap: { reason: 'Samma leverantör, samma tekniker' } }));
    expect(res.status).toBe(201);
    expect(res.body.allowOverlap).toEqual({ reason: 'Samma leverantör, samma tekniker' });
    expect((await api.request('GET', `/api/windows/${res.body.id}`)).body.allowOverlap).toEqual({ reason: 'Samma leverantör, samma tekniker' });
  });

  it('when a window is moved onto another, then the PATCH is a 422 overlapping_window and the window stays', async () => {
    expect((await post('/api/windows', minor('2026-12-15T09:00:00+01:00', '2026-12-15T12:00:00+01:00'))).status).toBe(201);
    const other = await post('/api/windows', minor('2026-12-22T09:00:00+01:00', '2026-12-22T12:00:00+01:00'));
    const res = await api.request('PATCH', `/api/windows/${other.body.id}`, { body: { start: '2026-12-15T10:00:00+01:00', end: '2026-12-15T11:00:00+01:00' } });
    expect(res.status).toBe(422);
    expect(codes(res)).toEqual(['overlapping_window']);
    expect((await api.request('GET', `/api/windows/${other.body.id}`)).body.start).toBe('2026-12-22T09:00:00+01:00');
  });

  it('when a Tes slot is taken, then /api/slots?systems=tes skips it, while ?systems=carelock still offers it', async () => {
    expect((await post('/api/windows', minor('2026-12-15T09:00:00+01:00', '2026-12-15T12:00:00+01:00'))).status).toBe(201);
    const tes = await api.request('GET', '/api/slots?from=2026-12-15&count=2&systems=tes');
    expect(tes.body.items.map((s: any) => s.start)).toEqual(['2026-12-16T09:00:00+01:00', '2026-12-22T09:00:00+01:00']);
    const careapp = await api.request('GET', '/api/slots?from=2026-12-15&count=1&systems=careapp');
    expect(careapp.body.items[0].start).toBe('2026-12-16T09:00:00+01:00');
    const carelock = await api.request('GET', '/api/slots?from=2026-12-15&count=1&systems=carelock');
    expect(carelock.body.items[0].start).toBe('2026-12-15T09:00:00+01:00');
  });

  it('when a minor window starts in a blackout period, then it is a 422 blackout_period with the reason and the next allowed slot', async () => {
    const res = await post('/api/windows', minor('2027-01-05T09:00:00+01:00', '2027-01-05T11:00:00+01:00'));
    expect(res.status).toBe(422);
    expect(codes(res)).toEqual(['blackout_period']);
    expect(res.body.errors[0].message).toContain(BLACKOUT_REASON);
    expect(res.body.suggestedStart).toBe('2027-01-12T09:00:00+01:00');
    expect(res.body.suggestedEnd).toBe('2027-01-12T11:00:00+01:00');
  });

  it('when an extensive window starts in a blackout period, then allowBlackout with a reason registers it and keeps the reason', async () => {
    const body = { ...minor('2027-01-07T18:00:00+01:00', '2027-01-07T23:00:00+01:00'), kind: 'extensive' };
    expect(codes(await post('/api/windows', body))).toEqual(['blackout_period']);
    const res = await post('/api/windows', { ...body, allowBlackout: { reason: 'Säkerhetshål som inte kan vänta' } });
    expect(res.status).toBe(201);
    expect(res.body.allowBlackout).toEqual({ reason: 'Säkerhetshål som inte kan vänta' });
  });

  it('when a minor window is asked for on Monday 11 January, then outside_maintenance_slot suggests Tuesday 12 January, not the earliest slot', async () => {
    const res = await post('/api/windows', minor('2027-01-11T10:00:00+01:00', '2027-01-11T12:00:00+01:00'));
    expect(codes(res)).toEqual(['outside_maintenance_slot']);
    expect(res.body.suggestedStart).toBe('2027-01-12T10:00:00+01:00');
    expect(res.body.suggestedEnd).toBe('2027-01-12T12:00:00+01:00');
  });

  it('when a minor window falls on Epiphany, then public_holiday suggests the Wednesday after', async () => {
    const res = await post('/api/windows', minor('2027-01-13T09:00:00+01:00', '2027-01-13T11:00:00+01:00'));
    expect(res.status).toBe(201);
    const holiday = await post('/api/windows', minor('2027-01-06T09:00:00+01:00', '2027-01-06T11:00:00+01:00', { systems: ['carelock'] }));
    // Wednesday 6 January is also in the blackout; the 13th is taken for Tes only, so CareLock gets it.
    expect(codes(holiday)).toEqual(['public_holiday', 'blackout_period']);
    expect(holiday.body.suggestedStart).toBe('2027-01-13T09:00:00+01:00');
  });

  it('when notice is too short, then insufficient_notice gives earliestCompliantStart and the nearest slot on the same weekday', async () => {
    const res = await post('/api/windows', minor('2026-12-01T09:00:00+01:00', '2026-12-01T11:00:00+01:00'));
    expect(codes(res)).toEqual(['insufficient_notice']);
    expect(res.body.earliestCompliantStart).toBe('2026-12-09T09:00:00+01:00');
    expect(res.body.suggestedStart).toBe('2026-12-15T09:00:00+01:00');
    expect(res.body.suggestedEnd).toBe('2026-12-15T11:00:00+01:00');
  });

  describe('series', () => {
    const train = { title: 'Tes release train', systems: ['tes'], kind: 'minor', rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU', dtstart: '2027-01-05', start: '09:00', end: '11:00', count: 10 };

    it('when a dry run is asked for, then the plan comes back with 200 and nothing is stored', async () => {
      const res = await post('/api/series', { ...train, dryRun: true });
      expect(res.status).toBe(200);
      expect(res.body.id).toBeNull();
      expect(res.body.windows).toHaveLength(9);
      expect((await api.request('GET', '/api/windows')).body.items).toEqual([]);
    });

    it('when every other Tuesday runs into the blackout, then 9 windows land and 2027-01-05 is skipped with blackout_period and a suggestion', async () => {
      const res = await post('/api/series', train);
      expect(res.status).toBe(201);
      expect(res.headers.get('location')).toBe(`/api/series/${res.body.id}`);
      expect(res.body.windows.map((w: any) => w.start)).toEqual([
        '2027-01-19T09:00:00+01:00', '2027-02-02T09:00:00+01:00', '2027-02-16T09:00:00+01:00', '2027-03-02T09:00:00+01:00',
        '2027-03-16T09:00:00+01:00', '2027-03-30T09:00:00+02:00', '2027-04-13T09:00:00+02:00', '2027-04-27T09:00:00+02:00', '2027-05-11T09:00:00+02:00',
      ]);
      expect(res.body.windows.every((w: any) => w.seriesId === res.body.id && w.notices.length > 0)).toBe(true);
      expect(res.body.skipped).toEqual([
        expect.objectContaining({ date: '2027-01-05', code: 'blackout_period', suggestedStart: '2027-01-12T09:00:00+01:00', suggestedEnd: '2027-01-12T11:00:00+01:00' }),
      ]);
    });

    it('when the rule is not RFC 5545, then it is a 400 naming rrule', async () => {
      const res = await post('/api/series', { ...train, rrule: 'EVERY=TUESDAY' });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].path).toBe('rrule');
    });

    /** As if a worker had sent the managers' announcement of the window and it reached one manager. */
    const tellManager = async (windowId: string, recipientId: string) => {
      const { db } = database;
      const sentAt = new Date(NOW);
      const notice = await db
        .updateTable('notices')
        .set({ status: 'sent', sent_at: sentAt, dispatched_at: sentAt })
        .where('window_id', '=', windowId)
        .where('audience', '=', 'managers')
        .where('kind', '=', 'announcement')
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('deliveries')
        .values({ id: randomUUID(), notice_id: notice.id, recipient_key: recipientId, recipient_id: recipientId, channel: 'email', target: 'anna@orebro.se', batch: 0, status: 'sent', attempts: 1, sent_at: sentAt, created_at: sentAt })
        .execute();
    };

    it('when the series is cancelled from its fifth occurrence, then cancellations go only to those told of occurrences five on', async () => {
      const manager = await post('/api/recipients', { kind: 'manager', name: 'Anna Chef', email: 'anna@orebro.se', systems: ['tes'] });
      const created = (await post('/api/series', train)).body;
      const ids: string[] = created.windows.map((w: any) => w.id);
      // Told of every occurrence but the last: the last's cancellation is owed to nobody.
      for (const id of ids.slice(0, -1)) await tellManager(id, manager.body.id);
      const res = await post(`/api/series/${created.id}/cancel`, { reason: 'Leverantören pausar tåget', from: ids[4] });
      expect(res.status).toBe(200);
      expect(res.body.windows.map((w: any) => w.status)).toEqual([...Array(4).fill('scheduled'), ...Array(5).fill('cancelled')]);
      const cancellations = await database.db
        .selectFrom('notices')
        .select(['window_id', 'audience'])
        .where('kind', '=', 'cancellation')
        .execute();
      expect(cancellations.map((n) => ids.indexOf(n.window_id!)).sort()).toEqual([4, 5, 6, 7]);
      expect(new Set(cancellations.map((n) => n.audience))).toEqual(new Set(['managers']));
    });

    it('when one occurrence alone is cancelled as a window, then the rest of the series stays', async () => {
      const created = (await post('/api/series', train)).body;
      expect((await post(`/api/windows/${created.windows[1].id}/cancel`, { reason: 'Krockar med lönekörningen' })).status).toBe(200);
      const series = (await api.request('GET', `/api/series/${created.id}`)).body;
      expect(series.windows.map((w: any) => w.status)).toEqual(['scheduled', 'cancelled', ...Array(7).fill('scheduled')]);
    });

    it('when the series is moved from its third occurrence to Wednesdays at 10, then the following keep their spacing and local time', async () => {
      const created = (await post('/api/series', train)).body;
      const third = created.windows[2];
      const res = await post(`/api/series/${created.id}/move`, { from: third.id, start: '2027-02-17T10:00:00+01:00', end: '2027-02-17T12:00:00+01:00' });
      expect(res.status).toBe(200);
      const starts = res.body.windows.map((w: any) => w.start);
      expect(starts.slice(0, 2)).toEqual(['2027-01-19T09:00:00+01:00', '2027-02-02T09:00:00+01:00']);
      expect(starts.slice(2)).toEqual([
        '2027-02-17T10:00:00+01:00', '2027-03-03T10:00:00+01:00', '2027-03-17T10:00:00+01:00', '2027-03-31T10:00:00+02:00',
        '2027-04-14T10:00:00+02:00', '2027-04-28T10:00:00+02:00', '2027-05-12T10:00:00+02:00',
      ]);
      expect(res.body.windows.slice(2).every((w: any) => w.revision === 2)).toBe(true);
    });
  });
});
