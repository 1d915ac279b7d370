import type { DateTime } from 'luxon';
import type { FieldError } from '../errors.js';
import type { PlanStep } from '../policy/policy-schema.js';
import { planNotices, type NoticePlan, type NoticeStep, type RuleBook, type WindowKind } from './notice-plan.js';

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
}

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
 * Every rule for a new or moved window: the window's own rules, then notice. Notice is
 * checked only for an otherwise valid window, and too short notice names the earliest
 * compliant start unless `shortNotice` accepts it.
 */
export function checkWindow(
  rules: RuleBook,
  draft: WindowDraft,
  now: DateTime,
  options: { shortNotice: boolean; steps?: NoticeStep[] },
): WindowCheck {
  const violations = windowViolations(rules, draft, now);
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
  return { violations, plan, earliestCompliantStart };
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
