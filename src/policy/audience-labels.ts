import type { Audience, Policy } from './policy-schema.js';

/** An audience as people call it: the policy's display name ("Berörda chefer", "orebro.se"). */
export function audienceName(policy: Policy, audience: string): string {
  return policy.audiences[audience as Audience]?.displayName ?? audience;
}

/** How an audience is reached, as the reschedule and cancel pages explain it. */
export function channelText(policy: Policy, audience: string): string {
  const channel = policy.audiences[audience as Audience]?.channel;
  if (channel === 'email') return 'e-post med kalenderinbjudan';
  if (channel === 'bulletin') return 'utskick via Eget Val';
  return 'publicering';
}

