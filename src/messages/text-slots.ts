import { wrap as qpWrap } from 'nodemailer/lib/qp';
import { encodeQuotedPrintable } from './quoted-printable.js';

/**
 * A place in a text or HTML body that each recipient's copy fills with its own value (a
 * personal link). Letters, digits and dashes only: Handlebars' escaping leaves it alone and
 * quoted-printable writes it as it is. `quotedPrintableSlotted` puts each one on a line of
 * its own between soft line breaks, so it is found whole in the compiled message.
 */
export function textSlot(name: string): string {
  if (!/^[a-z]+$/.test(name)) throw new Error(`a slot name is lower-case letters, not "${name}"`);
  return `driftstopp-slot-${name}-5c1e8a04b7`;
}

/** A text slot in a compiled message; the name is group 1. */
export const SLOT_PATTERN = /driftstopp-slot-([a-z]+)-5c1e8a04b7/g;

/**
 * A body as quoted-printable (RFC 2045 6.7) in which every text slot stands alone on a line
 * between two soft line breaks: the decoded text is unchanged, and the slot can be replaced
 * per recipient by the value's own quoted-printable lines without re-encoding the rest.
 */
export function quotedPrintableSlotted(text: string): string {
  const crlf = text.replace(/\r?\n/g, '\r\n');
  let out = '';
  let from = 0;
  for (const match of crlf.matchAll(SLOT_PATTERN)) {
    out += `${qpWrap(encodeQuotedPrintable(crlf.slice(from, match.index)), 76)}=\r\n${match[0]}=\r\n`;
    from = match.index + match[0].length;
  }
  return out + qpWrap(encodeQuotedPrintable(crlf.slice(from)), 76);
}
