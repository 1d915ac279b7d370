import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuleViolationError } from '../../src/errors.js';
import { loadPolicy } from '../../src/policy/load-policy.js';
import { BusinessCalendar } from '../../src/rules/business-calendar.js';
import type { Committed, NewWindowInput, WindowServiceDeps } from '../../src/windows/window-service.js';
import { createWindow } from '../../src/windows/window-service.js';
import { testBackends, type TestDatabase } from '../support/database.js';

const NOW = DateTime.fromISO('2026-11-25T12:00:00Z');
const OVERLAP = { reason: 'Flera leverantörer samma kväll' };

/** A minor window on Tes on a Tuesday months ahead: compliant unless it overlaps another. */
function tuesday(date: string, title: string, extra: Partial<NewWindowInput> = {}): NewWindowInput {
  return { title, systems: ['tes'], kind: 'minor', start: DateTime.fromISO(`${date}T09:00:00+02:00`), end: DateTime.fromISO(`${date}T11:00:00+02:00`), ...extra };
}

/*
 * Creates sent together share a transaction. Called in one go, the first begins a group and
 * the group takes them all once it has the register's lock: these tests judge that group by
 * what serial creates, one after the other in the order sent, would have stored and answered.
 */
describe.each(testBackends)('creates arriving together on $name', (backend) => {
  let database: TestDatabase;
  let deps: WindowServiceDeps;
  const committed: Committed[] = [];
  beforeAll(async () => {
    database = await backend.open();
    const policy = loadPolicy();
    deps = {
      db: database.db,
      rules: { policy, calendar: new BusinessCalendar(policy) },
      clock: () => NOW,
      onCommitted: async (change) => void committed.push(change),
    };
  });
  afterAll(async () => {
    await database?.close();
  });

  const auditOf = async (windowId: string) =>
    (await database.db.selectFrom('audit_events').selectAll().where('window_id', '=', windowId).executeTakeFirstOrThrow()) as unknown as { id: string; details: { overlaps: string[] } };

  it('when ten creates for one slot arrive together without allowOverlap, then the first is stored and the nine others are refused naming it', async () => {
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => createWindow(deps, tuesday('2027-03-30', `Samma tid ${i}`), 'admin:test')));
    const stored = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(stored.map((w) => w.title)).toEqual(['Samma tid 0']);
    const refusals = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(refusals).toHaveLength(9);
    for (const refusal of refusals) {
      expect(refusal).toBeInstanceOf(RuleViolationError);
      expect((refusal as RuleViolationError).errors?.map((e) => e.code)).toEqual(['overlapping_window']);
      const extra = (refusal as RuleViolationError).extra as { conflicts: { id: string }[]; suggestedStart: string };
      expect(extra.conflicts.map((c) => c.id)).toEqual([stored[0]!.id]);
      // The nearest slot on the same weekday, from the whole register: the one asked for is the group's first's.
      expect(extra.suggestedStart).toBe('2027-04-06T09:00:00+02:00');
    }
    const rows = await database.db.selectFrom('windows').select('title').where('start_at', '=', new Date('2027-03-30T07:00:00Z')).execute();
    expect(rows.map((r) => r.title)).toEqual(['Samma tid 0']);
  });

  it('when creates with allowOverlap arrive together, then each is stored with the overlaps of those sent before it, audited in the order sent', async () => {
    const first = await createWindow(deps, tuesday('2027-04-06', 'Redan registrerat'), 'admin:test');
    const together = await Promise.all(
      Array.from({ length: 5 }, (_, i) => createWindow(deps, tuesday('2027-04-06', `Ovanpå ${i}`, { allowOverlap: OVERLAP }), 'admin:test')),
    );
    const ids = [first.id, ...together.map((w) => w.id)];
    for (const [i, window] of together.entries()) {
      expect(window.allowOverlap).toEqual(OVERLAP);
      expect((await auditOf(window.id)).details.overlaps).toEqual(ids.slice(0, i + 1));
    }
    const auditIds = await Promise.all(ids.map(async (id) => BigInt((await auditOf(id)).id)));
    expect([...auditIds].sort((a, b) => (a < b ? -1 : 1))).toEqual(auditIds);
  });

  it('when one of a group is refused, then the others of the group are stored and scheduled, each with its own notices', async () => {
    committed.length = 0;
    const sent = [
      tuesday('2027-05-04', 'Först'),
      tuesday('2027-04-13', 'Tisdag A'),
      tuesday('2027-04-13', 'Tisdag A igen'),
      tuesday('2027-04-20', 'Tisdag B'),
      { ...tuesday('2027-04-20', 'Tisdag B på CareLock'), systems: ['carelock'] },
    ];
    const results = await Promise.allSettled(sent.map((input) => createWindow(deps, input, 'admin:test')));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const refusal = (results[2] as PromiseRejectedResult).reason as RuleViolationError;
    expect((refusal.extra as { conflicts: { title: string }[] }).conflicts.map((c) => c.title)).toEqual(['Tisdag A']);
    const stored = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(committed.map((c) => c.window?.title)).toEqual(['Först', 'Tisdag A', 'Tisdag B', 'Tisdag B på CareLock']);
    for (const window of stored) {
      const notices = await database.db.selectFrom('notices').select(['id', 'due_at']).where('window_id', '=', window.id).orderBy('due_at').orderBy('created_at').execute();
      expect(window.notices.map((n) => n.id).sort()).toEqual(notices.map((n) => n.id).sort());
      expect(committed.find((c) => c.window?.id === window.id)!.notices.map((n) => n.id).sort()).toEqual(notices.map((n) => n.id).sort());
    }
  });

  it('when the statement writing a group fails for one create, then each is tried alone and only that one fails', async () => {
    committed.length = 0;
    // PostgreSQL stores no NUL character in text: this create passes every rule and fails only in the database.
    const sent = [tuesday('2027-05-11', 'Före'), tuesday('2027-05-18', 'Trasig\u0000titel'), tuesday('2027-05-25', 'Efter')];
    const results = await Promise.allSettled(sent.map((input) => createWindow(deps, input, 'admin:test')));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(committed.map((c) => c.window?.title)).toEqual(['Före', 'Efter']);
    const titles = await database.db.selectFrom('windows').select('title').where('title', 'in', ['Före', 'Efter']).execute();
    expect(titles.map((t) => t.title).sort()).toEqual(['Efter', 'Före']);
  });
});
