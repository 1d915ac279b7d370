import { listDisruptionsWithUpdates, type DisruptionWithUpdates } from '../disruptions/disruption-repository.js';
import type { DisruptionStatus } from '../rules/disruption-status.js';
import type { Db } from '../storage/database.js';

/** One status change of a disruption, with the short message told with it. */
export interface PublishedDisruptionUpdate {
  id: string;
  status: DisruptionStatus;
  message: string;
  at: Date;
}

/**
 * A disruption (unplanned outage) as the public is told of it: what the page, the feeds and
 * the Statuspage-compatible API are made from.
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

/** More than any municipality has in a quarter; a bound on the page, not a rule. */
const MOST_DISRUPTIONS = 200;

/**
 * Disruptions registered by `now` that still last or were resolved after `since`, newest
 * first. A disruption has no lead time and is broadcast to every audience at once, so the
 * public page and feeds, the public audience's own channel, show each one and each update
 * from the instant it is recorded, without waiting for the CMS webhook to answer: in an
 * outage the page must not lag behind the e-mails.
 */
export async function loadPublishedDisruptions(db: Db, since: Date, now: Date): Promise<PublishedDisruption[]> {
  const rows = await listDisruptionsWithUpdates(db, { from: since, to: new Date(now.getTime() + 1), limit: MOST_DISRUPTIONS });
  return rows.map(publishedDisruption);
}

export function publishedDisruption({ disruption, updates }: DisruptionWithUpdates): PublishedDisruption {
  return {
    id: disruption.id,
    title: disruption.title,
    description: disruption.description,
    systems: disruption.systems,
    status: disruption.status,
    createdAt: disruption.created_at,
    updatedAt: disruption.updated_at,
    resolvedAt: disruption.resolved_at,
    updates: updates.map((u) => ({ id: u.id, status: u.status, message: u.message, at: u.at })),
  };
}
