import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { vtimezone } from '../../src/messages/vtimezone.js';

function zoneFrom(text: string): ICAL.Timezone {
  const component = new ICAL.Component(ICAL.parse(`BEGIN:VCALENDAR\r\nVERSION:2.0\r\n${text}\r\nEND:VCALENDAR`));
  return new ICAL.Timezone(component.getFirstSubcomponent('vtimezone')!);
}

/** What ical.js makes of a wall-clock time in the generated zone, as a UTC ISO string. */
function utcOf(zone: ICAL.Timezone, wallClock: DateTime): string {
  const time = ICAL.Time.fromDateTimeString(wallClock.toFormat("yyyy-LL-dd'T'HH:mm:ss"));
  time.zone = zone;
  return time.toJSDate().toISOString();
}

describe('vtimezone', () => {
  it('when the zone is Europe/Stockholm, then it has a yearly rule for the last Sundays of March and October', () => {
    const text = vtimezone('Europe/Stockholm', 2026, 2028);
    expect(text).toContain('BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200');
    expect(text).toContain('BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100');
  });

  it('when a client reads 09:00 on every day of 2027 through it, then each instant matches the tz database', () => {
    const zone = zoneFrom(vtimezone('Europe/Stockholm', 2026, 2028));
    let day = DateTime.fromISO('2027-01-01T09:00', { zone: 'Europe/Stockholm' });
    const mismatches: string[] = [];
    while (day.year === 2027) {
      const expected = day.toUTC().toISO()!;
      if (utcOf(zone, day) !== expected) mismatches.push(day.toISODate()!);
      day = day.plus({ days: 1 });
    }
    expect(mismatches).toEqual([]);
  });

  it('when the zone has no daylight saving, then one STANDARD observance carries its offset', () => {
    const text = vtimezone('Asia/Tokyo', 2027, 2027);
    expect(text).toMatch(/BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:\+0900\r\nTZOFFSETTO:\+0900/);
    expect(text).not.toContain('DAYLIGHT');
  });

  it('when the zone changed its rules within the years, then each transition is listed on its own', () => {
    // Moscow kept summer time all year from March 2011: no yearly rule fits 2010–2012.
    const text = vtimezone('Europe/Moscow', 2010, 2012);
    expect(text).not.toContain('RRULE');
    expect(text).toContain('DTSTART:20110327T020000');
    const zone = zoneFrom(text);
    const summer2012 = DateTime.fromISO('2012-07-01T09:00', { zone: 'Europe/Moscow' });
    expect(utcOf(zone, summer2012)).toBe(summer2012.toUTC().toISO());
  });

  it('when the zone is unknown, then it throws', () => {
    expect(() => vtimezone('Europe/Atlantis', 2027, 2027)).toThrow(RangeError);
  });
});
