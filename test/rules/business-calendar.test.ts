import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../../src/rules/business-calendar.js';
import { defaultRuleBook, local, utc, z } from './rule-book.js';

const { calendar } = defaultRuleBook();

describe('BusinessCalendar.holidayName', () => {
  it('when the date is Epiphany 2027-01-06, then it returns the Swedish name', () => {
    expect(calendar.holidayName(local('2027-01-06T12:00'))).toBe('trettondedag jul');
  });

  it('when the date is an ordinary Thursday, then it returns null', () => {
    expect(calendar.holidayName(local('2027-01-07T12:00'))).toBeNull();
  });

  it('when the instant is late evening UTC of the day before, then the local date decides', () => {
    // 2027-01-05T23:30Z is 00:30 on 6 January in Stockholm.
    expect(calendar.holidayName(utc('2027-01-05T23:30:00Z'))).toBe('trettondedag jul');
    expect(calendar.holidayName(utc('2027-01-05T22:30:00Z'))).toBeNull();
  });

  it('when the date is one of the eves workplaces treat as holidays, then it is named', () => {
    expect(calendar.holidayName(local('2027-12-24'))).toBe('julafton');
    expect(calendar.holidayName(local('2027-06-25'))).toBe('midsommarafton');
    expect(calendar.holidayName(local('2027-12-31'))).toBe('nyårsafton');
  });

  it('when the day is only an observance (Maundy Thursday) or a half-day eve, then it is not a holiday', () => {
    expect(calendar.holidayName(local('2027-03-25'))).toBeNull(); // skärtorsdagen
    expect(calendar.holidayName(local('2027-01-05'))).toBeNull(); // trettondagsafton
    expect(calendar.holidayName(local('2027-04-30'))).toBeNull(); // valborgsmässoafton
  });

  it('when a Date is turned local, then it is read in Stockholm time', () => {
    const instant = calendar.local(new Date('2027-01-05T23:30:00Z'));
    expect(instant.toISO()).toBe('2027-01-06T00:30:00.000+01:00');
    expect(calendar.holidayName(instant)).toBe('trettondedag jul');
  });
});

describe('BusinessCalendar.isBusinessDay', () => {
  it.each([
    ['2027-01-05', true, 'Tuesday before Epiphany'],
    ['2027-01-06', false, 'Epiphany'],
    ['2027-03-25', true, 'Maundy Thursday'],
    ['2027-03-26', false, 'Good Friday'],
    ['2027-03-29', false, 'Easter Monday'],
    ['2027-05-06', false, 'Ascension Day'],
    ['2027-06-25', false, 'midsummer eve'],
    ['2027-12-23', true, 'day before Christmas eve'],
    ['2027-12-24', false, 'Christmas eve'],
    ['2027-12-31', false, "New Year's eve"],
    ['2027-03-13', false, 'a Saturday'],
    ['2027-03-14', false, 'a Sunday'],
    ['2027-03-15', true, 'an ordinary Monday'],
  ])('when the date is %s (%s), then isBusinessDay is %s', (date, expected) => {
    expect(calendar.isBusinessDay(local(date))).toBe(expected);
  });
});

describe('BusinessCalendar.onOrBeforeBusinessDay', () => {
  it.each([
    ['2027-12-24', '2027-12-23', 'Christmas eve → Thursday'],
    ['2027-12-31', '2027-12-30', "New Year's eve → Thursday"],
    ['2027-06-25', '2027-06-24', 'midsummer eve → Thursday'],
    ['2027-03-13', '2027-03-12', 'Saturday → Friday'],
    ['2027-03-14', '2027-03-12', 'Sunday → Friday'],
    ['2027-03-29', '2027-03-25', 'Easter Monday → Maundy Thursday'],
    ['2026-12-27', '2026-12-23', 'Sunday after Christmas → 23 December'],
    ['2027-03-16', '2027-03-16', 'a business day stays'],
  ])('when the date is %s, then it moves to %s (%s)', (date, expected) => {
    const result = calendar.onOrBeforeBusinessDay(local(`${date}T15:45`));
    expect(result.toISODate()).toBe(expected);
    expect(result.toFormat('HH:mm')).toBe('00:00');
    expect(result.zoneName).toBe('Europe/Stockholm');
  });
});

describe('BusinessCalendar.businessDaysBefore', () => {
  it('when counting one business day back from Tuesday after Easter, then it lands on Maundy Thursday', () => {
    expect(calendar.businessDaysBefore(local('2027-03-30T09:00'), 1).toISODate()).toBe('2027-03-25');
  });

  it('when counting two business days back from Tuesday after Easter, then it lands on Wednesday 24 March', () => {
    expect(calendar.businessDaysBefore(local('2027-03-30T09:00'), 2).toISODate()).toBe('2027-03-24');
  });

  it('when counting one business day back from a Monday, then it lands on the Friday before', () => {
    expect(calendar.businessDaysBefore(local('2027-11-01T09:00'), 1).toISODate()).toBe('2027-10-29');
  });
});

describe('BusinessCalendar.at', () => {
  it('when placing 08:00 on dates either side of the March change, then the local hour stays and the offset changes', () => {
    const before = calendar.at(local('2027-03-23'), '08:00');
    const after = calendar.at(local('2027-03-30'), '08:00');
    expect(z(before)).toBe('2027-03-23T07:00:00.000Z');
    expect(z(after)).toBe('2027-03-30T06:00:00.000Z');
    expect([before.hour, after.hour]).toEqual([8, 8]);
  });

  it('when a different country is configured, then its holidays apply', () => {
    const norway = new BusinessCalendar({ timezone: 'Europe/Oslo', holidays: { country: 'NO', nonBusinessTypes: ['public'] } });
    expect(norway.isBusinessDay(local('2027-05-17'))).toBe(false); // Norwegian constitution day
    expect(calendar.isBusinessDay(local('2027-05-17'))).toBe(true);
  });
});
