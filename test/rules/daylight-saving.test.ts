import { describe, expect, it } from 'vitest';
import { checkWindow } from '../../src/rules/window-rules.js';
import { defaultRuleBook, local, utc, z } from './rule-book.js';

/**
 * Summer time in 2027 starts Sunday 28 March and ends Sunday 31 October. Rules are in
 * Stockholm wall-clock time, so notices stay at 08:00 local and windows at 09:00 local
 * while their UTC instants move by an hour.
 */
const rules = defaultRuleBook();
const now = utc('2026-11-25T12:00:00Z');

function planOf(startLocal: string) {
  const start = local(startLocal);
  const end = start.plus({ hours: 3 });
  const result = checkWindow(rules, { kind: 'minor', systems: ['tes'], start, end }, now, { shortNotice: false });
  expect(result.violations).toEqual([]);
  return result;
}

/** [audience kind, UTC due instant, local ISO due instant] for every notice. */
function dueTimes(startLocal: string) {
  return planOf(startLocal).plan.notices.map((n) => [`${n.audience} ${n.kind}`, z(n.dueAt), n.dueAt.setZone('Europe/Stockholm').toISO()]);
}

describe('daylight saving in March 2027', () => {
  it('when the window is Tuesday 2027-03-23, before the change, then it starts 09:00+01:00 and notices are 08:00+01:00', () => {
    const { plan } = planOf('2027-03-23T09:00');
    expect(dueTimes('2027-03-23T09:00')).toEqual([
      ['managers announcement', '2027-03-09T07:00:00.000Z', '2027-03-09T08:00:00.000+01:00'],
      ['egetval announcement', '2027-03-09T07:00:00.000Z', '2027-03-09T08:00:00.000+01:00'],
      ['intranet announcement', '2027-03-16T07:00:00.000Z', '2027-03-16T08:00:00.000+01:00'],
      ['public announcement', '2027-03-16T07:00:00.000Z', '2027-03-16T08:00:00.000+01:00'],
      ['managers reminder', '2027-03-22T07:00:00.000Z', '2027-03-22T08:00:00.000+01:00'],
      ['egetval reminder', '2027-03-22T07:00:00.000Z', '2027-03-22T08:00:00.000+01:00'],
    ]);
    expect(plan.notices.every((n) => n.dueAt.setZone('Europe/Stockholm').hour === 8)).toBe(true);
  });

  it('when the window is Tuesday 2027-03-30, after the change, then it starts 09:00+02:00 while its notices are 08:00+01:00', () => {
    const start = local('2027-03-30T09:00');
    expect(start.toISO()).toBe('2027-03-30T09:00:00.000+02:00');
    expect(z(start)).toBe('2027-03-30T07:00:00.000Z');
    expect(dueTimes('2027-03-30T09:00')).toEqual([
      ['managers announcement', '2027-03-16T07:00:00.000Z', '2027-03-16T08:00:00.000+01:00'],
      ['egetval announcement', '2027-03-16T07:00:00.000Z', '2027-03-16T08:00:00.000+01:00'],
      ['intranet announcement', '2027-03-23T07:00:00.000Z', '2027-03-23T08:00:00.000+01:00'],
      ['public announcement', '2027-03-23T07:00:00.000Z', '2027-03-23T08:00:00.000+01:00'],
      ['managers reminder', '2027-03-25T07:00:00.000Z', '2027-03-25T08:00:00.000+01:00'],
      ['egetval reminder', '2027-03-25T07:00:00.000Z', '2027-03-25T08:00:00.000+01:00'],
    ]);
  });

  it('when the 14-day lead crosses the change, then it is 14 calendar days, not 14 × 24 hours', () => {
    const start = local('2027-03-30T09:00');
    const managers = planOf('2027-03-30T09:00').plan.notices[0]!;
    // 14 × 24 hours before 08:00 on the window day would be 07:00 local (06:00Z).
    expect(z(start.set({ hour: 8 }).minus({ hours: 14 * 24 }))).toBe('2027-03-16T06:00:00.000Z');
    expect(z(managers.dueAt)).toBe('2027-03-16T07:00:00.000Z');
    expect(managers.dueAt.setZone('Europe/Stockholm').toFormat('yyyy-MM-dd HH:mm')).toBe('2027-03-16 08:00');
  });

  it('when only the 7-day notice falls after the change, then it is 08:00+02:00', () => {
    expect(dueTimes('2027-04-06T09:00').map(([what, , localDue]) => [what, localDue])).toEqual([
      ['managers announcement', '2027-03-23T08:00:00.000+01:00'],
      ['egetval announcement', '2027-03-23T08:00:00.000+01:00'],
      ['intranet announcement', '2027-03-30T08:00:00.000+02:00'],
      ['public announcement', '2027-03-30T08:00:00.000+02:00'],
      ['managers reminder', '2027-04-05T08:00:00.000+02:00'],
      ['egetval reminder', '2027-04-05T08:00:00.000+02:00'],
    ]);
  });
});

