import { DateTime } from 'luxon';
import { formatDateTime, formatTime } from '../messages/swedish-time.js';
import type { Policy } from '../policy/policy-schema.js';
import type { ClockInterval, SupportAudience, SupportLineHours } from '../policy/support-schema.js';
import { BusinessCalendar } from './business-calendar.js';

/**
 * "Vem ringer jag nu?": for an instant and a reader (municipal staff or an external
 * provider), the support lines open then and until when, and what to do when none is.
 * Pure: a function of the policy, the instant and the reader; the clock is the caller's.
 *
 * Interpretations of the routine (the policy holds the numbers and texts):
 * - A line is open in its weekly hours, minus its breaks (lunch), on the days its exceptions
 *   do not change: a dated exception, then `holiday` (a public holiday or an eve the policy
 *   treats as one: midsummer eve, Christmas eve, New Year's eve), then `dayBeforeHoliday`.
 * - The lock-fault line ("kväll 17–22 och helg 7–22") is a `faultReport` line for staff and
 *   providers alike: its section of the routine is not marked internal, and a provider's
 *   carer at a locked door needs it as much. While only such lines are open, the reader still
 *   gets the checklist, since the line takes nothing but broken locks.
 * - When no `support` line is open for the reader, the advice is the routine's checklist
 *   and, for staff only ("gäller ej externa utförare"), the on-call path with what it does not
 *   cover; providers are told the on-call path is not theirs.
 */
export interface SupportNow {
  /** The instant asked about, ISO 8601 with the policy zone's offset. */
  at: string;
  audience: SupportAudience;
  open: OpenLine[];
  /** What to do, in Swedish, one sentence or step per entry: a reader of this alone knows what to do. */
  advice: string[];
  /** The routine's checks before calling, when no support line is open; else empty. */
  checklist: string[];
  checklistIntro: string | null;
  /** The on-call path, when no support line is open and the reader is one it serves; else null. */
  onCall: { phone: string; text: string; notCovered: string } | null;
  /** When no support line is open and the on-call path is not for this reader: saying so. */
  noOnCall: string | null;
  /** Support lines for this reader that are closed now, with when each opens next (within 31 days). */
  closed: ClosedLine[];
  /** Day notes of the policy's exceptions ("Andra tider kan förekomma dagen före helgdag."). */
  notes: string[];
  /** The answer is the same from this instant… */
  since: string;
  /** …until this one: a page can be cached, or re-asked, by them. */
  changesAt: string;
}

export interface OpenLine {
  id: string;
  name: string;
  phone: string;
  /** The internal short number, for staff only. */
  internalPhone: string | null;
  howTo: string | null;
  kind: 'support' | 'faultReport';
  /** When it closes, ISO 8601 with the zone's offset. */
  until: string;
  /** `kl. 16.30` the same day, else `måndag 30 november 2026 kl. 08.00`. */
  untilText: string;
}

export interface ClosedLine {
  id: string;
  name: string;
  phone: string;
  internalPhone: string | null;
  /** When it opens next, ISO 8601, or null when not within 31 days. */
  opensAt: string | null;
  opensAtText: string | null;
}

/** How far the answer looks for a line's next opening or the end of a run of open days. */
const LOOKAHEAD_DAYS = 31;

