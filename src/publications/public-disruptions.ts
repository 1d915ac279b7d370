/** The statuses a disruption moves through; `resolved` closes it. */
export const DISRUPTION_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type DisruptionStatus = (typeof DISRUPTION_STATUSES)[number];

/** One status change of a disruption, with the short message told with it. */
export interface PublishedDisruptionUpdate {
  id: string;
  status: DisruptionStatus;
  message: string;
  at: Date;
}

/**
 * A disruption (unplanned outage) as the public is told of it: what the page, the feeds and
 * the Statuspage-compatible API are made from. Disruptions are broadcast at once, so the
 * public is told from the instant one is registered.
 */
export interface PublishedDisruption {
  id: string;
  title: string;
  /** What users notice. */
  description: string;
  systems: string[];
  status: DisruptionStatus;
  createdAt: Date;
  updatedAt: Date;
  /** When `resolved` was told; null while it lasts. */
  resolvedAt: Date | null;
  /** Every update, oldest first; the first is the registration. */
  updates: PublishedDisruptionUpdate[];
}

/** The status in the page's words. */
export const DISRUPTION_STATUS_LABELS: Record<DisruptionStatus, string> = {
  investigating: 'Felsökning pågår',
  identified: 'Orsaken är känd',
  monitoring: 'Åtgärdat, följs upp',
  resolved: 'Löst',
};
