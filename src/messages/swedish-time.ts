import { DateTime } from 'luxon';
import { memoize } from '../runtime/memoize.js';

const DATE_FORMAT = 'cccc d LLLL yyyy';

function local(instant: Date, zone: string): DateTime {
  const value = DateTime.fromJSDate(instant, { zone }).setLocale('sv');
  if (!value.isValid) throw new RangeError(`not a valid instant: ${String(instant)}`);
  return value;
}

// Every function takes the policy's zone: no default, so no text can fall back to Stockholm.

/** `tisdag 30 mars 2027`: weekday, day, month and year as Swedish texts write them. */
export function formatDate(instant: Date, zone: string): string {
  return dateText(wallClock(instant, zone));
}

/** `09.00`: the Swedish clock notation (a dot, not a colon). */
export function formatTime(instant: Date, zone: string): string {
  return timeText(wallClock(instant, zone));
}

/** `tisdag 30 mars 2027 kl. 09.00` in local time, whatever the offset that day. */
export function formatDateTime(instant: Date, zone: string): string {
  const at = wallClock(instant, zone);
  return `${dateText(at)} kl. ${timeText(at)}`;
}

/**
 * A window's time as one phrase: `tisdag 30 mars 2027 kl. 09.00–12.00` on one day, or
 * `fredag 11 juni 2027 kl. 18.00 – lördag 12 juni 2027 kl. 06.00` across days (spaced
 * dash, as Swedish typography spaces a dash between longer expressions).
 */
export function formatWhen(start: Date, end: Date, zone: string): string {
  return rememberedWhen(start, end, zone);
}

const rememberedWhen = memoize(computeWhen, (start, end, zone) => `${start.getTime()}|${end.getTime()}|${zone}`);

function computeWhen(start: Date, end: Date, zone: string): string {
  const from = wallClock(start, zone);
  const to = wallClock(end, zone);
  if (from.year === to.year && from.month === to.month && from.day === to.day) {
    return `${dateText(from)} kl. ${timeText(from)}–${timeText(to)}`;
  }
  return `${dateText(from)} kl. ${timeText(from)} – ${dateText(to)} kl. ${timeText(to)}`;
}

/** An instant read on the zone's wall clock; `weekday` 1 is Monday, as luxon counts. */
interface WallClock {
  year: number;
  month: number;
  day: number;
  weekday: number;
  hour: number;
  minute: number;
}

/**
 * The wall-clock fields through one Intl.DateTimeFormat per zone, made once: a luxon
 * DateTime per call (offset, locale, then a format per token) cost most of a notice's
 * date texts, and every window of a morning rush has instants of its own. The names are
 * luxon's Swedish ones (SWEDISH_MONTHS, SWEDISH_WEEKDAYS), so the texts read as before;
 * test/messages/swedish-time.test.ts compares them with luxon's on thousands of instants.
 */
function wallClock(instant: Date, zone: string): WallClock {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`not a valid instant: ${String(instant)}`);
  const fields = { year: 0, month: 0, day: 0, hour: 0, minute: 0 };
  for (const part of formatterFor(zone).formatToParts(ms)) {
    if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
  }
  // Four-digit years only: Intl writes an era before year 1, and Date.UTC reads 0–99 as 1900s.
  if (!(fields.year >= 1000 && fields.year <= 9999)) return luxonWallClock(instant, zone);
  const weekday = new Date(Date.UTC(fields.year, fields.month - 1, fields.day)).getUTCDay() || 7;
  // Some engines wrote midnight as 24 with hour12: false; h23 should not, but 24 is never right.
  return { ...fields, hour: fields.hour % 24, weekday };
}

function luxonWallClock(instant: Date, zone: string): WallClock {
  const { year, month, day, weekday, hour, minute } = local(instant, zone);
  return { year, month, day, weekday, hour, minute };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** `januari` … `december` as luxon writes `LLLL` in Swedish. */
const SWEDISH_MONTHS = Array.from({ length: 12 }, (_, i) => DateTime.utc(2027, i + 1, 1).setLocale('sv').toFormat('LLLL'));

/** `måndag` … `söndag` (index 1–7) as luxon writes `cccc` in Swedish; 4 January 2027 is a Monday. */
const SWEDISH_WEEKDAYS = ['', ...Array.from({ length: 7 }, (_, i) => DateTime.utc(2027, 1, 4 + i).setLocale('sv').toFormat('cccc'))];

function dateText(at: WallClock): string {
  // `yyyy` as luxon pads it: at least four digits, a minus sign in front.
  const year = `${at.year < 0 ? '-' : ''}${String(Math.abs(at.year)).padStart(4, '0')}`;
  return `${SWEDISH_WEEKDAYS[at.weekday]} ${at.day} ${SWEDISH_MONTHS[at.month - 1]} ${year}`;
}

function timeText(at: WallClock): string {
  return `${at.hour < 10 ? '0' : ''}${at.hour}.${at.minute < 10 ? '0' : ''}${at.minute}`;
}

/**
 * A deadline as people say it: a rule's deadline is stored as the midnight after its last
 * day, which reads `tisdag 1 december 2026` (that last day), not `onsdag 2 december 2026
 * kl. 00.00`. A deadline at any other time (a window's own start) keeps its time.
 */
export function formatDeadline(instant: Date, zone: string): string {
  const at = local(instant, zone);
  if (at.hour === 0 && at.minute === 0 && at.second === 0 && at.millisecond === 0) {
    return at.minus({ days: 1 }).toFormat(DATE_FORMAT);
  }
  return formatDateTime(instant, zone);
}

/** The same for a spreadsheet: `2026-12-01` for the last day, or `2027-03-30 09:00`. */
export function formatDeadlineCell(instant: Date, zone: string): string {
  const at = local(instant, zone);
  if (at.hour === 0 && at.minute === 0 && at.second === 0 && at.millisecond === 0) return at.minus({ days: 1 }).toFormat('yyyy-MM-dd');
  return at.toFormat('yyyy-MM-dd HH:mm');
}