export function supportNow(policy: Policy, at: Date, audience: SupportAudience): SupportNow {
  const calendar = calendarOf(policy);
  const instant = calendar.local(at);
  if (!instant.isValid) throw new RangeError(`not a valid instant: ${String(at)}`);
  const zone = policy.timezone;
  const staff = audience === 'staff';
  const rules = policy.support.now;
  const lines = (rules?.lines ?? []).filter((line) => line.for.includes(audience));
  const today = instant.startOf('day');

  const open: OpenLine[] = [];
  const closed: ClosedLine[] = [];
  const notes = new Set<string>();
  for (const line of lines) {
    const day = lineDay(line, today, calendar);
    if (day.note) notes.add(day.note);
    const current = day.spans.find((span) => span.start <= instant && instant < span.end);
    const internalPhone = staff ? (line.internalPhone ?? null) : null;
    if (current) {
      const until = openUntil(line, current.end, calendar);
      open.push({
        id: line.id,
        name: line.name,
        phone: line.phone,
        internalPhone,
        howTo: line.howTo ?? null,
        kind: line.kind,
        until: iso(until),
        untilText: until.hasSame(instant, 'day') ? `kl. ${formatTime(until.toJSDate(), zone)}` : formatDateTime(until.toJSDate(), zone),
      });
    } else if (line.kind === 'support') {
      const opens = nextOpening(line, instant, calendar);
      closed.push({
        id: line.id,
        name: line.name,
        phone: line.phone,
        internalPhone,
        opensAt: opens ? iso(opens) : null,
        opensAtText: opens ? formatDateTime(opens.toJSDate(), zone) : null,
      });
    }
  }

  const noSupportOpen = !open.some((line) => line.kind === 'support');
  const whenClosed = rules?.whenClosed;
  const checklist = noSupportOpen && whenClosed ? whenClosed.checklist : [];
  const onCall =
    noSupportOpen && whenClosed && whenClosed.onCall.for.includes(audience)
      ? { phone: whenClosed.onCall.phone, text: whenClosed.onCall.text, notCovered: whenClosed.onCall.notCovered }
      : null;

  const noOnCall = noSupportOpen && whenClosed && !onCall ? whenClosed.noOnCall : null;

  const advice = [
    ...notes,
    ...open.map(openLineText),
    ...(checklist.length > 0 ? [whenClosed!.checklistIntro, ...checklist.map((step, index) => `${index + 1}. ${step}`)] : []),
    ...(onCall ? [onCall.text, onCall.notCovered] : []),
    ...(noOnCall ? [noOnCall] : []),
    ...closed.map(reopeningText),
    // A policy written before the lines existed: its texts are all there is to say.
    ...(rules ? [] : policy.support.hours.filter((line) => line.for.includes(audience)).map((line) => line.text)),
  ];

  const { since, changesAt } = unchangedBetween(lines, instant, calendar);
  return {
    at: iso(instant),
    audience,
    open,
    advice,
    checklist: [...checklist],
    checklistIntro: checklist.length > 0 ? whenClosed!.checklistIntro : null,
    onCall,
    noOnCall,
    closed,
    notes: [...notes],
    since: iso(since),
    changesAt: iso(changesAt),
  };
}

interface Span {
  start: DateTime;
  end: DateTime;
}

interface LineDay {
  spans: Span[];
  note: string | null;
}

/** The line's open spans on one local date, breaks taken out, in order and merged. */
function lineDay(line: SupportLineHours, day: DateTime, calendar: BusinessCalendar): LineDay {
  const date = day.toISODate()!;
  const holiday = calendar.holidayName(day) !== null;
  const dayBeforeHoliday = !holiday && calendar.isBusinessDay(day) && calendar.holidayName(day.plus({ days: 1 })) !== null;
  const exception =
    line.exceptions.find((rule) => rule.on === date) ??
    (holiday ? line.exceptions.find((rule) => rule.on === 'holiday') : undefined) ??
    (dayBeforeHoliday ? line.exceptions.find((rule) => rule.on === 'dayBeforeHoliday') : undefined);
  const hours: readonly ClockInterval[] =
    exception?.hours ?? line.hours.filter((weekly) => weekly.weekdays.includes(day.weekday));
  const spans = hours.map((interval) => ({ start: clockOn(calendar, day, interval.from), end: clockOn(calendar, day, interval.to) }));
  const breaks = line.breaks.map((interval) => ({ start: clockOn(calendar, day, interval.from), end: clockOn(calendar, day, interval.to) }));
  return { spans: merge(spans.flatMap((span) => subtract(span, breaks))), note: exception?.note ?? null };
}

/** `24:00` is the midnight that ends the day; other times are wall-clock times of that day. */
function clockOn(calendar: BusinessCalendar, day: DateTime, clock: string): DateTime {
  return clock === '24:00' ? calendar.at(day.plus({ days: 1 }), '00:00') : calendar.at(day, clock);
}

