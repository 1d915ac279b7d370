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
