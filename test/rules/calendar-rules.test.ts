import { describe, expect, it } from 'vitest';
import type { Policy } from '../../src/policy/policy-schema.js';
import { BusinessCalendar } from '../../src/rules/business-calendar.js';
import { blackoutAt } from '../../src/rules/blackouts.js';
import { affectedSystems, affectedSystemsText, shareASystem } from '../../src/rules/dependencies.js';
import type { RuleBook } from '../../src/rules/notice-plan.js';
import { overlappingWindows } from '../../src/rules/overlaps.js';
import { seriesOccurrences } from '../../src/rules/series.js';
import { nextMinorSlots } from '../../src/rules/slots.js';
import { checkAgainstTaken, checkWindow } from '../../src/rules/window-rules.js';
import { defaultRuleBook, local, utc } from './rule-book.js';

const base = defaultRuleBook();
const NOW = utc('2026-11-25T12:00:00Z');

function ruleBook(change: (policy: Policy) => Policy): RuleBook {
  const policy = change(structuredClone(base.policy) as Policy);
  return { policy, calendar: new BusinessCalendar(policy) };
}

/** Tes ← CareApp ← CareLock: a chain, CareLock depending on CareApp which depends on Tes. */
const chained = ruleBook((p) => ({
  ...p,
  systems: {
    tes: { ...p.systems.tes!, dependsOn: [] },
    careapp: { ...p.systems.careapp!, dependsOn: ['tes'] },
    carelock: { ...p.systems.carelock!, dependsOn: ['careapp'] },
  },
}));
const withBlackout = ruleBook((p) => ({
  ...p,
  blackouts: [{ from: '2027-01-01', to: '2027-01-10', reason: 'Jul- och nyårshelgerna: enheterna har vikarier.' }],
}));

const taken = (id: string, systems: string[], start: string, end: string) => ({ id, title: id, systems, start: local(start), end: local(end) });

describe('dependent systems', () => {
  it('when a chain of dependencies leads to Tes, then a Tes window affects the whole chain, in the policy order', () => {
    expect(affectedSystems(chained.policy, ['tes'])).toEqual(['tes', 'careapp', 'carelock']);
    expect(affectedSystems(chained.policy, ['careapp'])).toEqual(['careapp', 'carelock']);
    expect(affectedSystems(chained.policy, ['carelock'])).toEqual(['carelock']);
  });

  it('when the notice names the systems, then the dependents follow "och därmed"', () => {
    expect(affectedSystemsText(chained.policy, ['tes'])).toBe('Tes (och därmed CareApp och CareLock)');
    expect(affectedSystemsText(base.policy, ['tes'])).toBe('Tes (och därmed CareApp)');
    expect(affectedSystemsText(base.policy, ['tes', 'carelock'])).toBe('Tes och CareLock (och därmed CareApp)');
    expect(affectedSystemsText(base.policy, ['tes', 'careapp'])).toBe('Tes och CareApp');
    expect(affectedSystemsText(base.policy, ['carelock'])).toBe('CareLock');
  });

  it('when the policy has a cycle, then each system is visited once', () => {
    const cyclic = ruleBook((p) => ({
      ...p,
      systems: { ...p.systems, tes: { ...p.systems.tes!, dependsOn: ['careapp'] }, careapp: { ...p.systems.careapp!, dependsOn: ['tes'] } },
    }));
    expect(affectedSystems(cyclic.policy, ['tes'])).toEqual(['tes', 'careapp']);
  });

  it('when two windows name different systems linked by a dependency, then they share a system', () => {
    expect(shareASystem(chained.policy, ['tes'], ['carelock'])).toBe(true);
    expect(shareASystem(chained.policy, ['carelock'], ['careapp'])).toBe(true);
    expect(shareASystem(base.policy, ['carelock'], ['tes'])).toBe(false);
  });
});

