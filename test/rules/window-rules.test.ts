import { describe, expect, it } from 'vitest';
import type { DateTime } from 'luxon';
import { checkWindow, findEarliestCompliantStart, type WindowDraft } from '../../src/rules/window-rules.js';
import { defaultRuleBook, local, summarize, utc, z } from './rule-book.js';

const rules = defaultRuleBook();
const registeredEarly = utc('2026-11-25T12:00:00Z');

function minor(start: string, end: string, systems: string[] = ['tes']): WindowDraft {
  return { kind: 'minor', systems, start: local(start), end: local(end) };
}

function check(draft: WindowDraft, now: DateTime = registeredEarly, shortNotice = false) {
  return checkWindow(rules, draft, now, { shortNotice });
}

function codes(draft: WindowDraft, now?: DateTime) {
  return check(draft, now).violations.map((v) => [v.path, v.code]);
}

describe('checkWindow: a compliant minor window', () => {
  it('when Tuesday 2027-03-30 09:00–12:00 is registered months ahead, then there are no violations', () => {
    const result = check(minor('2027-03-30T09:00', '2027-03-30T12:00', ['tes', 'careapp', 'carelock']));
    expect(result.violations).toEqual([]);
    expect(result.earliestCompliantStart).toBeNull();
    expect(result.plan.overdue).toEqual([]);
    expect(result.plan.notices).toHaveLength(6);
  });

  it('when the same window is given in UTC, then it is judged in Stockholm time just the same', () => {
    const inUtc: WindowDraft = { kind: 'minor', systems: ['tes'], start: utc('2027-03-30T07:00:00Z'), end: utc('2027-03-30T10:00:00Z') };
    const result = check(inUtc);
    expect(result.violations).toEqual([]);
    expect(result.plan.notices.map(summarize)).toEqual(check(minor('2027-03-30T09:00', '2027-03-30T12:00')).plan.notices.map(summarize));
  });

  it('when the window fills the slot exactly 09:00–14:00, then it is allowed', () => {
    expect(codes(minor('2027-03-31T09:00', '2027-03-31T14:00'))).toEqual([]);
  });
});

describe('checkWindow: refusals', () => {
  it.each([
    ['a Thursday', '2027-04-01T09:00', '2027-04-01T12:00'],
    ['Tuesday 08:00–10:00', '2027-03-30T08:00', '2027-03-30T10:00'],
    ['a window ending 14:30', '2027-03-30T10:00', '2027-03-30T14:30'],
    ['a window spanning Tuesday to Wednesday', '2027-03-30T09:00', '2027-03-31T12:00'],
    ['a Saturday', '2027-04-03T09:00', '2027-04-03T12:00'],
  ])('when a minor window is %s, then it is outside_maintenance_slot', (_what, start, end) => {
    const result = check(minor(start, end));
    expect(result.violations.map((v) => [v.path, v.code])).toEqual([['start', 'outside_maintenance_slot']]);
    expect(result.violations[0]!.message).toContain('tisdagar eller onsdagar 09.00–14.00');
  });

  it('when a minor window is on Epiphany, Wednesday 2027-01-06, then it is public_holiday naming the day', () => {
    const result = check(minor('2027-01-06T09:00', '2027-01-06T12:00'));
    expect(result.violations.map((v) => [v.path, v.code])).toEqual([['start', 'public_holiday']]);
    expect(result.violations[0]!.message).toContain('trettondedag jul');
  });

  it('when the end is before the start, then it is end_before_start', () => {
    expect(codes(minor('2027-03-30T12:00', '2027-03-30T09:00'))).toEqual([['end', 'end_before_start']]);
  });

  it('when the end equals the start, then it is end_before_start', () => {
    expect(codes(minor('2027-03-30T09:00', '2027-03-30T09:00'))).toEqual([['end', 'end_before_start']]);
  });

  it('when the start has passed, then it is in_past and notice is not judged', () => {
    const result = check(minor('2027-03-30T09:00', '2027-03-30T12:00'), local('2027-03-30T10:00'));
    expect(result.violations.map((v) => [v.path, v.code])).toEqual([['start', 'in_past']]);
    expect(result.earliestCompliantStart).toBeNull();
  });

  it('when the start is exactly now, then it is in_past', () => {
    expect(codes(minor('2027-03-30T09:00', '2027-03-30T12:00'), local('2027-03-30T09:00'))).toEqual([['start', 'in_past']]);
  });

  it('when a system is unknown, then it is unknown_system at its index', () => {
    const result = check(minor('2027-03-30T09:00', '2027-03-30T12:00', ['tes', 'foo']));
    expect(result.violations.map((v) => [v.path, v.code])).toEqual([['systems.1', 'unknown_system']]);
    expect(result.violations[0]!.message).toBe('Systemet "foo" finns inte. Kända system: tes, careapp, carelock.');
  });

  it('when a system is called like an Object property, then it is still unknown', () => {
    expect(codes(minor('2027-03-30T09:00', '2027-03-30T12:00', ['toString']))).toEqual([['systems.0', 'unknown_system']]);
  });

  it('when several rules are broken at once, then every one is reported', () => {
    const draft = minor('2027-04-01T12:00', '2027-04-01T09:00', ['foo']);
    expect(codes(draft, local('2027-04-02T09:00'))).toEqual([
      ['systems.0', 'unknown_system'],
      ['end', 'end_before_start'],
      ['start', 'in_past'],
      ['start', 'outside_maintenance_slot'],
    ]);
  });
});

