import type { RecipientView } from '../application/recipient-commands.js';
import type { Policy } from '../policy/policy-schema.js';
import { formatDateTime } from '../messages/swedish-time.js';
import type { FieldError } from '../errors.js';
import { TEXT_PROBLEM_CODES } from '../rules/text-rules.js';
import { RECIPIENT_KIND, systemText } from './admin-labels.js';

/** `2027-03-30` as `30 mars 2027`. */
function localDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d!)).toLocaleDateString('sv-SE', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/**
 * One recipient as the admin pages show them: what they follow and whether messages reach
 * them. A manager who stopped receiving messages is a risk, not a preference: nobody of their
 * unit hears of the next downtime, so the row says so and stands out.
 */
export function recipientRow(r: RecipientView, policy: Policy) {
  const stopped = r.unsubscribedAt !== null;
  return {
    ...r,
    shownName: r.name.trim() || r.email,
    href: `/admin/mottagare/${r.id}`,
    kindLabel: RECIPIENT_KIND[r.kind] ?? r.kind,
    systemsText: systemText(policy, r.systems),
    stopped,
    risk: stopped && r.kind === 'manager',
    stoppedAt: r.unsubscribedAt ? formatDateTime(new Date(r.unsubscribedAt), policy.timezone) : null,
    deputyText: r.deputy ? `${r.deputy.name} (${r.deputy.email}), ${localDay(r.deputy.from)}–${localDay(r.deputy.to)}` : null,
  };
}

export const RECIPIENT_FIELDS: ReadonlySet<string> = new Set(['kind', 'name', 'email', 'systems', 'unit']);

/** Swedish words for the schema's complaints, by field; other messages are Swedish already. */
const FIELD_MESSAGES: Record<string, string> = {
  kind: 'Välj chef eller extern utförare.',
  name: 'Ange ett namn.',
  email: 'Ange en giltig e-postadress.',
  systems: 'Välj minst ett system.',
  unit: 'Enheten får vara högst 200 tecken.',
};

export function inSwedish(errors: readonly FieldError[]): FieldError[] {
  return errors.map((e) => {
    const field = e.path.split('.')[0]!;
    const ownWords = e.code === 'unknown_system' || e.code === 'duplicate' || TEXT_PROBLEM_CODES.has(e.code);
    const swedish = ownWords ? undefined : FIELD_MESSAGES[field];
    return swedish ? { ...e, path: field, message: swedish } : e;
  });
}

