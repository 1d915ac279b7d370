import type { SendMailOptions } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import MimeNode from 'nodemailer/lib/mime-node';
import type { EmailParty } from './compose-email.js';

/** A message as the SMTP transport takes it: the envelope and the finished MIME bytes. */
export interface OutgoingEmail {
  envelope: { from: string; to: string };
  raw: Buffer;
  messageId: string;
}

/** Addresses a compiled message to one recipient. */
export type AddressEmail = (to: EmailParty, messageId: string) => OutgoingEmail;

const TEMPLATE_ID = '<driftstopp-template@placeholder.invalid>';
const PERSONAL_HEADERS = new Set(['to', 'message-id']);

/**
 * Compiles a message once (bodies encoded, invitation attached) and returns what addresses
 * it: per recipient only the To and Message-ID header lines are written, with nodemailer's
 * own header encoding, in front of the shared bytes. A fan-out to thousands costs one
 * MIME build, not thousands.
 */
export async function prebuildEmail(message: Omit<SendMailOptions, 'to' | 'messageId'>, envelopeFrom: string): Promise<AddressEmail> {
  const compiled = await new MailComposer({ ...message, messageId: TEMPLATE_ID }).compile().build();
  const templateLine = Buffer.from(`Message-ID: ${TEMPLATE_ID}\r\n`);
  const at = compiled.indexOf(templateLine);
  if (at < 0) throw new Error('the compiled message has no Message-ID line to replace');
  const shared = Buffer.concat([compiled.subarray(0, at), compiled.subarray(at + templateLine.length)]);
  const headers = new MimeNode();
  return (to, messageId) => {
    if (/[\r\n]/.test(to.email) || /[\r\n]/.test(messageId)) throw Object.assign(new Error('line break in an address'), { permanent: true });
    return { envelope: { from: envelopeFrom, to: to.email }, raw: Buffer.concat([Buffer.from(personalHeaders(headers, to, messageId)), shared]), messageId };
  };
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
