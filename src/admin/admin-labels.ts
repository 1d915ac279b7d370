import type { Verdict } from '../compliance/compliance-report.js';
import type { Policy } from '../policy/policy-schema.js';
export { audienceName, channelText } from '../policy/audience-labels.js';

/** The page's Swedish words for the service's codes, in one place. */

export const WINDOW_STATUS: Record<string, string> = {
  scheduled: 'Planerat',
  in_progress: 'Pågår',
  completed: 'Genomfört',
  cancelled: 'Inställt',
};

export const WINDOW_KIND: Record<string, string> = {
  minor: 'Mindre uppgradering',
  extensive: 'Omfattande driftstopp',
};

export const NOTICE_KIND: Record<string, string> = {
  announcement: 'Meddelande',
  reminder: 'Påminnelse',
  update: 'Ändrad tid',
  cancellation: 'Inställt',
};

export const NOTICE_STATUS: Record<string, string> = {
  pending: 'Väntar',
  sent: 'Skickat',
  failed: 'Misslyckades',
  cancelled: 'Återkallat',
};

export const DELIVERY_STATUS: Record<string, string> = {
  pending: 'Väntar',
  sending: 'Skickas',
  sent: 'Levererat',
  failed: 'Misslyckades',
  cancelled: 'Återkallat',
};

export const VERDICT: Record<Verdict, string> = {
  on_time: 'I tid',
  late: 'Sent',
  pending: 'Väntar',
  at_risk: 'I fara',
  failed: 'Misslyckades',
  cancelled: 'Återkallat',
  informational: 'Information',
};

/** Verdicts that make a window stand out in the calendar. */
export const ALARMING: ReadonlySet<Verdict> = new Set(['at_risk', 'late', 'failed']);

export const RECIPIENT_KIND: Record<string, string> = {
  manager: 'Chef',
  provider: 'Extern utförare',
  subscriber: 'Prenumerant (allmänheten)',
};

export function systemText(policy: Policy, systems: readonly string[]): string {
  const order = Object.keys(policy.systems);
  return [...systems]
    .sort((a, b) => order.indexOf(a) - order.indexOf(b))
    .map((id) => policy.systems[id]?.displayName ?? id)
    .join(', ');
}