function subtract(span: Span, breaks: readonly Span[]): Span[] {
  let pieces = [span];
  for (const cut of breaks) {
    pieces = pieces.flatMap((piece) => {
      if (cut.end <= piece.start || cut.start >= piece.end) return [piece];
      return [
        ...(cut.start > piece.start ? [{ start: piece.start, end: cut.start }] : []),
        ...(cut.end < piece.end ? [{ start: cut.end, end: piece.end }] : []),
      ];
    });
  }
  return pieces;
}

function merge(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start.toMillis() - b.start.toMillis());
  const merged: Span[] = [];
  for (const span of sorted) {
    const last = merged.at(-1);
    if (last && span.start <= last.end) {
      if (span.end > last.end) merged[merged.length - 1] = { start: last.start, end: span.end };
    } else {
      merged.push(span);
    }
  }
  return merged;
}

/** The end of the span, carried over midnight while the next day opens at its very start. */
function openUntil(line: SupportLineHours, end: DateTime, calendar: BusinessCalendar): DateTime {
  let until = end;
  for (let days = 0; days < LOOKAHEAD_DAYS; days += 1) {
    const next = lineDay(line, until.startOf('day'), calendar).spans.find((span) => span.start.equals(until));
    if (!next || next.end <= until) break;
    until = next.end;
  }
  return until;
}

function nextOpening(line: SupportLineHours, instant: DateTime, calendar: BusinessCalendar): DateTime | null {
  for (let offset = 0; offset <= LOOKAHEAD_DAYS; offset += 1) {
    const day = instant.startOf('day').plus({ days: offset });
    const start = lineDay(line, day, calendar).spans.find((span) => span.start > instant)?.start;
    if (start) return start;
  }
  return null;
}

/**
 * The answer changes only where a line opens or closes, and at midnight (the day's notes, and
 * `untilText` says the date once it is another day's): the latest such instant at or before
 * `instant`, and the first after it.
 */
function unchangedBetween(lines: readonly SupportLineHours[], instant: DateTime, calendar: BusinessCalendar) {
  const today = instant.startOf('day');
  const tomorrow = today.plus({ days: 1 });
  let since = today;
  let changesAt = calendar.at(tomorrow, '00:00');
  for (const line of lines) {
    for (const span of lineDay(line, today, calendar).spans) {
      for (const edge of [span.start, span.end]) {
        if (edge <= instant && edge > since) since = edge;
        if (edge > instant && edge < changesAt) changesAt = edge;
      }
    }
  }
  return { since, changesAt };
}

/** `019-21 20 00 (internt 2000)` for staff, the outside number alone for others. */
export function phoneText(line: Pick<OpenLine, 'phone' | 'internalPhone'>): string {
  return line.internalPhone ? `${line.phone} (internt ${line.internalPhone})` : line.phone;
}

/** `Kommunsupport …: 019-21 20 00 (internt 2000), öppet till kl. 16.30. Tryck 3 …` */
export function openLineText(line: OpenLine): string {
  return [`${line.name}: ${phoneText(line)}, öppet till ${line.untilText}.`, line.howTo].filter(Boolean).join(' ');
}

/** `Kommunsupport … öppnar igen måndag 7 december 2026 kl. 08.00.` */
export function reopeningText(line: ClosedLine): string {
  return line.opensAtText ? `${line.name} öppnar igen ${line.opensAtText}.` : `${line.name} har inga öppettider de närmaste veckorna.`;
}

function iso(instant: DateTime): string {
  return instant.toISO({ suppressMilliseconds: true })!;
}

/** One calendar per policy object: date-holidays builds its tables once, not per question. */
const calendars = new WeakMap<Policy, BusinessCalendar>();
function calendarOf(policy: Policy): BusinessCalendar {
  let calendar = calendars.get(policy);
  if (!calendar) {
    calendar = new BusinessCalendar(policy);
    calendars.set(policy, calendar);
  }
  return calendar;
}
