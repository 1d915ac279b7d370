import type { Policy } from '../policy/policy-schema.js';
import { shareASystem } from './dependencies.js';

/**
 * The life of a disruption (driftstörning): investigating → identified → monitoring → resolved.
 * Pure: no I/O, no clock.
 *
 * Going back is allowed while it is open (a fix being monitored may fail, and the cause found
 * may prove wrong: monitoring → identified or investigating), and the same status again is an
 * ordinary update with a new message. `resolved` closes it: nothing may follow.
 */
export const DISRUPTION_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type DisruptionStatus = (typeof DISRUPTION_STATUSES)[number];

/** The statuses of a disruption that is still going on. */
export const OPEN_DISRUPTION_STATUSES: readonly DisruptionStatus[] = ['investigating', 'identified', 'monitoring'];

/** Swedish names of the statuses, for every text a person reads. */
export const DISRUPTION_STATUS_LABELS: Readonly<Record<DisruptionStatus, string>> = {
  investigating: 'Felsökning pågår',
  identified: 'Orsaken är känd',
  monitoring: 'Åtgärdat, vi bevakar',
  resolved: 'Löst',
};

export function isOpenDisruption(status: DisruptionStatus): boolean {
  return status !== 'resolved';
}

/**
 * "At once", as a deadline the record can judge: a disruption's message that reaches its
 * audience within this long of being due counts as on time (a window's notices are judged
 * against their lead times instead). Metrics count later ones as late.
 */
export const DISRUPTION_NOTICE_DEADLINE_MS = 15 * 60_000;

/** A planned window as far as a disruption's message needs it. */
export interface PlannedWindowFact {
  id: string;
  title: string;
  systems: readonly string[];
  status: string;
  start_at: Date;
  end_at: Date;
}

/**
 * The planned windows a disruption falls in: not cancelled, going on at `at` (the disruption's
 * registration), and taking down a system the disruption concerns (dependencies counted), so
 * that its messages can say "under det planerade driftstoppet ...".
 */
export function plannedWindowsDuring<W extends PlannedWindowFact>(
  policy: Pick<Policy, 'systems'>,
  disruption: { systems: readonly string[] },
  at: Date,
  windows: readonly W[],
): W[] {
  return windows.filter(
    (w) =>
      w.status !== 'cancelled' &&
      w.start_at.getTime() <= at.getTime() &&
      at.getTime() < w.end_at.getTime() &&
      shareASystem(policy, disruption.systems, w.systems),
  );
}
