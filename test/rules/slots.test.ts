import { describe, expect, it } from 'vitest';
import { nextMinorSlots, type Slot } from '../../src/rules/slots.js';
import { defaultRuleBook, local, utc } from './rule-book.js';

const rules = defaultRuleBook();
const now = utc('2026-11-25T12:00:00Z');

/** Each slot as "start/end" in Stockholm local ISO, so offsets are visible. */
function show(slots: Slot[]): string[] {
  return slots.map((s) => `${s.start.setZone('Europe/Stockholm').toISO()}/${s.end.setZone('Europe/Stockholm').toISO()}`);
}

describe('nextMinorSlots', () => {
  it('when asked for 5 slots on 2026-11-25, then the first is Wednesday 2026-12-09, the first with 14 days of notice', () => {
    expect(show(nextMinorSlots(rules, now, 5, now))).toEqual([
      '2026-12-09T09:00:00.000+01:00/2026-12-09T14:00:00.000+01:00',
      '2026-12-15T09:00:00.000+01:00/2026-12-15T14:00:00.000+01:00',
      '2026-12-16T09:00:00.000+01:00/2026-12-16T14:00:00.000+01:00',
      '2026-12-22T09:00:00.000+01:00/2026-12-22T14:00:00.000+01:00',
      '2026-12-23T09:00:00.000+01:00/2026-12-23T14:00:00.000+01:00',
    ]);
  });

  it('when the slots run over Christmas and New Year, then Epiphany is skipped and the other Tue/Wed are kept', () => {
    const dates = nextMinorSlots(rules, now, 10, now).map((s) => s.start.setZone('Europe/Stockholm').toISODate());
    expect(dates).toEqual([
      '2026-12-09',
      '2026-12-15',
      '2026-12-16',
      '2026-12-22',
      '2026-12-23',
      '2026-12-29',
      '2026-12-30',
      '2027-01-05',
      // 2027-01-06 (Wednesday, Epiphany) is not a business day.
      '2027-01-12',
      '2027-01-13',
    ]);
  });

  it('when asked for slots, then each one is 09:00–14:00 local on a Tuesday or Wednesday', () => {
    for (const slot of nextMinorSlots(rules, now, 30, now)) {
      const start = slot.start.setZone('Europe/Stockholm');
      const end = slot.end.setZone('Europe/Stockholm');
      expect([start.toFormat('HH:mm'), end.toFormat('HH:mm'), start.hasSame(end, 'day')]).toEqual(['09:00', '14:00', true]);
      expect([2, 3]).toContain(start.weekday);
    }
  });

  it('when 14 days ahead of now is a Tuesday before 08:00, then that Tuesday is still offered', () => {
    // now is Tuesday 2027-03-02 07:00 local; the 14-day notice for 2027-03-16 can still go out today.
    const early = local('2027-03-02T07:00');
    expect(nextMinorSlots(rules, early, 1, early)[0]!.start.toISO()).toBe('2027-03-16T09:00:00.000+01:00');
  });

  it('when `from` is a later date, then slots start on or after it', () => {
    expect(show(nextMinorSlots(rules, local('2027-01-01T00:00'), 3, now))).toEqual([
      '2027-01-05T09:00:00.000+01:00/2027-01-05T14:00:00.000+01:00',
      '2027-01-12T09:00:00.000+01:00/2027-01-12T14:00:00.000+01:00',
      '2027-01-13T09:00:00.000+01:00/2027-01-13T14:00:00.000+01:00',
    ]);
  });

  it('when `from` is after 09:00 on a slot day, then that day is not offered', () => {
    const starts = nextMinorSlots(rules, local('2027-01-05T10:00'), 3, now).map((s) => s.start.toISO());
    expect(starts).toEqual([
      '2027-01-12T09:00:00.000+01:00',
      '2027-01-13T09:00:00.000+01:00',
      '2027-01-19T09:00:00.000+01:00',
    ]);
  });

  it('when `from` is earlier than the first compliant slot, then notice still decides', () => {
    expect(nextMinorSlots(rules, local('2026-12-01T00:00'), 1, now)[0]!.start.toISO()).toBe('2026-12-09T09:00:00.000+01:00');
  });

  it('when the slots cross the March change, then they still start at 09:00 local', () => {
    expect(show(nextMinorSlots(rules, local('2027-03-24T00:00'), 3, now))).toEqual([
      '2027-03-24T09:00:00.000+01:00/2027-03-24T14:00:00.000+01:00',
      '2027-03-30T09:00:00.000+02:00/2027-03-30T14:00:00.000+02:00',
      '2027-03-31T09:00:00.000+02:00/2027-03-31T14:00:00.000+02:00',
    ]);
  });

  it('when the slots cross the October change, then they still start at 09:00 local', () => {
    const slots = nextMinorSlots(rules, local('2027-10-26T00:00'), 3, now);
    expect(slots.map((s) => s.start.toUTC().toISO())).toEqual([
      '2027-10-26T07:00:00.000Z',
      '2027-10-27T07:00:00.000Z',
      '2027-11-02T08:00:00.000Z',
    ]);
    expect(slots.map((s) => s.start.setZone('Europe/Stockholm').hour)).toEqual([9, 9, 9]);
  });

  it('when `from` is given in UTC late in the evening, then the Stockholm date is used', () => {
    // 2027-01-04T23:30Z is already Tuesday 5 January 00:30 in Stockholm.
    expect(nextMinorSlots(rules, utc('2027-01-04T23:30:00Z'), 1, now)[0]!.start.toISO()).toBe('2027-01-05T09:00:00.000+01:00');
  });
});
