import { DateTime } from 'luxon';
import type { BlackoutPeriod } from '../policy/policy-schema.js';
import type { RuleBook } from './notice-plan.js';

/**
 * The blackout period the local start date falls in, or null. Periods are whole local days,
 * both ends included: a window may not start in one, whatever its length.
 */
export function blackoutAt(rules: RuleBook, start: DateTime): BlackoutPeriod | null {
  const date = rules.calendar.local(start).toISODate()!;
  return rules.policy.blackouts.find((period) => period.from <= date && date <= period.to) ?? null;
}

/** "1–10 januari 2027" style, as a refusal names a period: "1 januari–10 januari 2027". */
export function blackoutText(period: BlackoutPeriod): string {
  const from = DateTime.fromISO(period.from).setLocale('sv');
  const to = DateTime.fromISO(period.to).setLocale('sv');
  return `${from.toFormat(from.year === to.year ? 'd LLLL' : 'd LLLL yyyy')}–${to.toFormat('d LLLL yyyy')}`;
}
