import type { DateTime } from 'luxon';
import type { FieldError } from '../errors.js';
import type { PlanStep } from '../policy/policy-schema.js';
import type { BlackoutPeriod } from '../policy/policy-schema.js';
import { formatWhen } from '../messages/swedish-time.js';
import { blackoutAt, blackoutText } from './blackouts.js';
import { nearestCompliantSlot } from './nearest-slot.js';
import { planNotices, type NoticePlan, type NoticeStep, type RuleBook, type WindowKind } from './notice-plan.js';
import { overlappingWindows, type TakenWindow } from './overlaps.js';
import type { Slot } from './slots.js';

export interface WindowDraft {
  kind: WindowKind;
  systems: readonly string[];
  start: DateTime;
  end: DateTime;
  plan?: readonly PlanStep[];
}

export interface WindowCheck {
  /** Rules the window breaks; empty when it may be registered. */
  violations: FieldError[];
  plan: NoticePlan;
  /** Set when notice is too short: the earliest start, same time of day and length, that complies. */
  earliestCompliantStart: DateTime | null;
  /** Set when a refusal suggests a time: the compliant slot nearest to the one asked for. */
  suggestion: Slot | null;
  /** The taken windows it overlaps, allowed or not. */
  conflicts: TakenWindow[];
  /** The blackout period it starts in, allowed or not. */
  blackout: BlackoutPeriod | null;
}

export interface CheckOptions {
  /** Too short notice is accepted (with a reason the caller keeps). */
  shortNotice: boolean;
  steps?: NoticeStep[] | undefined;
  /** Windows that hold their time (scheduled or running); none when not given. */
  taken?: readonly TakenWindow[] | undefined;
  /** The window being moved, which never conflicts with itself. */
  except?: string | undefined;
  /** An overlap is accepted (with a reason the caller keeps). */
  allowOverlap?: boolean | undefined;
  /** Starting in a blackout period is accepted; for an extensive window only. */
  allowBlackout?: boolean | undefined;
}

/** The refusals that name a time the request could have instead. */
export const SUGGESTING_CODES: ReadonlySet<string> = new Set([
  'insufficient_notice',
  'outside_maintenance_slot',
  'public_holiday',
  'blackout_period',
  'overlapping_window',
]);

/** Refusals of the window's own shape: no other time fixes them, so none is suggested. */
const UNFIXABLE_BY_TIME: ReadonlySet<string> = new Set(['unknown_system', 'end_before_start', 'too_long']);

/** How far ahead we look for a compliant start before giving up. */
const SEARCH_HORIZON_DAYS = 400;

/** Rules about the window itself, regardless of notice. */
export function windowViolations(rules: RuleBook, draft: WindowDraft, now: DateTime): FieldError[] {
  const { policy } = rules;
  const violations: FieldError[] = [];
  draft.systems.forEach((system, index) => {
    if (!Object.hasOwn(policy.systems, system)) {
      violations.push({
        path: `systems.${index}`,
        code: 'unknown_system',
        message: `Systemet "${system}" finns inte. Kända system: ${Object.keys(policy.systems).join(', ')}.`,
      });
    }
  });
  if (draft.end <= draft.start) {
    violations.push({ path: 'end', code: 'end_before_start', message: 'Slutet måste ligga efter starten.' });
  }
  if (draft.start <= now) {
    violations.push({ path: 'start', code: 'in_past', message: 'Starten har redan passerat.' });
  }
  if (draft.kind === 'minor') violations.push(...minorSlotViolations(rules, draft));
  violations.push(...extentViolations(rules, draft, now));
  return violations;
}

/** The policy's bounds on how far ahead a window may start and how long it may last. */
function extentViolations(rules: RuleBook, draft: WindowDraft, now: DateTime): FieldError[] {
  const { horizonDays, maxWindowHours } = rules.policy;
  const violations: FieldError[] = [];
  const latestStart = rules.calendar.local(now).plus({ days: horizonDays });
  if (draft.start > latestStart) {
    violations.push({
      path: 'start',
      code: 'too_far_ahead',
      message: `Starten ligger för långt fram: ett driftstopp kan registreras högst ${horizonDays} dagar i förväg (senast ${latestStart.setLocale('sv').toFormat('d LLLL yyyy')}).`,
    });
  }
  if (draft.end.diff(draft.start).as('hours') > maxWindowHours) {
    violations.push({
      path: 'end',
      code: 'too_long',
      message: `Driftstoppet är för långt: det får vara högst ${maxWindowHours} timmar. Dela upp det i flera driftstopp.`,
    });
  }
  return violations;
}

