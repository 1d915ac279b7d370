import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Audience } from '../../src/policy/policy-schema.js';
import { ADMIN_TOKEN } from '../support/api.js';
import { useTestApi } from '../support/api-fixture.js';
import { testBackends } from '../support/database.js';
import { insertManagers } from '../support/notice-fixtures.js';

const NOW = '2026-11-25T12:00:00Z';
/** NOW as the API shows it, in Swedish local time. */
const NOW_LOCAL = '2026-11-25T13:00:00+01:00';

/** Tuesday 2027-02-16 and the Tuesday after: both compliant, with every notice still ahead. */
const TUE_16 = { start: '2027-02-16T09:00:00+01:00', end: '2027-02-16T12:00:00+01:00' };
const TUE_23 = { start: '2027-02-23T09:00:00+01:00', end: '2027-02-23T12:00:00+01:00' };

const minor = (time: { start: string; end: string }, extra: Record<string, unknown> = {}) => ({
  title: `Uppgradering ${randomUUID().slice(0, 8)}`,
  systems: ['tes', 'careapp'],
  kind: 'minor',
  ...time,
  ...extra,
});

/** Notices as "audience kind revision status dueAt", sorted, to compare a whole plan at once. */
const summary = (notices: any[]) =>
  notices.map((n) => `${n.audience} ${n.kind} r${n.revision} ${n.status} ${n.dueAt}`).sort();

