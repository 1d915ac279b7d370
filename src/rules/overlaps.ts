import type { DateTime } from 'luxon';
import type { Policy } from '../policy/policy-schema.js';
import { systemsTakenDown, takesDownAnyOf } from './dependencies.js';

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
 *
 * The draft's systems are followed through their dependents once, and each distinct list of
 * systems among the taken windows once: a register repeats a few lists many times.
 */
export function overlappingWindows(
  policy: Pick<Policy, 'systems'>,
  draft: { systems: readonly string[]; start: DateTime; end: DateTime },
  taken: readonly TakenWindow[],
  except?: string,
): TakenWindow[] {
  const down = systemsTakenDown(policy, draft.systems);
  const sharing = new Map<string, boolean>();
  const sharesASystem = (systems: readonly string[]) => {
    const key = systems.join('\n');
    let shares = sharing.get(key);
    if (shares === undefined) sharing.set(key, (shares = takesDownAnyOf(policy, systems, down)));
    return shares;
  };
  return taken.filter(
    (other) => other.id !== except && other.start < draft.end && draft.start < other.end && sharesASystem(other.systems),
  );
}
