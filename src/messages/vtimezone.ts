import { DateTime } from 'luxon';

/**
 * VTIMEZONE components generated from the time zone data luxon reads (the platform's
 * Intl), so no extra package has to stay in step with the tz database. Calendar clients
 * need the component to place `DTSTART;TZID=Europe/Stockholm:20270330T090000` in time.
 */

interface Transition {
  /** The first instant with the new offset. */
  at: DateTime;
  /** Offsets in minutes east of UTC. */
  offsetFrom: number;
  offsetTo: number;
  daylight: boolean;
  name: string;
}

const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

/**
 * The VTIMEZONE for `zone` valid for the years `fromYear`–`toYear`. Where the zone follows
 * one yearly rule over those years (as Europe/Stockholm has since 1996: last Sunday of March
 * and October) the observances carry an RRULE, the form Outlook and Google write; otherwise
 * each transition is listed on its own.
 */
export function vtimezone(zone: string, fromYear: number, toYear: number): string {
  // Walking three years day by day costs milliseconds; every invitation of a year asks the same.
  const key = `${zone}|${fromYear}|${toYear}`;
  let text = generated.get(key);
  if (text === undefined) generated.set(key, (text = generate(zone, fromYear, toYear)));
  return text;
}

const generated = new Map<string, string>();

function generate(zone: string, fromYear: number, toYear: number): string {
  const start = DateTime.fromObject({ year: fromYear }, { zone });
  if (!start.isValid) throw new RangeError(`unknown time zone ${zone}`);
  const transitions = findTransitions(zone, fromYear, toYear);
  const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`];
  if (transitions.length === 0) {
    lines.push(...observance('STANDARD', '19700101T000000', start.offset, start.offset, tzName(start)));
  } else {
    for (const group of groupByYearlyRule(transitions, fromYear, toYear)) {
      const first = group.transitions[0]!;
      const type = first.daylight ? 'DAYLIGHT' : 'STANDARD';
      lines.push(...observance(type, localStart(first), first.offsetFrom, first.offsetTo, first.name, group.rrule));
    }
  }
  lines.push('END:VTIMEZONE');
  return lines.join('\r\n');
}

function findTransitions(zone: string, fromYear: number, toYear: number): Transition[] {
  const transitions: Transition[] = [];
  let cursor = DateTime.fromObject({ year: fromYear }, { zone });
  const stop = DateTime.fromObject({ year: toYear + 1 }, { zone });
  while (cursor < stop) {
    const next = cursor.plus({ days: 1 });
    if (next.offset !== cursor.offset) transitions.push(transitionBetween(cursor, next));
    cursor = next;
  }
  return transitions;
}

/** Narrows a day in which the offset changed down to the minute of the change. */
function transitionBetween(before: DateTime, after: DateTime): Transition {
  let low = before.toMillis();
  let high = after.toMillis();
  const zone = before.zone;
  while (high - low > 60_000) {
    const middle = Math.floor((low + high) / 2 / 60_000) * 60_000;
    if (DateTime.fromMillis(middle, { zone }).offset === before.offset) low = middle;
    else high = middle;
  }
  const at = DateTime.fromMillis(high, { zone });
  return { at, offsetFrom: before.offset, offsetTo: at.offset, daylight: at.isInDST, name: tzName(at) };
}

interface ObservanceGroup {
  transitions: Transition[];
  rrule?: string;
}

/** Transitions that recur every year on the same weekday rule become one observance. */
function groupByYearlyRule(transitions: Transition[], fromYear: number, toYear: number): ObservanceGroup[] {
  const byRule = new Map<string, Transition[]>();
  for (const transition of transitions) {
    const key = `${ruleOf(transition)}|${transition.offsetFrom}|${transition.offsetTo}|${wallClockBefore(transition).toFormat('HHmm')}`;
    byRule.set(key, [...(byRule.get(key) ?? []), transition]);
  }
  const years = toYear - fromYear + 1;
  const yearly = [...byRule.values()].every(
    (group) => group.length === years && new Set(group.map((t) => t.at.year)).size === years,
  );
  if (!yearly) return transitions.map((transition) => ({ transitions: [transition] }));
  return [...byRule.values()].map((group) => ({ transitions: group, rrule: ruleOf(group[0]!) }));
}

/** `FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU`: the weekday and its place in the month, last counted from the end. */
function ruleOf(transition: Transition): string {
  const local = wallClockBefore(transition);
  const day = local.day;
  const ordinal = day + 7 > (local.daysInMonth ?? 31) ? -1 : Math.ceil(day / 7);
  return `FREQ=YEARLY;BYMONTH=${local.month};BYDAY=${ordinal}${WEEKDAYS[local.weekday - 1]}`;
}

/** RFC 5545: an observance starts at the wall-clock time of the offset it leaves. */
function localStart(transition: Transition): string {
  return wallClockBefore(transition).toFormat("yyyyLLdd'T'HHmmss");
}

/** The transition instant read on the clock that is about to change (02.00 in spring, 03.00 in autumn). */
function wallClockBefore(transition: Transition): DateTime {
  return transition.at.toUTC().plus({ minutes: transition.offsetFrom });
}

function observance(type: string, dtstart: string, from: number, to: number, name: string, rrule?: string): string[] {
  return [
    `BEGIN:${type}`,
    `DTSTART:${dtstart}`,
    ...(rrule ? [`RRULE:${rrule}`] : []),
    `TZOFFSETFROM:${formatOffset(from)}`,
    `TZOFFSETTO:${formatOffset(to)}`,
    ...(name ? [`TZNAME:${name}`] : []),
    `END:${type}`,
  ];
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

/** `CEST`, `CET`: the abbreviation where one exists, nothing where Intl only knows `GMT+2`. */
function tzName(at: DateTime): string {
  const name = at.setLocale('en-GB').offsetNameShort ?? '';
  return /^[A-Z]{2,6}$/.test(name) ? name : '';
}

