import type { Audience, Policy } from '../policy/policy-schema.js';
import type { SupportAudience } from '../policy/support-schema.js';
import { supportNow } from '../rules/support-now.js';
import { renderSupportNow, type RenderedSupportNow } from './support-now-render.js';

/**
 * Whose answer a disruption's message to an audience gives: managers and the intranet are
 * municipal staff; Eget Val's providers and the public get the providers' answer, which
 * names no internal line and no on-call path that is not theirs.
 */
const SUPPORT_AUDIENCE: Readonly<Record<Audience, SupportAudience>> = {
  managers: 'staff',
  intranet: 'staff',
  egetval: 'provider',
  public: 'provider',
};

/**
 * "Vem ringer jag nu?" in a disruption's message: the support lines open at the message's
 * instant (the registration or the update) for its readers, and what to do when none is
 * (the routine's checklist; the on-call path for staff), from `supportNow` and its renderer.
 */
export function supportAnswerFor(policy: Policy, at: Date, audience: Audience): RenderedSupportNow {
  return renderSupportNow(supportNow(policy, at, SUPPORT_AUDIENCE[audience]), { zone: policy.timezone, headingLevel: 2 });
}