describe.each(testBackends)('window changes on $name', (backend) => {
  const fixture = useTestApi(backend, NOW);
  // The describe shares one database; each test registers its windows into a register of its own.
  beforeEach(() => fixture.retireWindows());
  const { windowCount } = fixture;

  const create = async (body: Record<string, unknown>) => {
    const res = await fixture.api.request('POST', '/api/windows', { body });
    expect(res.status).toBe(201);
    return res.body;
  };
  const rowsTitled = async (title: string) =>
    fixture.database.db.selectFrom('windows').select('id').where('title', '=', title).execute();
  /** As if a worker had sent the audience's announcement, and it reached one manager. */
  const markAnnouncementSent = async (windowId: string, audience: Audience) => {
    const sentAt = new Date(NOW);
    const { db } = fixture.database;
    const notice = await db
      .updateTable('notices')
      .set({ status: 'sent', sent_at: sentAt, dispatched_at: sentAt })
      .where('window_id', '=', windowId)
      .where('audience', '=', audience)
      .where('kind', '=', 'announcement')
      .returning('id')
      .executeTakeFirstOrThrow();
    const [email] = await insertManagers(db, 1, { systems: ['tes'], tag: randomUUID().slice(0, 8) });
    const manager = await db.selectFrom('recipients').select('id').where('email', '=', email!).executeTakeFirstOrThrow();
    await db
      .insertInto('deliveries')
      .values({
        id: randomUUID(),
        notice_id: notice.id,
        recipient_key: manager.id,
        recipient_id: manager.id,
        channel: 'email',
        target: email!,
        batch: 0,
        status: 'sent',
        attempts: 1,
        sent_at: sentAt,
        created_at: sentAt,
      })
      .execute();
  };

  describe('Idempotency-Key', () => {
    it('when the same key and body are sent twice, then both are 201 with the same window and one row', async () => {
      const body = minor(TUE_16);
      const headers = { 'idempotency-key': `same-${randomUUID()}` };
      const first = await fixture.api.request('POST', '/api/windows', { body, headers });
      const second = await fixture.api.request('POST', '/api/windows', { body, headers });
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(second.body.id).toBe(first.body.id);
      expect(second.body).toEqual(first.body);
      expect(await rowsTitled(body.title)).toHaveLength(1);
    });

    it('when the same key comes with a different body, then it is a 409 and no second window is stored', async () => {
      const headers = { 'idempotency-key': `other-${randomUUID()}` };
      const body = minor(TUE_16);
      expect((await fixture.api.request('POST', '/api/windows', { body, headers })).status).toBe(201);
      const changed = { ...body, end: '2027-02-16T13:00:00+01:00' };
      const res = await fixture.api.request('POST', '/api/windows', { body: changed, headers });
      expect(res.status).toBe(409);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await rowsTitled(body.title)).toHaveLength(1);
    });

    it('when five requests with one key race, then all get the same window and one row is stored', async () => {
      const body = minor(TUE_16);
      const headers = { 'idempotency-key': `race-${randomUUID()}` };
      const results = await Promise.all(Array.from({ length: 5 }, () => fixture.api.request('POST', '/api/windows', { body, headers })));
      expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      expect(await rowsTitled(body.title)).toHaveLength(1);
      const notices = await fixture.database.db.selectFrom('notices').select('id').where('window_id', '=', results[0]!.body.id).execute();
      expect(notices).toHaveLength(results[0]!.body.notices.length);
    });
  });

  describe('PATCH', () => {
    it('when only the title changes, then the revision stays 1 and the notices are untouched', async () => {
      const window = await create(minor(TUE_16));
      const res = await fixture.api.request('PATCH', `/api/windows/${window.id}`, { body: { title: 'Ny rubrik' } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ title: 'Ny rubrik', revision: 1, start: TUE_16.start });
      expect(res.body.notices).toEqual(window.notices);
    });

    it('when the same start is sent in UTC, then nothing has moved and the revision stays 1', async () => {
      const window = await create(minor(TUE_16));
      const res = await fixture.api.request('PATCH', `/api/windows/${window.id}`, { body: { start: '2027-02-16T08:00:00Z' } });
      expect(res.status).toBe(200);
      expect(res.body.revision).toBe(1);
      expect(res.body.notices).toEqual(window.notices);
    });

    it('when the window moves to the next Tuesday, then revision 2 replaces every pending notice at the new due instants', async () => {
      const window = await create(minor(TUE_16));
      expect(summary(window.notices)).toEqual([
        'egetval announcement r1 pending 2027-02-02T08:00:00+01:00',
        'egetval reminder r1 pending 2027-02-15T08:00:00+01:00',
        'intranet announcement r1 pending 2027-02-09T08:00:00+01:00',
        'managers announcement r1 pending 2027-02-02T08:00:00+01:00',
        // The acknowledgement's chase, three business days before.
        'managers reminder r1 pending 2027-02-11T08:00:00+01:00',
        'managers reminder r1 pending 2027-02-15T08:00:00+01:00',
        'public announcement r1 pending 2027-02-09T08:00:00+01:00',
      ]);
      const res = await fixture.api.request('PATCH', `/api/windows/${window.id}`, { body: TUE_23 });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ revision: 2, status: 'scheduled', start: TUE_23.start, end: TUE_23.end });
      const old = res.body.notices.filter((n: any) => n.revision === 1);
      expect(old.map((n: any) => n.id).sort()).toEqual(window.notices.map((n: any) => n.id).sort());
      expect(old.every((n: any) => n.status === 'cancelled')).toBe(true);
      expect(summary(res.body.notices.filter((n: any) => n.revision === 2))).toEqual([
        'egetval announcement r2 pending 2027-02-09T08:00:00+01:00',
        'egetval reminder r2 pending 2027-02-22T08:00:00+01:00',
        'intranet announcement r2 pending 2027-02-16T08:00:00+01:00',
        'managers announcement r2 pending 2027-02-09T08:00:00+01:00',
        'managers reminder r2 pending 2027-02-18T08:00:00+01:00',
        'managers reminder r2 pending 2027-02-22T08:00:00+01:00',
        'public announcement r2 pending 2027-02-16T08:00:00+01:00',
      ]);
      expect(fixture.api.planned.filter((n) => n.window_id === window.id && n.revision === 2)).toHaveLength(7);
    });

    it('when the window moves to a Thursday, then it is a 422 outside_maintenance_slot and nothing changes', async () => {
      const window = await create(minor(TUE_16));
      const res = await fixture.api.request('PATCH', `/api/windows/${window.id}`, {
        body: { start: '2027-02-25T09:00:00+01:00', end: '2027-02-25T12:00:00+01:00' },
      });
      expect(res.status).toBe(422);
      expect(res.body.errors.map((e: any) => e.code)).toContain('outside_maintenance_slot');
      expect((await fixture.api.request('GET', `/api/windows/${window.id}`)).body).toEqual(window);
    });

    it('when the window moves six days ahead, then it is a 422 insufficient_notice naming the earliest start, and accepted with short notice', async () => {
      const window = await create(minor(TUE_16));
      const soon = { start: '2026-12-01T09:00:00+01:00', end: '2026-12-01T12:00:00+01:00' };
      const refused = await fixture.api.request('PATCH', `/api/windows/${window.id}`, { body: soon });
      expect(refused.status).toBe(422);
      expect(refused.body.errors).toEqual([expect.objectContaining({ path: 'start', code: 'insufficient_notice' })]);
      expect(refused.body.earliestCompliantStart).toBe('2026-12-09T09:00:00+01:00');
      expect((await fixture.api.request('GET', `/api/windows/${window.id}`)).body).toEqual(window);

      const reason = 'Kritisk säkerhetsuppdatering';
      const accepted = await fixture.api.request('PATCH', `/api/windows/${window.id}`, { body: { ...soon, shortNotice: { reason } } });
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({ revision: 2, start: soon.start, shortNotice: { reason } });
      const managers = accepted.body.notices.find((n: any) => n.revision === 2 && n.audience === 'managers' && n.kind === 'announcement');
      expect(managers).toMatchObject({ status: 'pending', late: true, dueAt: NOW_LOCAL });
    });

    it('when a short-notice window moves to four days\' notice without shortNotice, then it is a 422 insufficient_notice: the old reason is not reused', async () => {
      const soon = { start: '2026-12-01T09:00:00+01:00', end: '2026-12-01T12:00:00+01:00' };
      const window = await create(minor(soon, { shortNotice: { reason: 'Säkerhetsuppdatering' } }));
      const sooner = { start: '2026-11-29T09:00:00+01:00', end: '2026-11-29T12:00:00+01:00' };
      // Sunday is no maintenance day; the Wednesday after is four working days' notice.
      const fourDays = { start: '2026-12-02T09:00:00+01:00', end: '2026-12-02T12:00:00+01:00' };
      expect((await fixture.api.request('PATCH', `/api/windows/${window.id}`, { body: sooner })).status).toBe(422);
      const refused = await fixture.api.request('PATCH', `/api/windows/${window.id}`, { body: fourDays });
      expect(refused.status).toBe(422);
      expect(refused.body.errors).toEqual([expect.objectContaining({ path: 'start', code: 'insufficient_notice' })]);
      expect(refused.body.earliestCompliantStart).toBe('2026-12-09T09:00:00+01:00');
      expect((await fixture.api.request('GET', `/api/windows/${window.id}`)).body).toEqual(window);
    });

    it('when a PATCH gives a new shortNotice.reason, then the window records it and the audit trail keeps the old one', async () => {
      const soon = { start: '2026-12-01T09:00:00+01:00', end: '2026-12-01T12:00:00+01:00' };
      const window = await create(minor(soon, { shortNotice: { reason: 'Säkerhetsuppdatering' } }));
      const fourDays = { start: '2026-12-02T09:00:00+01:00', end: '2026-12-02T12:00:00+01:00' };
      const moved = await fixture.api.request('PATCH', `/api/windows/${window.id}`, {
        body: { ...fourDays, shortNotice: { reason: 'Leverantören flyttade uppgraderingen' } },
      });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ revision: 2, shortNotice: { reason: 'Leverantören flyttade uppgraderingen' } });

      // A new reason alone, without moving: recorded too.
      const edited = await fixture.api.request('PATCH', `/api/windows/${window.id}`, { body: { shortNotice: { reason: 'Kritisk rättning' } } });
      expect(edited.status).toBe(200);
      expect(edited.body).toMatchObject({ revision: 2, shortNotice: { reason: 'Kritisk rättning' } });

      const audit = await fixture.database.db
        .selectFrom('audit_events')
        .select(['action', 'details'])
        .where('window_id', '=', window.id)
        .orderBy('at')
        .orderBy('id')
        .execute();
      const changes = audit.filter((e) => e.action !== 'window.created').map((e) => e.details as any);
      expect(changes.map((d) => [d.before.shortNotice, d.after.shortNotice])).toEqual([
        ['Säkerhetsuppdatering', 'Leverantören flyttade uppgraderingen'],
        ['Leverantören flyttade uppgraderingen', 'Kritisk rättning'],
      ]);
    });

    it('when managers were already told, then a reschedule sends them an update now and no new announcement, while the intranet gets one', async () => {
      const window = await create(minor(TUE_16));
      await markAnnouncementSent(window.id, 'managers');
      const res = await fixture.api.request('PATCH', `/api/windows/${window.id}`, { body: TUE_23 });
      expect(res.status).toBe(200);
      expect(res.body.revision).toBe(2);
      const managers = res.body.notices.filter((n: any) => n.audience === 'managers');
      expect(summary(managers)).toEqual([
        'managers announcement r1 sent 2027-02-02T08:00:00+01:00',
        'managers reminder r1 cancelled 2027-02-11T08:00:00+01:00',
        'managers reminder r1 cancelled 2027-02-15T08:00:00+01:00',
        'managers reminder r2 pending 2027-02-18T08:00:00+01:00',
        'managers reminder r2 pending 2027-02-22T08:00:00+01:00',
        `managers update r2 pending ${NOW_LOCAL}`,
      ]);
      const intranet = res.body.notices.filter((n: any) => n.audience === 'intranet');
      expect(summary(intranet)).toEqual([
        'intranet announcement r1 cancelled 2027-02-09T08:00:00+01:00',
        'intranet announcement r2 pending 2027-02-16T08:00:00+01:00',
      ]);
    });

    it('when two reschedules race, then they apply one after the other and only the last plan stays pending', async () => {
      const window = await create(minor(TUE_16));
      const TUE_MAR_2 = { start: '2027-03-02T09:00:00+01:00', end: '2027-03-02T12:00:00+01:00' };
      const results = await Promise.all([TUE_23, TUE_MAR_2].map((body) => fixture.api.request('PATCH', `/api/windows/${window.id}`, { body })));
      expect(results.map((r) => r.status)).toEqual([200, 200]);
      const current = (await fixture.api.request('GET', `/api/windows/${window.id}`)).body;
      expect(current.revision).toBe(3);
      const pending = current.notices.filter((n: any) => n.status === 'pending');
      expect(pending).toHaveLength(7);
      expect(pending.every((n: any) => n.revision === 3)).toBe(true);
    });

    it('when a window is cancelled, then PATCH is a 409 and the window stays cancelled', async () => {
      const window = await create(minor(TUE_16));
      expect((await fixture.api.request('POST', `/api/windows/${window.id}/cancel`, { body: { reason: 'Inte längre aktuellt' } })).status).toBe(200);
      const res = await fixture.api.request('PATCH', `/api/windows/${window.id}`, { body: { title: 'Ändrad ändå' } });
      expect(res.status).toBe(409);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await fixture.api.request('GET', `/api/windows/${window.id}`)).body).toMatchObject({ status: 'cancelled', revision: 2 });
    });
  });

  describe('cancel', () => {
    it('when nobody was told, then the window is cancelled at revision 2, every notice cancelled and no cancellation planned', async () => {
      const window = await create(minor(TUE_16));
      const res = await fixture.api.request('POST', `/api/windows/${window.id}/cancel`, { body: { reason: 'Leverantören sköt upp' } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'cancelled', revision: 2, cancelReason: 'Leverantören sköt upp' });
      expect(res.body.notices).toHaveLength(window.notices.length);
      expect(res.body.notices.every((n: any) => n.status === 'cancelled' && n.kind !== 'cancellation')).toBe(true);
    });

    it('when managers were told, then only they get a cancellation, due now, at the new revision', async () => {
      const window = await create(minor(TUE_16));
      await markAnnouncementSent(window.id, 'managers');
      const res = await fixture.api.request('POST', `/api/windows/${window.id}/cancel`, { body: { reason: 'Leverantören sköt upp' } });
      expect(res.status).toBe(200);
      const cancellations = res.body.notices.filter((n: any) => n.kind === 'cancellation');
      expect(summary(cancellations)).toEqual([`managers cancellation r2 pending ${NOW_LOCAL}`]);
      const others = res.body.notices.filter((n: any) => n.kind !== 'cancellation');
      expect(others.filter((n: any) => n.status !== 'cancelled').map((n: any) => `${n.audience} ${n.status}`)).toEqual(['managers sent']);
    });

    it('when two cancellations race, then one succeeds and the other is a 409', async () => {
      const window = await create(minor(TUE_16));
      const results = await Promise.all(
        ['Första', 'Andra'].map((reason) => fixture.api.request('POST', `/api/windows/${window.id}/cancel`, { body: { reason } })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      expect((await fixture.api.request('GET', `/api/windows/${window.id}`)).body.revision).toBe(2);
    });

    it('when a window is cancelled twice, then the second is a 409 and adds no revision', async () => {
      const window = await create(minor(TUE_16));
      await fixture.api.request('POST', `/api/windows/${window.id}/cancel`, { body: { reason: 'Första gången' } });
      const again = await fixture.api.request('POST', `/api/windows/${window.id}/cancel`, { body: { reason: 'Andra gången' } });
      expect(again.status).toBe(409);
      const current = (await fixture.api.request('GET', `/api/windows/${window.id}`)).body;
      expect(current).toMatchObject({ revision: 2, cancelReason: 'Första gången' });
    });
  });

  describe('audit trail', () => {
    it('when a window is created, moved and cancelled, then each step is audited under the admin actor, never the token', async () => {
      const window = await create(minor(TUE_16));
      expect((await fixture.api.request('PATCH', `/api/windows/${window.id}`, { body: TUE_23 })).status).toBe(200);
      expect((await fixture.api.request('POST', `/api/windows/${window.id}/cancel`, { body: { reason: 'Inte längre aktuellt' } })).status).toBe(200);
      const events = await fixture.database.db
        .selectFrom('audit_events')
        .selectAll()
        .where('window_id', '=', window.id)
        .orderBy('id')
        .execute();
      expect(events.map((e) => e.action)).toEqual(['window.created', 'window.rescheduled', 'window.cancelled']);
      for (const event of events) {
        expect(event.actor).toMatch(/^admin:/);
        expect(event.actor).toBe(window.createdBy);
        expect(event.actor).not.toContain(ADMIN_TOKEN);
        expect(JSON.stringify(event.details)).not.toContain(ADMIN_TOKEN);
        expect(event.at.toISOString()).toBe(new Date(NOW).toISOString());
      }
      expect(events[2]!.details).toMatchObject({ reason: 'Inte längre aktuellt' });
    });

    it('when only the title changes, then the audit says edited, not rescheduled', async () => {
      const window = await create(minor(TUE_16));
      await fixture.api.request('PATCH', `/api/windows/${window.id}`, { body: { title: 'Bara rubriken' } });
      const actions = await fixture.database.db.selectFrom('audit_events').select('action').where('window_id', '=', window.id).orderBy('id').execute();
      expect(actions.map((a) => a.action)).toEqual(['window.created', 'window.edited']);
    });
  });
});