function minorSlotViolations(rules: RuleBook, draft: WindowDraft): FieldError[] {
  const { policy, calendar } = rules;
  const start = calendar.local(draft.start);
  const end = calendar.local(draft.end);
  const { weekdays, earliestStart, latestEnd } = policy.minorWindow;
  const violations: FieldError[] = [];
  const slotText = `${weekdayNames(weekdays)} ${earliestStart.replace(':', '.')}–${latestEnd.replace(':', '.')}`;
  if (
    !weekdays.includes(start.weekday) ||
    !start.hasSame(end, 'day') ||
    start < calendar.at(start, earliestStart) ||
    end > calendar.at(start, latestEnd)
  ) {
    violations.push({
      path: 'start',
      code: 'outside_maintenance_slot',
      message: `En mindre uppgradering måste ligga helt inom ${slotText} (${policy.timezone}).`,
    });
  }
  const holiday = calendar.holidayName(start);
  if (holiday !== null) {
    violations.push({
      path: 'start',
      code: 'public_holiday',
      message: `${start.setLocale('sv').toFormat('cccc d LLLL yyyy')} är en helgdag (${holiday}); mindre uppgraderingar görs inte då.`,
    });
  }
  return violations;
}

/**
 * Every rule for a new or moved window: the window's own rules, blackout periods, overlaps
 * with taken windows, then notice. Notice is checked only for an otherwise valid window, and
 * too short notice names the earliest compliant start unless `shortNotice` accepts it. A
 * refusal that a different time would cure carries the nearest slot that keeps every rule the
 * request must keep (its own acceptances included).
 */
export function checkWindow(rules: RuleBook, draft: WindowDraft, now: DateTime, options: CheckOptions): WindowCheck {
  const taken = options.taken ?? [];
  const violations = windowViolations(rules, draft, now);
  const blackout = blackoutAt(rules, draft.start);
  const blackoutAllowed = (period: unknown) => period === null || (draft.kind === 'extensive' && options.allowBlackout === true);
  const conflicts = overlappingWindows(rules.policy, draft, taken, options.except);
  if (blackout !== null && !blackoutAllowed(blackout)) {
    violations.push({
      path: 'start',
      code: 'blackout_period',
      message:
        `Inga driftstopp får börja ${blackoutText(blackout)}: ${blackout.reason}` +
        (draft.kind === 'extensive' ? ' Ett omfattande driftstopp kan ändå registreras med allowBlackout och ett skäl.' : ''),
      // The admin form asks for the reason in words of its own, so its brief leaves the API's field name out.
      brief: `Inga driftstopp får börja ${blackoutText(blackout)}: ${blackout.reason}`,
    });
  }
  if (conflicts.length > 0 && !options.allowOverlap) {
    const zone = rules.policy.timezone;
    const list = conflicts.map((c) => `"${c.title}" ${formatWhen(c.start.toJSDate(), c.end.toJSDate(), zone)}`).join('; ');
    violations.push({
      path: 'start',
      code: 'overlapping_window',
      message: `Krockar med ${conflicts.length === 1 ? 'ett annat driftstopp' : `${conflicts.length} andra driftstopp`} på samma system: ${list}. Ange allowOverlap med ett skäl för att ändå registrera det.`,
      brief: `Krockar med ${conflicts.length === 1 ? 'ett annat driftstopp' : `${conflicts.length} andra driftstopp`} på samma system: ${list}.`,
    });
  }
  const plan = planNotices(rules, draft, now, options);
  let earliestCompliantStart: DateTime | null = null;
  if (violations.length === 0 && plan.overdue.length > 0 && !options.shortNotice) {
    earliestCompliantStart = findEarliestCompliantStart(rules, draft, now, options.steps);
    const audiences = [...new Set(plan.overdue.map((step) => rules.policy.audiences[step.audience].displayName))];
    const brief = `För kort varsel: ${audiences.join(', ')} hinner inte informeras i tid enligt rutinen.`;
    violations.push({
      path: 'start',
      code: 'insufficient_notice',
      message: brief + (earliestCompliantStart ? ` Tidigaste start som följer rutinen: ${swedishDateTime(earliestCompliantStart)}.` : ''),
      brief,
    });
  }
  let suggestion: Slot | null = null;
  if (violations.some((v) => SUGGESTING_CODES.has(v.code)) && !violations.some((v) => UNFIXABLE_BY_TIME.has(v.code))) {
    suggestion = nearestCompliantSlot(rules, draft, now, (candidate) =>
      windowViolations(rules, candidate, now).length === 0 &&
      blackoutAllowed(blackoutAt(rules, candidate.start)) &&
      (options.allowOverlap === true || overlappingWindows(rules.policy, candidate, taken, options.except).length === 0) &&
      (options.shortNotice || planNotices(rules, candidate, now, options).overdue.length === 0),
    );
    if (suggestion) {
      const text = ` Närmaste tid som följer reglerna: ${formatWhen(suggestion.start.toJSDate(), suggestion.end.toJSDate(), rules.policy.timezone)}.`;
      for (const v of violations) if (SUGGESTING_CODES.has(v.code) && v.code !== 'insufficient_notice') {
        v.brief ??= v.message;
        v.message += text;
      }
    }
  }
  return { violations, plan, earliestCompliantStart, suggestion, conflicts, blackout };
}

