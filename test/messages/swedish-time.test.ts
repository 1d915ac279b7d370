import { DateTime } from 'luxon';
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

/** The texts as luxon wrote them before the formatter was cached per zone: the reference. */
const luxonText = {
  date: (instant: Date, zone: string) => DateTime.fromJSDate(instant, { zone }).setLocale('sv').toFormat('cccc d LLLL yyyy'),
  time: (instant: Date, zone: string) => DateTime.fromJSDate(instant, { zone }).setLocale('sv').toFormat('HH.mm'),
  when(start: Date, end: Date, zone: string) {
    const from = DateTime.fromJSDate(start, { zone }).setLocale('sv');
    const to = DateTime.fromJSDate(end, { zone }).setLocale('sv');
    if (from.hasSame(to, 'day')) return `${from.toFormat('cccc d LLLL yyyy')} kl. ${from.toFormat('HH.mm')}–${to.toFormat('HH.mm')}`;
    return `${from.toFormat('cccc d LLLL yyyy')} kl. ${from.toFormat('HH.mm')} – ${to.toFormat('cccc d LLLL yyyy')} kl. ${to.toFormat('HH.mm')}`;
  },
};

/** A small seeded generator, so a failure can be reproduced. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('the texts against luxon', () => {
  const zones = [STOCKHOLM, 'Europe/Helsinki', 'UTC', 'America/New_York', 'Australia/Lord_Howe'];

  it.each(zones)('when thousands of random instants over the years are read in %s, then every text is what luxon wrote', (zone) => {
    const next = random(zone.length * 7919);
    const from = Date.UTC(2020, 0, 1);
    const span = Date.UTC(2040, 0, 1) - from;
    for (let i = 0; i < 3000; i++) {
      // Whole minutes, quarter hours and odd milliseconds alike.
      const start = new Date(from + Math.floor(next() * span));
      const end = new Date(start.getTime() + Math.floor(next() * 3 * 86_400_000));
      expect(formatDate(start, zone)).toBe(luxonText.date(start, zone));
      expect(formatTime(start, zone)).toBe(luxonText.time(start, zone));
      expect(formatDateTime(start, zone)).toBe(`${luxonText.date(start, zone)} kl. ${luxonText.time(start, zone)}`);
      expect(formatWhen(start, end, zone)).toBe(luxonText.when(start, end, zone));
    }
  });

  it('when instants lie on and around midnight and the changes of summer time in Stockholm, then every text is what luxon wrote', () => {
    const instants: Date[] = [];
    for (const day of ['2026-03-29', '2026-10-25', '2027-03-28', '2027-10-31', '2027-12-31', '2028-02-29', '2028-03-26']) {
      const midnight = DateTime.fromISO(`${day}T00:00`, { zone: STOCKHOLM }).toMillis();
      for (let minutes = -90; minutes <= 26 * 60; minutes += 15) instants.push(new Date(midnight + minutes * 60_000 - 1), new Date(midnight + minutes * 60_000));
    }
    for (const start of instants) {
      expect(formatDateTime(start, STOCKHOLM)).toBe(`${luxonText.date(start, STOCKHOLM)} kl. ${luxonText.time(start, STOCKHOLM)}`);
      for (const hours of [1, 2, 3, 23, 24, 25]) {
        const end = new Date(start.getTime() + hours * 3_600_000);
        expect(formatWhen(start, end, STOCKHOLM)).toBe(luxonText.when(start, end, STOCKHOLM));
      }
    }
  });

  it('when a year has fewer than four digits or more, then it is padded and written as luxon wrote it', () => {
    for (const instant of [new Date('0999-06-01T10:00:00Z'), new Date('+010000-06-01T10:00:00Z')]) {
      expect(formatDateTime(instant, STOCKHOLM)).toBe(`${luxonText.date(instant, STOCKHOLM)} kl. ${luxonText.time(instant, STOCKHOLM)}`);
    }
  });
});