describe('checkWindow: too short notice', () => {
  // Saturday 2027-04-10 10:00; the window is ten days later, Tuesday 2027-04-20.
  const now = local('2027-04-10T10:00');
  const draft = minor('2027-04-20T09:00', '2027-04-20T12:00');

  it('when registered ten days ahead, then it is insufficient_notice with the first compliant Tuesday at 09:00', () => {
    const result = check(draft, now);
    expect(result.violations.map((v) => [v.path, v.code])).toEqual([['start', 'insufficient_notice']]);
    // 14 days from Saturday 10 April is Saturday 24 April: the next Tuesday is 27 April.
    expect(result.earliestCompliantStart?.toISO()).toBe('2027-04-27T09:00:00.000+02:00');
    expect(z(result.earliestCompliantStart!)).toBe('2027-04-27T07:00:00.000Z');
    const message = result.violations[0]!.message;
    expect(message).toContain('Berörda chefer, Eget Val (externa utförare)');
    expect(message).not.toContain('Intranätet');
    expect(message).toContain('tisdag 27 april 2027 kl. 09.00');
    // The brief words leave the start to whoever shows earliestCompliantStart in its own way.
    expect(result.violations[0]!.brief).toBe(message.slice(0, message.indexOf(' Tidigaste start')));
    expect(result.violations[0]!.brief).not.toContain('2027-04-27');
  });

  it('when the short notice is accepted, then there are no violations and overdue notices go out now marked late', () => {
    const result = check(draft, now, true);
    expect(result.violations).toEqual([]);
    expect(result.earliestCompliantStart).toBeNull();
    expect(result.plan.overdue.map((s) => s.audience)).toEqual(['managers', 'egetval']);
    expect(result.plan.notices.map(summarize)).toEqual([
      { audience: 'managers', kind: 'announcement', leadDays: 14, dueAt: '2027-04-10T08:00:00.000Z', late: true },
      { audience: 'egetval', kind: 'announcement', leadDays: 14, dueAt: '2027-04-10T08:00:00.000Z', late: true },
      { audience: 'intranet', kind: 'announcement', leadDays: 7, dueAt: '2027-04-13T06:00:00.000Z', late: false },
      { audience: 'public', kind: 'announcement', leadDays: 7, dueAt: '2027-04-13T06:00:00.000Z', late: false },
      { audience: 'managers', kind: 'reminder', leadDays: null, dueAt: '2027-04-19T06:00:00.000Z', late: false },
      { audience: 'egetval', kind: 'reminder', leadDays: null, dueAt: '2027-04-19T06:00:00.000Z', late: false },
    ]);
  });

  it('when the first candidate Tuesday/Wednesday is a holiday, then the search skips it', () => {
    // 14 days from Wednesday 2026-12-23 is Wednesday 2027-01-06, Epiphany; the next allowed day is Tuesday 12 January.
    const earliest = findEarliestCompliantStart(rules, minor('2027-01-05T10:00', '2027-01-05T11:00'), local('2026-12-23T10:00'));
    expect(earliest?.toISO()).toBe('2027-01-12T10:00:00.000+01:00');
  });

  it('when the short window starts outside the slot, then the suggestion moves it to 09:00', () => {
    const earliest = findEarliestCompliantStart(rules, minor('2027-04-20T07:00', '2027-04-20T08:00'), now);
    expect(earliest?.toISO()).toBe('2027-04-27T09:00:00.000+02:00');
  });

  it('when the window is longer than the slot, then no compliant start exists', () => {
    expect(findEarliestCompliantStart(rules, minor('2027-04-20T08:00', '2027-04-20T14:00'), now)).toBeNull();
  });
});

