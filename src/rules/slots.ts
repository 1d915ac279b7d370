import { DateTime } from 'luxon';
import rrulePkg from 'rrule';
import { blackoutAt } from './blackouts.js';
import { planNotices, type RuleBook } from './notice-plan.js';
import { overlappingWindows, type TakenWindow } from './overlaps.js';

// rrule ships CommonJS; its named exports are reached through the default export under ESM.
const { RRule } = rrulePkg;

export interface Slot {
  start: DateTime;
  end: DateTime;
}

/** Slots further ahead than this are not offered. */
const HORIZON_DAYS = 400;

export interface SlotFilter {
  /** The systems the slot is for. @defaultValue every system of the policy: a slot free for all */
  systems?: readonly string[] | undefined;
  /** Windows holding their time; a slot that overlaps one on those systems is taken. @defaultValue none */
  taken?: readonly TakenWindow[] | undefined;
}

/**
 * The next minor-window slots, from `from` on, in which a window could be registered now
 * and keep every rule: an allowed weekday that is a business day outside every blackout
 * period, free on the systems asked for (counting those that depend on them), and every
 * notice still in time. The weekly pattern comes from rrule over local dates ("floating" times, which
 * rrule represents as UTC); each date is then placed in the policy's zone by luxon, so a
 * daylight-saving change never moves a slot.
 */
export function nextMinorSlots(rules: RuleBook, from: DateTime, count: number, now: DateTime, filter: SlotFilter = {}): Slot[] {
  const { calendar, policy } = rules;
  const systems = filter.systems ?? Object.keys(policy.systems);
  const taken = filter.taken ?? [];
  const firstDay = calendar.local(from > now ? from : now).startOf('day');
  const pattern = new RRule({
    freq: RRule.WEEKLY,
    byweekday: policy.minorWindow.weekdays.map((isoWeekday) => isoWeekday - 1),
    dtstart: new Date(Date.UTC(firstDay.year, firstDay.month - 1, firstDay.day)),
    until: new Date(Date.UTC(firstDay.year, firstDay.month - 1, firstDay.day + HORIZON_DAYS)),
  });
  const slots: Slot[] = [];
  pattern.all((floating) => {
    const day = DateTime.fromObject(
      { year: floating.getUTCFullYear(), month: floating.getUTCMonth() + 1, day: floating.getUTCDate() },
      { zone: calendar.zone },
    );
    const start = calendar.at(day, policy.minorWindow.earliestStart);
    const end = calendar.at(day, policy.minorWindow.latestEnd);
    const free = () => blackoutAt(rules, start) === null && overlappingWindows(policy, { systems, start, end }, taken).length === 0;
    if (start >= from && start > now && calendar.isBusinessDay(day) && free()) {
      const plan = planNotices(rules, { kind: 'minor', start }, now, { shortNotice: false });
      if (plan.overdue.length === 0) slots.push({ start, end });
    }
    return slots.length < count;
  });
  return slots;
}
