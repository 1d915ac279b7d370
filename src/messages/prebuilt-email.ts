import type { SendMailOptions } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import MimeNode from 'nodemailer/lib/mime-node';
import { base64Lines, type EmailParty } from './compose-email.js';

/** A message as the SMTP transport takes it: the envelope and the finished MIME bytes. */
export interface OutgoingEmail {
  envelope: { from: string; to: string };
  raw: Buffer;
  messageId: string;
}

/** Addresses a compiled message to one recipient. */
export type AddressEmail = (to: EmailParty, messageId: string) => OutgoingEmail;

/** The recipient's own invitation (.ics text), e.g. `InviteTemplate.forAttendee`. */
export type PersonalInvite = (to: EmailParty) => string;

/**
 * What a notice composed for prebuilding carries as its invitation's text: a marker whose
 * base64 (one line, no padding: 33 ASCII characters) is found in the compiled message and
 * replaced by each recipient's own .ics.
 */
export const INVITE_SLOT = 'driftstopp:invite-slot:5c1e8a04b7';

const TEMPLATE_ID = '<driftstopp-template@placeholder.invalid>';
const PERSONAL_HEADERS = new Set(['to', 'message-id']);

/**
 * Compiles a message once (bodies encoded, invitation parts in place) and returns what
 * addresses it: per recipient only the To and Message-ID header lines are written, with
 * nodemailer's own header encoding, in front of the shared bytes, and, with `invite`, the
 * recipient's own small .ics is base64-encoded into the two invitation parts (composed with
 * INVITE_SLOT as their text). A fan-out to thousands costs one MIME build, not thousands.
 */
export async function prebuildEmail(message: Omit<SendMailOptions, 'to' | 'messageId'>, envelopeFrom: string, invite?: PersonalInvite): Promise<AddressEmail> {
  const compiled = await new MailComposer({ ...message, messageId: TEMPLATE_ID }).compile().build();
  const templateLine = Buffer.from(`Message-ID: ${TEMPLATE_ID}\r\n`);
  const at = compiled.indexOf(templateLine);
  if (at < 0) throw new Error('the compiled message has no Message-ID line to replace');
  const shared = Buffer.concat([compiled.subarray(0, at), compiled.subarray(at + templateLine.length)]);
  const pieces = invite ? splitAtSlots(shared) : [shared];
  const headers = new MimeNode();
  return (to, messageId) => {
    if (/[\r\n]/.test(to.email) || /[\r\n]/.test(messageId)) throw Object.assign(new Error('line break in an address'), { permanent: true });
    const parts: Buffer[] = [Buffer.from(personalHeaders(headers, to, messageId))];
    if (invite) {
      const ics = Buffer.from(base64Lines(invite(to)));
      pieces.forEach((piece, i) => parts.push(...(i === 0 ? [piece] : [ics, piece])));
    } else {
      parts.push(shared);
    }
    return { envelope: { from: envelopeFrom, to: to.email }, raw: Buffer.concat(parts), messageId };
  };
}

/** The compiled message cut where the invitation parts hold INVITE_SLOT: the alternative and the attachment. */
function splitAtSlots(message: Buffer): Buffer[] {
  const slot = Buffer.from(base64Lines(INVITE_SLOT));
  const pieces: Buffer[] = [];
  let from = 0;
  for (let at = message.indexOf(slot); at >= 0; at = message.indexOf(slot, from)) {
    pieces.push(message.subarray(from, at));
    from = at + slot.length;
  }
  pieces.push(message.subarray(from));
  if (pieces.length !== 3) throw new Error(`the compiled message holds the invitation slot ${pieces.length - 1} times, not twice`);
  return pieces;
}

/** The To and Message-ID lines (folded as nodemailer folds them), each ending in CRLF. */
function personalHeaders(node: MimeNode, to: EmailParty, messageId: string): string {
  node.setHeader('To', { name: to.name, address: to.email } as unknown as string);
  node.setHeader('Message-ID', messageId);
  // A root node also writes Date and MIME-Version: the shared part has its own.
  let keep = false;
  let out = '';
  for (const line of node.buildHeaders().split('\r\n')) {
    if (!/^\s/.test(line)) keep = PERSONAL_HEADERS.has(line.slice(0, line.indexOf(':')).toLowerCase());
    if (keep) out += `${line}\r\n`;
  }
  return out;
}
