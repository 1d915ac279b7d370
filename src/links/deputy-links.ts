import { createHash } from 'node:crypto';

/**
 * Whose a personal link is. A recipient's links name their id. A deputy receives the
 * recipient's messages for a while (src/rules/deputies.ts), and the settings and unsubscribe
 * links in the deputy's copy must not open the recipient's data or stop the recipient's
 * messages: they name the recipient *and* the deputy's address (as a short hash), and open a
 * page of the deputy's own, where the deputy can stop being deputy. Should the recipient name
 * another deputy meanwhile, the old deputy's links no longer do anything.
 * (The acknowledgement link names the recipient: a deputy confirms for the unit they stand in for.)
 */
export interface LinkSubject {
  recipientId: string;
  /** Set for a deputy's link: the hash of the deputy's address (deputyAddressHash). */
  deputyAddressHash: string | null;
}

const DEPUTY_PREFIX = 'deputy:';

/** A hash of a deputy's (lower-cased) address: 16 hex digits, enough to tell one deputy from the next. */
export function deputyAddressHash(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 16);
}

/** The subject of the settings and unsubscribe links in a deputy's copy of a recipient's message. */
export function deputyLinkSubject(recipientId: string, deputyEmail: string): string {
  return `${DEPUTY_PREFIX}${recipientId}:${deputyAddressHash(deputyEmail)}`;
}

/** What a link's (signed) subject names. */
export function readLinkSubject(subject: string): LinkSubject {
  if (!subject.startsWith(DEPUTY_PREFIX)) return { recipientId: subject, deputyAddressHash: null };
  const rest = subject.slice(DEPUTY_PREFIX.length);
  const colon = rest.lastIndexOf(':');
  return colon < 0 ? { recipientId: rest, deputyAddressHash: '' } : { recipientId: rest.slice(0, colon), deputyAddressHash: rest.slice(colon + 1) };
}
