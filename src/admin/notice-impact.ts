import { AUDIENCES, type Policy } from '../policy/policy-schema.js';
import type { NoticeRow } from '../storage/schema.js';
import { audienceName, channelText } from './admin-labels.js';

/** A delivery as `listDeliveriesOfWindow` reads it: enough to say who was reached. */
export interface DeliveryFact {
  audience: string;
  kind: string;
  channel: 'email' | 'webhook';
  target: string;
  recipient_name: string | null;
  status: string;
}

export interface AudienceImpact {
  audience: string;
  name: string;
  channel: string;
  /** The people an e-mail audience reached so far, `Anna Berg <anna@…>`; none for publications. */
  reached: string[];
}

/** Who hears of a reschedule or cancellation before it is confirmed. */
export interface NoticeImpact {
  /** Audiences already told: they get an update or a cancellation at once. */
  told: AudienceImpact[];
  /** Audiences not told yet: they get nothing now. */
  untold: AudienceImpact[];
}

/**
 * Mirrors the window service's rule: an audience counts as told once a notice other than a
 * cancellation was sent or fanned out to it. Everyone else hears nothing now; on a
 * reschedule their notice is planned anew for the new time, on a cancellation withdrawn.
 */
export function noticeImpact(notices: readonly NoticeRow[], deliveries: readonly DeliveryFact[], policy: Policy): NoticeImpact {
  const told = new Set(
    notices.filter((n) => n.kind !== 'cancellation' && (n.status === 'sent' || n.dispatched_at !== null)).map((n) => n.audience),
  );
  const planned = new Set(notices.map((n) => n.audience));
  const entry = (audience: string): AudienceImpact => ({
    audience,
    name: audienceName(policy, audience),
    channel: channelText(policy, audience),
    reached: [
      ...new Set(
        deliveries
          .filter((d) => d.audience === audience && d.channel === 'email' && d.kind !== 'cancellation' && d.status !== 'cancelled')
          .map((d) => (d.recipient_name ? `${d.recipient_name} <${d.target}>` : d.target)),
      ),
    ],
  });
  return {
    told: AUDIENCES.filter((a) => told.has(a)).map(entry),
    untold: AUDIENCES.filter((a) => !told.has(a) && planned.has(a)).map(entry),
  };
}
