import type { DateTime } from 'luxon';
import type { Slot } from './slots.js';
import type { RuleBook, WindowKind } from './notice-plan.js';

/** How far from the asked day, either way, a suggestion is looked for. */
const SEARCH_DAYS = 400;

/**
 * The compliant slot nearest to the one asked for: the same length, at the same local time
 * of day (a minor window that does not fit its maintenance slot is moved to the slot's
 * start), on the same weekday when the kind allows it, else on the nearest allowed day (a
 * minor window asked for on a Monday is offered the Tuesday or Wednesday nearest). Days are tried outwards from the
 * asked one, the later before the earlier at the same distance, because a later slot keeps
 * every notice in time where an earlier one may not. `compliant` is every rule the request
 * must keep, so the same function serves every refusal.
 */
export function nearestCompliantSlot<D extends { kind: WindowKind; start: DateTime; end: DateTime }>(
  rules: RuleBook,
  draft: D,
  now: DateTime,
  compliant: (candidate: D) => boolean,
): Slot | null {
  const { calendar, policy } = rules;
  const duration = draft.end.diff(draft.start);
  if (duration.toMillis() <= 0) return null;
  let clock = calendar.local(draft.start).toFormat('HH:mm');
  if (draft.kind === 'minor') {
    const { earliestStart, latestEnd } = policy.minorWindow;
    const fits = (c: string) => c >= earliestStart && calendar.at(draft.start, c).plus(duration) <= calendar.at(draft.start, latestEnd);
    if (!fits(clock)) clock = earliestStart;
    if (!fits(clock)) return null;
  }
  const asked = calendar.startOfDay(draft.start);
  const today = calendar.startOfDay(now);
  // The same weekday pattern: a Tuesday asked for gets a Tuesday when Tuesdays are allowed
  // (a release train keeps its day); a day the kind never allows gets the nearest allowed one.
  const step = draft.kind === 'extensive' || policy.minorWindow.weekdays.includes(asked.weekday) ? 7 : 1;
  for (let distance = 0; distance <= SEARCH_DAYS; distance += step) {
    const days = distance === 0 ? [asked] : [asked.plus({ days: distance }), asked.minus({ days: distance })];
    for (const day of days) {
      if (day < today) continue;
      const start = calendar.at(day, clock);
      const candidate = { ...draft, start, end: start.plus(duration) };
      if (start > now && compliant(candidate)) return { start, end: candidate.end };
    }
  }
  return null;
}
