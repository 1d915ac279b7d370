import type { Audience, Policy } from '../policy/policy-schema.js';
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