describe('checkWindow: extensive windows', () => {
  const saturday: WindowDraft = {
    kind: 'extensive',
    systems: ['tes', 'carelock'],
    start: local('2027-05-22T08:00'),
    end: local('2027-05-22T20:00'),
  };

  it('when an extensive window is on a Saturday 08:00–20:00, then the minor slot does not apply', () => {
    expect(check(saturday).violations).toEqual([]);
  });

  it('when an extensive window uses the default plan, then its dates follow the policy extensivePlan', () => {
    // Every rule day is a Saturday, so every notice moves back to the Friday at 08:00 (+02:00).
    expect(check(saturday).plan.notices.map(summarize)).toEqual([
      { audience: 'managers', kind: 'announcement', leadDays: 28, dueAt: '2027-04-23T06:00:00.000Z', late: false },
      { audience: 'egetval', kind: 'announcement', leadDays: 28, dueAt: '2027-04-23T06:00:00.000Z', late: false },
      { audience: 'intranet', kind: 'announcement', leadDays: 14, dueAt: '2027-05-07T06:00:00.000Z', late: false },
      { audience: 'public', kind: 'announcement', leadDays: 14, dueAt: '2027-05-07T06:00:00.000Z', late: false },
      { audience: 'managers', kind: 'reminder', leadDays: 7, dueAt: '2027-05-14T06:00:00.000Z', late: false },
      { audience: 'egetval', kind: 'reminder', leadDays: 7, dueAt: '2027-05-14T06:00:00.000Z', late: false },
      { audience: 'managers', kind: 'reminder', leadDays: null, dueAt: '2027-05-21T06:00:00.000Z', late: false },
      { audience: 'egetval', kind: 'reminder', leadDays: null, dueAt: '2027-05-21T06:00:00.000Z', late: false },
    ]);
  });

  it('when an extensive window carries its own plan, then that plan overrides the policy', () => {
    const custom = { ...saturday, plan: [{ audience: 'public', leadDays: 3 }] } satisfies WindowDraft;
    expect(check(custom).plan.notices.map(summarize)).toEqual([
      { audience: 'public', kind: 'announcement', leadDays: 3, dueAt: '2027-05-19T06:00:00.000Z', late: false },
    ]);
  });

  it('when an extensive window is registered 20 days ahead, then the 28-day steps make it insufficient_notice', () => {
    const result = check(saturday, local('2027-05-02T12:00'));
    expect(result.violations.map((v) => v.code)).toEqual(['insufficient_notice']);
    // 28 days after Sunday 2 May is Sunday 30 May; extensive windows may start on any day.
    expect(result.earliestCompliantStart?.toISO()).toBe('2027-05-30T08:00:00.000+02:00');
  });

  it('when an extensive window is on a public holiday, then it is not refused', () => {
    const onEpiphany = { ...saturday, start: local('2027-01-06T08:00'), end: local('2027-01-06T20:00') };
    expect(check(onEpiphany).violations).toEqual([]);
  });
});

describe('checkWindow: how far ahead and how long', () => {
  const extensive = (start: string, end: string): WindowDraft => ({ kind: 'extensive', systems: ['tes'], start: local(start), end: local(end) });

  it('when a window starts exactly horizonDays (548) ahead, then it is allowed, and a day later it is too_far_ahead', () => {
    // 2026-11-25 + 548 days = 2028-05-26 (a Friday); an extensive window may start on any day.
    expect(rules.policy.horizonDays).toBe(548);
    expect(codes(extensive('2028-05-26T12:00', '2028-05-26T18:00'))).toEqual([]);
    expect(codes(extensive('2028-05-27T12:00', '2028-05-27T18:00'))).toEqual([['start', 'too_far_ahead']]);
  });

  it('when a window starts in the year 9999, then it is too_far_ahead with a Swedish message naming the limit', () => {
    const [violation] = check(minor('9999-03-30T09:00', '9999-03-30T12:00')).violations.filter((v) => v.code === 'too_far_ahead');
    expect(violation?.message).toContain('högst 548 dagar');
  });

  it('when an extensive window lasts maxWindowHours (72) it is allowed, and an hour more is too_long', () => {
    expect(rules.policy.maxWindowHours).toBe(72);
    expect(codes(extensive('2027-05-22T08:00', '2027-05-25T08:00'))).toEqual([]);
    expect(codes(extensive('2027-05-22T08:00', '2027-05-25T09:00'))).toEqual([['end', 'too_long']]);
  });

  it('when an extensive window lasts ten years, then it is too_long and the search offers no start', () => {
    const tenYears = extensive('2027-05-22T08:00', '2037-05-22T08:00');
    expect(codes(tenYears)).toEqual([['end', 'too_long']]);
    expect(findEarliestCompliantStart(rules, tenYears, registeredEarly)).toBeNull();
  });

  it('when the policy sets another horizon and length, then those numbers are the limits', () => {
    const strict = { ...rules, policy: { ...rules.policy, horizonDays: 30, maxWindowHours: 4 } };
    const draft = extensive('2027-01-02T08:00', '2027-01-02T13:00');
    expect(checkWindow(strict, draft, registeredEarly, { shortNotice: true }).violations.map((v) => v.code)).toEqual(['too_far_ahead', 'too_long']);
    expect(check(draft, registeredEarly, true).violations).toEqual([]);
  });
});