/**
 * `checkWindow` against taken windows, for a draft already checked with none (`alone`, with
 * the same `now` and options but `taken`). A draft that broke no rule alone can only gain
 * conflicts, and the overlap refusal unless it is accepted: when it gains no refusal, the
 * answer is `alone` with its conflicts, and only the overlaps were worked out. Anything
 * else is checked in full. A create works out `alone` before it takes the register's lock
 * and holds the lock for the overlaps only.
 */
export function checkAgainstTaken(rules: RuleBook, draft: WindowDraft, now: DateTime, options: CheckOptions, alone: WindowCheck): WindowCheck {
  if (alone.violations.length === 0) {
    const conflicts = overlappingWindows(rules.policy, draft, options.taken ?? [], options.except);
    if (conflicts.length === 0 || options.allowOverlap === true) return { ...alone, conflicts };
  }
  return checkWindow(rules, draft, now, options);
}

/**
 * The earliest start, at the same local time of day and with the same length (a minor
 * window is moved into the slot if it lies outside it), that keeps every rule.
 */
export function findEarliestCompliantStart(
  rules: RuleBook,
  draft: WindowDraft,
  now: DateTime,
  steps?: NoticeStep[],
): DateTime | null {
  const { calendar, policy } = rules;
  const duration = draft.end.diff(draft.start);
  let timeOfDay = calendar.local(draft.start).toFormat('HH:mm');
  if (draft.kind === 'minor') {
    const fits = (clock: string) => {
      const start = calendar.at(draft.start, clock);
      return clock >= policy.minorWindow.earliestStart && start.plus(duration) <= calendar.at(start, policy.minorWindow.latestEnd);
    };
    if (!fits(timeOfDay)) timeOfDay = policy.minorWindow.earliestStart;
    if (!fits(timeOfDay)) return null;
  }
  let day = calendar.startOfDay(now);
  for (let i = 0; i < SEARCH_HORIZON_DAYS; i += 1, day = day.plus({ days: 1 })) {
    const start = calendar.at(day, timeOfDay);
    const candidate = { ...draft, start, end: start.plus(duration) };
    if (windowViolations(rules, candidate, now).length > 0) continue;
    if (planNotices(rules, candidate, now, { shortNotice: false, steps }).overdue.length === 0) return start;
  }
  return null;
}

const WEEKDAY_NAMES = ['måndag', 'tisdag', 'onsdag', 'torsdag', 'fredag', 'lördag', 'söndag'];

function weekdayNames(weekdays: readonly number[]): string {
  const names = [...weekdays].sort().map((d) => `${WEEKDAY_NAMES[d - 1]}ar`);
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} eller ${names.at(-1)}`;
}

/** `tisdag 13 april 2027 kl. 09.00` in the instant's own zone, as texts to people say it. */
function swedishDateTime(instant: DateTime): string {
  return instant.setLocale('sv').toFormat("cccc d LLLL yyyy 'kl.' HH.mm");
}

/** The earliest compliant start as the 422 writes it out beside the instant: `tidigast tisdag 13 april 2027 kl. 09.00`. */
export function earliestStartText(earliest: DateTime, zone: string): string {
  return `tidigast ${swedishDateTime(earliest.setZone(zone))}`;
}
