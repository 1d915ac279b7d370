import { AUDIENCES, type Policy } from '../policy/policy-schema.js';
import { audiencesToTellOfChange, publicationAudiences, whoWasTold, type DeliveryFact } from '../rules/told.js';
import type { NoticeRow } from '../storage/schema.js';
import { audienceName, channelText } from '../policy/audience-labels.js';

/** A delivery as `listDeliveriesOfWindow` reads it: enough to say who was reached. */
export interface NamedDelivery extends DeliveryFact {
  channel: 'email' | 'webhook';
  target: string;
  recipient_name: string | null;
}

export interface AudienceImpact {
  audience: string;
  name: string;
  channel: string;
  /** The people of an e-mail audience told so far (or being told now), `Anna Berg <anna@…>`; none for publications. */
  reached: string[];
}

/** Who hears of a reschedule or cancellation before it is confirmed. */
export interface NoticeImpact {
  /** Audiences someone of which was told: they get an update or a cancellation at once. */
  told: AudienceImpact[];
  /** Audiences planned but not told yet: they get nothing now. */
  untold: AudienceImpact[];
}

/**
 * The told rule's answer (src/rules/told.ts), as the reschedule and cancel pages explain it.
 * Everyone else hears nothing now; on a reschedule their notice is planned anew for the new
 * time, on a cancellation withdrawn.
 */
export function noticeImpact(notices: readonly NoticeRow[], deliveries: readonly NamedDelivery[], policy: Policy): NoticeImpact {
  const told = whoWasTold(notices, deliveries, publicationAudiences(policy));
  const toTell = new Set(audiencesToTellOfChange(told));
  const planned = new Set(notices.map((n) => n.audience));
  const entry = (audience: (typeof AUDIENCES)[number]): AudienceImpact => {
    const { told: keys, inFlight } = told.get(audience)!;
    const people = deliveries.filter((d) => d.channel === 'email' && (keys.has(d.recipient_key) || inFlight.has(d.recipient_key)));
    return {
      audience,
      name: audienceName(policy, audience),
      channel: channelText(policy, audience),
      reached: [...new Set(people.map((d) => (d.recipient_name ? `${d.recipient_name} <${d.target}>` : d.target)))],
    };
  };
  return {
    told: AUDIENCES.filter((a) => toTell.has(a)).map(entry),
    untold: AUDIENCES.filter((a) => !toTell.has(a) && planned.has(a)).map(entry),
  };
}
