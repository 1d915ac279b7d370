import type { Audience, Policy } from '../policy/policy-schema.js';
import type { RecipientRow } from '../storage/schema.js';
import type { NoticeKind } from './notice-plan.js';

/**
 * "Viktigt att interna rutiner finns vid driftstopp": each person of the policy's
 * acknowledgement audiences confirms per window, and per revision (a moved window asks
 * again), that their unit is prepared. Pure: who is asked and what counts.
 */

/** Messages that ask for the confirmation: those that tell of a time. A cancellation asks nothing. */
const ASKING_KINDS: readonly NoticeKind[] = ['announcement', 'update', 'reminder'];

/** Whether a message of this kind to this audience carries "Bekräfta att enheten är förberedd". */
export function asksToAcknowledge(policy: Policy, audience: Audience, kind: NoticeKind): boolean {
  return ASKING_KINDS.includes(kind) && (policy.acknowledgement.audiences as readonly Audience[]).includes(audience);
}

/** One person asked to confirm a window, and whether they have confirmed its current revision. */
export interface ReadyItem {
  recipient: RecipientRow;
  revision: number;
  /** null until confirmed. */
  acknowledgedAt: Date | null;
}

/** How many of those asked to confirm a window have confirmed it, and which units have not. */
export interface AcknowledgementShare {
  asked: number;
  confirmed: number;
  /** confirmed / asked, 0–1; null when nobody was asked. */
  share: number | null;
  /** The units (or, without one, the names) of those who have not confirmed, sorted. */
  unconfirmed: string[];
}

export const NOBODY_ASKED: AcknowledgementShare = Object.freeze({ asked: 0, confirmed: 0, share: null, unconfirmed: [] as string[] });

export function acknowledgementShare(items: readonly ReadyItem[]): AcknowledgementShare {
  const confirmed = items.filter((i) => i.acknowledgedAt !== null).length;
  const unconfirmed = [...new Set(items.filter((i) => i.acknowledgedAt === null).map((i) => i.recipient.unit?.trim() || i.recipient.name))];
  return {
    asked: items.length,
    confirmed,
    share: items.length === 0 ? null : confirmed / items.length,
    unconfirmed: unconfirmed.sort((a, b) => a.localeCompare(b, 'sv')),
  };
}
