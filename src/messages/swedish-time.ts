import { DateTime } from 'luxon';
import { memoize } from '../runtime/memoize.js';

const DATE_FORMAT = 'cccc d LLLL yyyy';
const TIME_FORMAT = 'HH.mm';

function local(instant: Date, zone: string): DateTime {
  const value = DateTime.fromJSDate(instant, { zone }).setLocale('sv');
  if (!value.isValid) throw new RangeError(`not a valid instant: ${String(instant)}`);
  return value;
}

// Every function takes the policy's zone: no default, so no text can fall back to Stockholm.

/** `tisdag 30 mars 2027`: weekday, day, month and year as Swedish texts write them. */
export function formatDate(instant: Date, zone: string): string {
  return local(instant, zone).toFormat(DATE_FORMAT);
}

/** `09.00`: the Swedish clock notation (a dot, not a colon). */
export function formatTime(instant: Date, zone: string): string {
  return local(instant, zone).toFormat(TIME_FORMAT);
}

/** `tisdag 30 mars 2027 kl. 09.00` in local time, whatever the offset that day. */
export function formatDateTime(instant: Date, zone: string): string {
  return `${formatDate(instant, zone)} kl. ${formatTime(instant, zone)}`;
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
  const from = local(start, zone);
  const to = local(end, zone);
  if (from.hasSame(to, 'day')) {
    return `${from.toFormat(DATE_FORMAT)} kl. ${from.toFormat(TIME_FORMAT)}–${to.toFormat(TIME_FORMAT)}`;
  }
  return `${formatDateTime(start, zone)} – ${formatDateTime(end, zone)}`;
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
