import type { DateTime } from 'luxon';
import type { Policy } from '../policy/policy-schema.js';
import { shareASystem } from './dependencies.js';

/** A window that holds its time: scheduled or running. */
export interface TakenWindow {
  id: string;
  title: string;
  systems: readonly string[];
  start: DateTime;
  end: DateTime;
}

/**
 * The taken windows that overlap a window on `systems` from `start` to `end`: in time (half
 * open, so one may end at 11:00 and the next start at 11:00) and on a system, counting the
 * systems that depend on those named. Instants are compared, not wall-clock times, so a
 * window across the daylight-saving change overlaps exactly what it shares real time with.
 * `except` is the window being moved, which never conflicts with itself.
 */
export function overlappingWindows(
  policy: Pick<Policy, 'systems'>,
  draft: { systems: readonly string[]; start: DateTime; end: DateTime },
  taken: readonly TakenWindow[],
  except?: string,
): TakenWindow[] {
  return taken.filter(
    (other) =>
      other.id !== except &&
      other.start < draft.end &&
      draft.start < other.end &&
      shareASystem(policy, draft.systems, other.systems),
  );
}
