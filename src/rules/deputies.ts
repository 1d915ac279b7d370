import { DateTime } from 'luxon';

/**
 * A deputy receives a recipient's messages for a range of days (a manager on leave names a
 * colleague). Pure: dates are local dates `YYYY-MM-DD` in the policy's zone, both ends included.
 *
 * Which day counts: the day a message is sent, i.e. the local date of its fan-out (normally
 * its due date; a notice held up by an outage goes where the day it finally goes out says).
 * The fan-out snapshots the address, so a retry the next day still goes where it was meant to.
 *
 * Told across the switch (src/rules/told.ts): a message is keyed by the recipient, whichever
 * address it went to, so a manager whose deputy got the announcement counts as told. An update
 * or a cancellation after the range goes to the manager, whose calendar gets the event then
 * (same UID, the higher SEQUENCE: a calendar program adds an update of an event it lacks). The
 * announcement itself is not sent again when the range ends: the deputy acted for the manager,
 * the manager's settings page lists every message that went to the deputy on their behalf, and
 * a second announcement would break "nobody receives the same notice twice".
 */
export interface DeputyRange {
  /** First day, YYYY-MM-DD. */
  from: string;
  /** Last day, YYYY-MM-DD, inclusive. */
  to: string;
}

/** The local date of an instant in a zone, YYYY-MM-DD: the day a message sent then counts for. */
export function localDate(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toISODate()!;
}

/** Whether the deputy's range covers the date (YYYY-MM-DD compares as text). */
export function deputyCovers(range: DeputyRange | null, date: string): boolean {
  return range !== null && range.from <= date && date <= range.to;
}

/** How far ahead a deputy's range may end: longer is a mistake, and a forgotten deputy would get messages for years. */
export const DEPUTY_MAX_DAYS_AHEAD = 366;

export type DeputyRangeProblem = 'invalid_date' | 'to_before_from' | 'in_past' | 'too_far_ahead';

export interface DeputyRangeError {
  field: 'from' | 'to';
  code: DeputyRangeProblem;
}

/**
 * What is wrong with a range asked for on `today` (local date): each date a real calendar
 * date, `to` not before `from`, neither in the past (a `from` already past is accepted only
 * when it is the one already stored, so a running deputyship can be extended), and `to` at
 * most DEPUTY_MAX_DAYS_AHEAD days ahead.
 */
export function deputyRangeErrors(range: DeputyRange, today: string, storedFrom: string | null): DeputyRangeError[] {
  const errors: DeputyRangeError[] = [];
  const from = parseLocalDate(range.from);
  const to = parseLocalDate(range.to);
  if (!from) errors.push({ field: 'from', code: 'invalid_date' });
  if (!to) errors.push({ field: 'to', code: 'invalid_date' });
  if (from && range.from < today && range.from !== storedFrom) errors.push({ field: 'from', code: 'in_past' });
  if (to && range.to < today) errors.push({ field: 'to', code: 'in_past' });
  else if (from && to && range.to < range.from) errors.push({ field: 'to', code: 'to_before_from' });
  const latest = parseLocalDate(today)?.plus({ days: DEPUTY_MAX_DAYS_AHEAD }).toISODate();
  if (to && latest && range.to > latest) errors.push({ field: 'to', code: 'too_far_ahead' });
  return errors;
}

/** A strict YYYY-MM-DD that names a real day (no 2027-02-30), else null. */
export function parseLocalDate(value: string): DateTime | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const parsed = DateTime.fromISO(value, { zone: 'utc' });
  return parsed.isValid ? parsed : null;
}
