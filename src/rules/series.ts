import { DateTime } from 'luxon';
import rrulePkg from 'rrule';
import type { RuleBook } from './notice-plan.js';

// rrule ships CommonJS; its named exports are reached through the default export under ESM.
const { RRule } = rrulePkg;

export interface SeriesSpec {
  /** An RFC 5545 RRULE, with or without the `RRULE:` prefix, without DTSTART. */
  rrule: string;
  /** Local date of the first occurrence, YYYY-MM-DD. */
  dtstart: string;
  /** Local clock times HH:MM of each occurrence. */
  start: string;
  end: string;
  /** Last local date an occurrence may fall on, inclusive. */
  until?: string | undefined;
  count?: number | undefined;
}

export interface Occurrence {
  /** Local date YYYY-MM-DD. */
  date: string;
  start: DateTime;
  end: DateTime;
}

/** A series longer than this is a mistake (a missing COUNT), not a release train. */
export const MAX_OCCURRENCES = 100;

export class SeriesRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeriesRuleError';
  }
}

/**
 * The occurrences of a series. The rule runs over local dates ("floating" times, which rrule
 * represents as UTC) and each date is then placed in the policy's zone by luxon, so an
 * occurrence after the daylight-saving change keeps its 09:00. `until`/`count` given beside
 * the rule replace the rule's own; one of them must bound it.
 */
export function seriesOccurrences(rules: RuleBook, spec: SeriesSpec): Occurrence[] {
  let options;
  try {
    options = RRule.parseString(spec.rrule.trim().replace(/^RRULE:/i, ''));
  } catch (error) {
    throw new SeriesRuleError(`RRULE kan inte tolkas: ${(error as Error).message}`);
  }
  if (options.freq === undefined) throw new SeriesRuleError('RRULE saknar FREQ.');
  if (options.dtstart) throw new SeriesRuleError('RRULE får inte ha DTSTART; ange dtstart i stället.');
  const floating = (iso: string) => {
    const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
    return new Date(Date.UTC(y, m - 1, d));
  };
  const until = spec.until ? new Date(floating(spec.until).getTime() + 86_399_000) : options.until;
  const count = spec.count ?? (spec.until ? null : options.count);
  if (!until && !count) throw new SeriesRuleError('Serien måste ha ett slut: ange until eller count.');
  const rule = new RRule({ ...options, dtstart: floating(spec.dtstart), until: until ?? null, count: count ?? null });
  const dates = rule.all((_, index) => index < MAX_OCCURRENCES + 1);
  if (dates.length > MAX_OCCURRENCES) throw new SeriesRuleError(`Serien får ha högst ${MAX_OCCURRENCES} tillfällen.`);
  return dates.map((date) => {
    const day = DateTime.fromObject(
      { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() },
      { zone: rules.calendar.zone },
    );
    return { date: day.toISODate()!, start: rules.calendar.at(day, spec.start), end: rules.calendar.at(day, spec.end) };
  });
}
