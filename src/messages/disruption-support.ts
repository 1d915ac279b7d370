import type { Audience, Policy } from '../policy/policy-schema.js';

/**
 * "Who to call now" in a disruption's message: the support lines open at the message's
 * instant for its readers, and what to do when none is.
 *
 * INTEGRATION POINT (support-now, issue 14 part 2): `supportNow(policy, at, audience)` in
 * `src/rules/support-now.ts` and its renderer are built on the `support-now` branch. Once
 * merged, this function returns their answer for `at` and the audience's reader (managers and
 * intranet: staff; Eget Val and the public: provider); until then it answers null and the
 * messages show the policy's support contacts alone. The templates
 * (`templates/disruptions/*.hbs`, the `supportNow` block) already show an answer when given.
 */
export interface SupportAnswer {
  /** Lines open now: `Kommunsupport 019-21 20 00, öppet till kl. 16.30`. */
  open: string[];
  /** What to do when no line is open (the routine's checklist, the on-call path for staff); null when one is. */
  advice: string | null;
}

export function supportAnswerFor(_policy: Policy, _at: Date, _audience: Audience): SupportAnswer | null {
  return null;
}