describe('daylight saving in October 2027', () => {
  it('when the window is Tuesday 2027-10-26, before the change, then everything is +02:00', () => {
    expect(z(local('2027-10-26T09:00'))).toBe('2027-10-26T07:00:00.000Z');
    expect(dueTimes('2027-10-26T09:00')).toEqual([
      ['managers announcement', '2027-10-12T06:00:00.000Z', '2027-10-12T08:00:00.000+02:00'],
      ['egetval announcement', '2027-10-12T06:00:00.000Z', '2027-10-12T08:00:00.000+02:00'],
      ['intranet announcement', '2027-10-19T06:00:00.000Z', '2027-10-19T08:00:00.000+02:00'],
      ['public announcement', '2027-10-19T06:00:00.000Z', '2027-10-19T08:00:00.000+02:00'],
      ['managers reminder', '2027-10-25T06:00:00.000Z', '2027-10-25T08:00:00.000+02:00'],
      ['egetval reminder', '2027-10-25T06:00:00.000Z', '2027-10-25T08:00:00.000+02:00'],
    ]);
  });

  it('when the window is Tuesday 2027-11-02, after the change, then it starts 09:00+01:00 while its announcements are 08:00+02:00', () => {
    const start = local('2027-11-02T09:00');
    expect(start.toISO()).toBe('2027-11-02T09:00:00.000+01:00');
    expect(z(start)).toBe('2027-11-02T08:00:00.000Z');
    expect(dueTimes('2027-11-02T09:00')).toEqual([
      ['managers announcement', '2027-10-19T06:00:00.000Z', '2027-10-19T08:00:00.000+02:00'],
      ['egetval announcement', '2027-10-19T06:00:00.000Z', '2027-10-19T08:00:00.000+02:00'],
      ['intranet announcement', '2027-10-26T06:00:00.000Z', '2027-10-26T08:00:00.000+02:00'],
      ['public announcement', '2027-10-26T06:00:00.000Z', '2027-10-26T08:00:00.000+02:00'],
      ['managers reminder', '2027-11-01T07:00:00.000Z', '2027-11-01T08:00:00.000+01:00'],
      ['egetval reminder', '2027-11-01T07:00:00.000Z', '2027-11-01T08:00:00.000+01:00'],
    ]);
  });

  it('when the 7-day rule day is before the change, then it is kept until local midnight +02:00', () => {
    const intranet = planOf('2027-11-02T09:00').plan.notices[2]!;
    expect(z(intranet.requiredBy)).toBe('2027-10-26T22:00:00.000Z');
  });

  it('when the window is 09:00–14:00 on either side of the change, then it fits the slot in local time', () => {
    for (const day of ['2027-10-26', '2027-11-02', '2027-03-23', '2027-03-30']) {
      const start = local(`${day}T09:00`);
      const end = local(`${day}T14:00`);
      const result = checkWindow(rules, { kind: 'minor', systems: ['tes'], start, end }, now, { shortNotice: false });
      expect([day, result.violations]).toEqual([day, []]);
    }
  });
});
