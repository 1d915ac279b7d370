import { READER_OF, type Audience, type Policy, type SupportLine, type SupportReader } from '../policy/policy-schema.js';

/** The support contacts one reader is shown: only the lines the policy marks for them. */
export interface SupportFor {
  /** The number everyone may call, as the policy writes it. */
  phone: string;
  /** `tel:019212000`: a dialable link for that number. */
  phoneHref: string;
  /** The internal short number: staff only, else null. */
  internalPhone: string | null;
  menuChoice: string;
  hours: string[];
  emails: { address: string; topic: string }[];
  /** What to do when a door lock fails, or null when it is not for this reader. */
  lockFaults: string | null;
  /** The routine's note on internal routines: staff only, else null. */
  routines: string | null;
}

/** `tel:019212000`: a dialable link for a number as the policy writes it. */
export function telHref(phone: string): string {
  return `tel:${phone.replace(/[^\d+]/g, '')}`;
}

const isFor = (reader: SupportReader) => (line: Pick<SupportLine, 'for'>) => line.for.includes(reader);

/** Support contacts for a reader: staff see everything, providers and the public what is marked for them. */
export function supportFor(policy: Policy, reader: SupportReader): SupportFor {
  const { support } = policy;
  const staff = reader === 'staff';
  return {
    phone: support.phone,
    phoneHref: telHref(support.phone),
    internalPhone: staff ? support.internalPhone : null,
    menuChoice: support.menuChoice,
    hours: support.hours.filter(isFor(reader)).map((line) => line.text),
    emails: support.emails.filter(isFor(reader)).map(({ address, topic }) => ({ address, topic })),
    lockFaults: isFor(reader)(support.lockFaults) && support.lockFaults.text.trim() ? support.lockFaults.text : null,
    routines: staff ? support.internalRoutinesReminder : null,
  };
}

/** Support contacts for an audience's texts (managers and intranet are staff, Eget Val providers). */
export function supportForAudience(policy: Policy, audience: Audience): SupportFor {
  return supportFor(policy, READER_OF[audience]);
}