describe('overlaps', () => {
  it('when a window shares time and a system with a taken one, then that one conflicts; back to back does not', () => {
    const others = [taken('a', ['tes'], '2026-12-15T09:00', '2026-12-15T12:00'), taken('b', ['tes'], '2026-12-15T12:00', '2026-12-15T13:00')];
    const draft = { systems: ['tes'], start: local('2026-12-15T10:00'), end: local('2026-12-15T11:00') };
    expect(overlappingWindows(base.policy, draft, others).map((w) => w.id)).toEqual(['a']);
    expect(overlappingWindows(base.policy, { ...draft, start: local('2026-12-15T12:00'), end: local('2026-12-15T12:30') }, [others[0]!])).toEqual([]);
  });

  it('when a window is on a system depending on the taken one, then it conflicts; on an unrelated one it does not', () => {
    const others = [taken('a', ['tes'], '2026-12-15T09:00', '2026-12-15T12:00')];
    const at = { start: local('2026-12-15T10:00'), end: local('2026-12-15T11:00') };
    expect(overlappingWindows(base.policy, { systems: ['careapp'], ...at }, others)).toHaveLength(1);
    expect(overlappingWindows(base.policy, { systems: ['carelock'], ...at }, others)).toHaveLength(0);
  });

  it('when windows lie across the October daylight-saving change, then real time decides, not the wall clock', () => {
    // 02:00–02:45 happens twice on 31 October 2027: first at +02:00, then at +01:00.
    const first = { id: 'summer', title: 's', systems: ['tes'], start: utc('2027-10-31T00:00:00Z'), end: utc('2027-10-31T00:45:00Z') };
    const second = { systems: ['tes'], start: utc('2027-10-31T01:00:00Z'), end: utc('2027-10-31T01:45:00Z') };
    expect(first.start.setZone('Europe/Stockholm').toFormat('HH:mm')).toBe(second.start.setZone('Europe/Stockholm').toFormat('HH:mm'));
    expect(overlappingWindows(base.policy, second, [first])).toEqual([]);
    const across = { systems: ['tes'], start: utc('2027-10-31T00:30:00Z'), end: utc('2027-10-31T01:15:00Z') };
    expect(overlappingWindows(base.policy, across, [first])).toHaveLength(1);
  });

  it('when the window being moved is itself taken, then it does not conflict with itself', () => {
    const others = [taken('self', ['tes'], '2026-12-15T09:00', '2026-12-15T12:00')];
    expect(overlappingWindows(base.policy, { systems: ['tes'], start: local('2026-12-15T10:00'), end: local('2026-12-15T11:00') }, others, 'self')).toEqual([]);
  });

  it('when many taken windows repeat a few lists of systems, then each is judged by its own list, in the order given', () => {
    const at = (id: string, systems: string[]) => taken(id, systems, '2026-12-15T09:00', '2026-12-15T12:00');
    const others = [at('a', ['carelock']), at('b', ['tes']), at('c', ['carelock']), at('d', ['careapp', 'carelock']), at('e', ['tes']), at('f', ['carelock'])];
    const draft = { start: local('2026-12-15T10:00'), end: local('2026-12-15T11:00') };
    expect(overlappingWindows(base.policy, { systems: ['careapp'], ...draft }, others).map((w) => w.id)).toEqual(['b', 'd', 'e']);
    expect(overlappingWindows(chained.policy, { systems: ['careapp'], ...draft }, others).map((w) => w.id)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(overlappingWindows(base.policy, { systems: ['carelock'], ...draft }, others).map((w) => w.id)).toEqual(['a', 'c', 'd', 'f']);
  });
});

describe('checking against taken windows after checking alone', () => {
  const draft = (start: string, end: string, systems = ['tes']) => ({ kind: 'minor' as const, systems, start: local(start), end: local(end) });
  /** What a check answers, in plain values. */
  const view = (check: ReturnType<typeof checkWindow>) => ({
    violations: check.violations,
    notices: check.plan.notices.map((n) => ({ audience: n.audience, kind: n.kind, dueAt: n.dueAt.toISO(), requiredBy: n.requiredBy.toISO(), late: n.late })),
    overdue: check.plan.overdue,
    earliestCompliantStart: check.earliestCompliantStart?.toISO() ?? null,
    suggestion: check.suggestion ? [check.suggestion.start.toISO(), check.suggestion.end.toISO()] : null,
    conflicts: check.conflicts.map((c) => c.id),
    blackout: check.blackout,
  });
  const others = [taken('a', ['tes'], '2027-02-16T09:00', '2027-02-16T12:00'), taken('b', ['carelock'], '2027-02-16T10:00', '2027-02-16T11:00')];

  it.each([
    ['a compliant window on a free slot', draft('2027-02-23T10:00', '2027-02-23T11:00'), { shortNotice: false }],
    ['a compliant window overlapping one, overlap accepted', draft('2027-02-16T10:00', '2027-02-16T11:00'), { shortNotice: false, allowOverlap: true }],
    ['a compliant window overlapping one, overlap not accepted', draft('2027-02-16T10:00', '2027-02-16T11:00'), { shortNotice: false }],
    ['a window on a Thursday overlapping nothing', draft('2027-02-18T10:00', '2027-02-18T11:00'), { shortNotice: false }],
    ['a window with too short notice, overlapping one', draft('2026-12-01T09:00', '2026-12-01T11:00'), { shortNotice: false }],
    ['a window with too short notice accepted, overlapping one', draft('2026-12-01T09:00', '2026-12-01T11:00'), { shortNotice: true, allowOverlap: true }],
  ])('when %s, then the answer is the one checkWindow gives with the taken windows', (_what, window, options) => {
    const taken2 = [...others, taken('c', ['tes'], '2026-12-01T08:00', '2026-12-01T10:00')];
    const alone = checkWindow(base, window, NOW, options);
    const withTaken = { ...options, taken: taken2 };
    expect(view(checkAgainstTaken(base, window, NOW, withTaken, alone))).toEqual(view(checkWindow(base, window, NOW, withTaken)));
  });

  it('when a compliant window overlaps one and that is accepted, then the conflict is listed and the rest is the check alone', () => {
    const window = draft('2027-02-16T10:00', '2027-02-16T11:00');
    const alone = checkWindow(base, window, NOW, { shortNotice: false, allowOverlap: true });
    const check = checkAgainstTaken(base, window, NOW, { shortNotice: false, allowOverlap: true, taken: others }, alone);
    expect(check.conflicts.map((c) => c.id)).toEqual(['a']);
    expect(check.violations).toEqual([]);
    expect(check.plan).toBe(alone.plan);
  });
});

describe('blackout periods', () => {
  it('when a start falls on the first or last day of a period, then it is inside; the day after is not', () => {
    expect(blackoutAt(withBlackout, local('2027-01-01T00:00'))?.reason).toMatch(/^Jul/);
    expect(blackoutAt(withBlackout, local('2027-01-10T23:59'))).not.toBeNull();
    expect(blackoutAt(withBlackout, local('2027-01-11T00:00'))).toBeNull();
  });

  it('when a minor window starts in one, then it is refused with the reason and the next allowed slot on its weekday', () => {
    const draft = { kind: 'minor' as const, systems: ['tes'], start: local('2027-01-05T09:00'), end: local('2027-01-05T11:00') };
    const check = checkWindow(withBlackout, draft, NOW, { shortNotice: false });
    expect(check.violations.map((v) => v.code)).toEqual(['blackout_period']);
    expect(check.violations[0]!.message).toContain('Jul- och nyårshelgerna');
    expect(check.suggestion?.start.toISO()).toBe('2027-01-12T09:00:00.000+01:00');
    expect(check.suggestion?.end.toISO()).toBe('2027-01-12T11:00:00.000+01:00');
  });

  it('when an extensive window is allowed into one, then it passes; a minor one is still refused', () => {
    const at = { systems: ['tes'], start: local('2027-01-05T09:00'), end: local('2027-01-05T11:00') };
    expect(checkWindow(withBlackout, { kind: 'extensive', ...at }, NOW, { shortNotice: false, allowBlackout: true }).violations).toEqual([]);
    expect(checkWindow(withBlackout, { kind: 'minor', ...at }, NOW, { shortNotice: false, allowBlackout: true }).violations.map((v) => v.code)).toEqual(['blackout_period']);
  });

  it('when slots are listed across a period, then none starts inside it', () => {
    const dates = nextMinorSlots(withBlackout, local('2026-12-28T00:00'), 3, NOW).map((s) => s.start.toISODate());
    expect(dates).toEqual(['2026-12-29', '2026-12-30', '2027-01-12']);
  });
});

describe('the nearest compliant slot', () => {
  const minor = (start: string, end: string) => ({ kind: 'minor' as const, systems: ['tes'], start: local(start), end: local(end) });

  it('when a minor window is asked for on a Monday, then the nearest allowed day is offered, the later one first', () => {
    const check = checkWindow(base, minor('2027-01-11T10:00', '2027-01-11T12:00'), NOW, { shortNotice: false });
    expect(check.violations.map((v) => v.code)).toEqual(['outside_maintenance_slot']);
    expect(check.suggestion?.start.toISO()).toBe('2027-01-12T10:00:00.000+01:00');
  });

  it('when a Tuesday overlaps a taken window, then the nearest free Tuesday, later before earlier, is offered', () => {
    const others = [taken('a', ['tes'], '2027-02-16T09:00', '2027-02-16T12:00')];
    const check = checkWindow(base, minor('2027-02-16T10:00', '2027-02-16T11:00'), NOW, { shortNotice: false, taken: others });
    expect(check.violations.map((v) => v.code)).toEqual(['overlapping_window']);
    expect(check.suggestion?.start.toISO()).toBe('2027-02-23T10:00:00.000+01:00');
  });

  it('when a Wednesday is a public holiday, then the Wednesday after is offered', () => {
    const check = checkWindow(base, minor('2027-01-06T09:00', '2027-01-06T11:00'), NOW, { shortNotice: false });
    expect(check.violations.map((v) => v.code)).toEqual(['public_holiday']);
    expect(check.suggestion?.start.toISO()).toBe('2027-01-13T09:00:00.000+01:00');
  });

  it('when notice is too short, then the nearest slot is the first one late enough, on the same weekday', () => {
    const check = checkWindow(base, minor('2026-12-01T09:00', '2026-12-01T11:00'), NOW, { shortNotice: false });
    expect(check.violations.map((v) => v.code)).toEqual(['insufficient_notice']);
    expect(check.suggestion?.start.toISO()).toBe('2026-12-15T09:00:00.000+01:00');
  });

  it('when the window lies after the March change, then the suggestion keeps the local clock time', () => {
    const others = [taken('a', ['tes'], '2027-03-30T09:00', '2027-03-30T12:00')];
    const check = checkWindow(base, minor('2027-03-30T09:00', '2027-03-30T11:00'), NOW, { shortNotice: false, taken: others });
    expect(check.suggestion?.start.toISO()).toBe('2027-04-06T09:00:00.000+02:00');
  });
});

describe('series occurrences', () => {
  it('when a rule says every other Tuesday ten times, then ten local dates at 09:00 come out, across the March change', () => {
    const list = seriesOccurrences(base, { rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU', dtstart: '2027-01-05', start: '09:00', end: '11:00', count: 10 });
    expect(list.map((o) => o.date)).toEqual([
      '2027-01-05', '2027-01-19', '2027-02-02', '2027-02-16', '2027-03-02', '2027-03-16', '2027-03-30', '2027-04-13', '2027-04-27', '2027-05-11',
    ]);
    expect(list.at(-1)!.start.toISO()).toBe('2027-05-11T09:00:00.000+02:00');
  });

  it('when a rule has no end, then it is refused rather than run to the limit', () => {
    expect(() => seriesOccurrences(base, { rrule: 'FREQ=WEEKLY;BYDAY=TU', dtstart: '2027-01-05', start: '09:00', end: '11:00' })).toThrow(/until eller count/);
  });
});
