import { DateTime } from 'luxon';
import { loadPolicy } from '../../src/policy/load-policy.js';
import { BusinessCalendar } from '../../src/rules/business-calendar.js';
import type { PlannedNotice, RuleBook } from '../../src/rules/notice-plan.js';

export const ZONE = 'Europe/Stockholm';

/**
 * The bundled default policy and its calendar, as the service builds them, without the
 * acknowledgement's chase: these tests are about the routine's lead times, holidays and
 * daylight saving, and list every notice; the chase has tests of its own (`withChase`).
 */
export function defaultRuleBook(): RuleBook {
  const policy = loadPolicy();
  const withoutChase = { ...policy, acknowledgement: { ...policy.acknowledgement, chaseBusinessDaysBefore: null } };
  return { policy: withoutChase, calendar: new BusinessCalendar(withoutChase) };
}

/** The bundled default policy as it is, chase included. */
export function withChase(): RuleBook {
  const policy = loadPolicy();
  return { policy, calendar: new BusinessCalendar(policy) };
}

/** Local wall-clock time in Stockholm, e.g. `local('2027-03-30T09:00')`; throws on a typo. */
export function local(isoWithoutOffset: string): DateTime {
  const dt = DateTime.fromISO(isoWithoutOffset, { zone: ZONE });
  if (!dt.isValid) throw new Error(`bad test date ${isoWithoutOffset}: ${dt.invalidReason}`);
  return dt;
}

/** An instant given in UTC, e.g. `utc('2026-11-25T12:00:00Z')`. */
export function utc(iso: string): DateTime {
  const dt = DateTime.fromISO(iso, { zone: 'utc' });
  if (!dt.isValid) throw new Error(`bad test date ${iso}: ${dt.invalidReason}`);
  return dt;
}

/** The instant in UTC, to compare with an exact expected string. */
export function z(dt: DateTime): string {
  return dt.toUTC().toISO()!;
}

/** A notice reduced to plain values, so a whole plan can be compared with `toEqual`. */
export function summarize(notice: PlannedNotice) {
  return {
    audience: notice.audience,
    kind: notice.kind,
    leadDays: notice.leadDays,
    dueAt: z(notice.dueAt),
    late: notice.late,
  };
}
