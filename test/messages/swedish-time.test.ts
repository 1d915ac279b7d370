import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatDeadline, formatDeadlineCell, formatTime, formatWhen } from '../../src/messages/swedish-time.js';
import { local } from './fixtures.js';

const utc = (iso: string) => new Date(iso);
const STOCKHOLM = 'Europe/Stockholm';

/** Summer time 2027: from Sunday 28 March 01:00 UTC to Sunday 31 October 01:00 UTC. */
describe('formatWhen', () => {
  it('when a window lies within one day in summer time, then it reads weekday, date and 09.00–12.00', () => {
    expect(formatWhen(utc('2027-03-30T07:00:00Z'), utc('2027-03-30T10:00:00Z'), STOCKHOLM)).toBe('tisdag 30 mars 2027 kl. 09.00–12.00');
  });

  it('when a window lies the week before summer time, then the same wall-clock time has other UTC instants', () => {
    expect(formatWhen(utc('2027-03-23T08:00:00Z'), utc('2027-03-23T11:00:00Z'), STOCKHOLM)).toBe('tisdag 23 mars 2027 kl. 09.00–12.00');
  });

  it('when a window lies in the last week of summer time, then it reads 09.00 local (07.00 UTC)', () => {
    expect(formatWhen(utc('2027-10-26T07:00:00Z'), utc('2027-10-26T12:00:00Z'), STOCKHOLM)).toBe('tisdag 26 oktober 2027 kl. 09.00–14.00');
  });

  it('when a window lies the week after summer time, then it reads 09.00 local (08.00 UTC)', () => {
    expect(formatWhen(utc('2027-11-02T08:00:00Z'), utc('2027-11-02T13:00:00Z'), STOCKHOLM)).toBe('tisdag 2 november 2027 kl. 09.00–14.00');
  });

  it('when a window runs over midnight, then both days are named with a spaced dash between', () => {
    expect(formatWhen(utc('2027-06-11T16:00:00Z'), utc('2027-06-12T04:00:00Z'), STOCKHOLM)).toBe(
      'fredag 11 juni 2027 kl. 18.00 – lördag 12 juni 2027 kl. 06.00',
    );
  });

  it('when a window runs through the night summer time ends, then each end is read on its own clock', () => {
    // 22.00 CEST (+02:00) to 06.00 CET (+01:00): nine hours, not eight.
    expect(formatWhen(utc('2027-10-30T20:00:00Z'), utc('2027-10-31T05:00:00Z'), STOCKHOLM)).toBe(
      'lördag 30 oktober 2027 kl. 22.00 – söndag 31 oktober 2027 kl. 06.00',
    );
  });

  it('when a window spans the hour that is skipped in March, then it stays one day and reads 01.30–03.30', () => {
    expect(formatWhen(utc('2027-03-28T00:30:00Z'), utc('2027-03-28T01:30:00Z'), STOCKHOLM)).toBe('söndag 28 mars 2027 kl. 01.30–03.30');
  });

  it('when two instants are the same local day only in UTC, then they are shown as two days', () => {
    // Both on UTC date 2027-01-11, but 23.30 and 00.30 on two Stockholm days.
    expect(formatWhen(utc('2027-01-11T22:30:00Z'), utc('2027-01-11T23:30:00Z'), STOCKHOLM)).toBe(
      'måndag 11 januari 2027 kl. 23.30 – tisdag 12 januari 2027 kl. 00.30',
    );
  });
});

describe('formatDateTime', () => {
  it('when the instant is in winter time, then it reads the local time', () => {
    expect(formatDateTime(utc('2027-01-12T08:00:00Z'), STOCKHOLM)).toBe('tisdag 12 januari 2027 kl. 09.00');
  });

  it('when the instant is in summer time, then it reads the local time', () => {
    expect(formatDateTime(utc('2027-03-30T07:00:00Z'), STOCKHOLM)).toBe('tisdag 30 mars 2027 kl. 09.00');
  });

  it('when the day has one digit, then it has no leading zero, while the hour has one', () => {
    expect(formatDate(utc('2027-06-01T06:05:00Z'), STOCKHOLM)).toBe('tisdag 1 juni 2027');
    expect(formatTime(utc('2027-06-01T06:05:00Z'), STOCKHOLM)).toBe('08.05');
  });

  it('when the instant is not a valid date, then it throws rather than print "Invalid DateTime"', () => {
    expect(() => formatDateTime(new Date('nonsense'), STOCKHOLM)).toThrow(RangeError);
  });
});

describe('another zone', () => {
  it('when the zone is Europe/Helsinki, then the same instant reads an hour later than in Stockholm', () => {
    expect(formatWhen(utc('2027-03-30T07:00:00Z'), utc('2027-03-30T10:00:00Z'), 'Europe/Helsinki')).toBe('tisdag 30 mars 2027 kl. 10.00–13.00');
  });
});

describe('formatDeadline', () => {
  it('when a deadline is the midnight after a rule day, then it reads as that last day', () => {
    expect(formatDeadline(local('2026-12-02T00:00'), STOCKHOLM)).toBe('tisdag 1 december 2026');
    expect(formatDeadlineCell(local('2026-12-02T00:00'), STOCKHOLM)).toBe('2026-12-01');
  });

  it('when the midnight falls on the night summer time starts, then the last day is still the day before', () => {
    expect(formatDeadline(local('2027-03-29T00:00'), STOCKHOLM)).toBe('söndag 28 mars 2027');
  });

  it('when a deadline is at another time of day (a window start), then its time is kept', () => {
    expect(formatDeadline(local('2027-03-30T09:00'), STOCKHOLM)).toBe('tisdag 30 mars 2027 kl. 09.00');
    expect(formatDeadlineCell(local('2027-03-30T09:00'), STOCKHOLM)).toBe('2027-03-30 09:00');
  });
});
