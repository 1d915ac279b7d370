import type { SendMailOptions } from 'nodemailer';
import MimeNode from 'nodemailer/lib/mime-node';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';
import { base64Lines, type EmailParty } from './compose-email.js';
import { compileMessage } from './message-skeleton.js';
import { SLOT_PATTERN } from './text-slots.js';

/** A message as the SMTP transport takes it: the envelope and the finished MIME bytes. */
export interface OutgoingEmail {
  envelope: { from: string; to: string };
  raw: Buffer;
  messageId: string;
}

/** Addresses a compiled message to one recipient, with what is theirs alone. */
export type AddressEmail = (to: EmailParty, messageId: string, personal?: PersonalParts) => OutgoingEmail;

/** What one recipient's copy holds besides To and Message-ID. */
export interface PersonalParts {
  /** Header lines of this recipient alone (e.g. List-Unsubscribe), written as nodemailer writes headers. */
  headers?: Readonly<Record<string, string>> | undefined;
  /**
   * The recipient's value for each text slot the composed bodies hold (`textSlot(name)`):
   * a URL or another short ASCII value without `&<>"'` or white space, so it is the same in
   * the plain text and inside an HTML attribute.
   */
  slots?: Readonly<Record<string, string>> | undefined;
}

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
 * addresses it: per recipient only the To and Message-ID header lines (and the recipient's
 * own header lines) are written, with nodemailer's own header encoding, in front of the
 * shared bytes; each text slot gets the recipient's value as a few quoted-printable lines;
 * and, with `invite`, the recipient's own small .ics is base64-encoded into the two
 * invitation parts (composed with INVITE_SLOT as their text). A fan-out to thousands costs
 * one MIME build, not thousands: per recipient only small pieces are encoded and copied.
 * The build itself fills a skeleton compiled once per message shape (compileMessage).
 */
export async function prebuildEmail(message: Omit<SendMailOptions, 'to' | 'messageId'>, envelopeFrom: string, invite?: PersonalInvite): Promise<AddressEmail> {
  const compiled = await compileMessage({ ...message, messageId: TEMPLATE_ID });
  const { pieces, holes } = splitAtSlots(compiled, invite !== undefined);
  // Its own boundary spares the header node drawing a random one it never uses.
  const headers = new MimeNode(undefined, { baseBoundary: 'personal-headers' } as ConstructorParameters<typeof MimeNode>[1]);
  return (to, messageId, personal) => {
    if (/[\r\n]/.test(to.email) || /[\r\n]/.test(messageId)) throw Object.assign(new Error('line break in an address'), { permanent: true });
    const parts: Buffer[] = [Buffer.from(personalHeaders(headers, to, messageId, personal?.headers))];
    const ics = invite ? Buffer.from(base64Lines(invite(to))) : null;
    const values = new Map<string, Buffer>();
    pieces.forEach((piece, i) => {
      if (i > 0) {
        const hole = holes[i - 1]!;
        if (hole === INVITE_HOLE) parts.push(ics!);
        else if (hole !== NO_HOLE) {
          let value = values.get(hole);
          if (!value) values.set(hole, (value = slotValue(hole, personal?.slots?.[hole])));
          parts.push(value);
        }
      }
      parts.push(piece);
    });
    return { envelope: { from: envelopeFrom, to: to.email }, raw: Buffer.concat(parts), messageId };
  };
}

const SAFE_SLOT_VALUE = /^[A-Za-z0-9\-._~:/?#[\]@!$()*+,;%]+$/;

const INVITE_HOLE = '';
/** Where the template's Message-ID line was: nothing goes there. */
const NO_HOLE = '-';

/**
 * The compiled message cut at its holes: the two invitation parts that hold INVITE_SLOT
 * (the alternative and the attachment), and each text slot. `holes[i]` is what goes
 * between `pieces[i]` and `pieces[i + 1]`: a slot's name, INVITE_HOLE, or NO_HOLE where the
 * template's Message-ID line was cut out (each copy writes its own in front). The pieces
 * are views of the compiled bytes: nothing is copied.
 */
function splitAtSlots(message: Buffer, invite: boolean): { pieces: Buffer[]; holes: string[] } {
  // Latin-1 keeps one character per byte, so string offsets are buffer offsets.
  const text = message.toString('latin1');
  const templateLine = `Message-ID: ${TEMPLATE_ID}\r\n`;
  const at = text.indexOf(templateLine);
  if (at < 0) throw new Error('the compiled message has no Message-ID line to replace');
  const found: { at: number; length: number; hole: string }[] = [{ at, length: templateLine.length, hole: NO_HOLE }];
  if (invite) {
    for (let from = text.indexOf(INVITE_SLOT_BASE64); from >= 0; from = text.indexOf(INVITE_SLOT_BASE64, from + INVITE_SLOT_BASE64.length)) {
      found.push({ at: from, length: INVITE_SLOT_BASE64.length, hole: INVITE_HOLE });
    }
    if (found.length !== 3) throw new Error(`the compiled message holds the invitation slot ${found.length - 1} times, not twice`);
  }
  for (const match of text.matchAll(SLOT_PATTERN)) found.push({ at: match.index, length: match[0].length, hole: match[1]! });
  found.sort((a, b) => a.at - b.at);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const { at, length } of found) {
    pieces.push(message.subarray(from, at));
    from = at + length;
  }
  pieces.push(message.subarray(from));
  return { pieces, holes: found.map((f) => f.hole) };
}

const INVITE_SLOT_BASE64 = base64Lines(INVITE_SLOT);

/** A slot's value as quoted-printable lines, the last without its soft break (the slot's own line has one). */
function slotValue(name: string, value: string | undefined): Buffer {
  if (value === undefined) throw new Error(`no value for the text slot "${name}"`);
  if (!SAFE_SLOT_VALUE.test(value)) throw new Error(`the value of the text slot "${name}" is not a plain URL`);
  // 75: the slot's line ends in a soft break of its own.
  return Buffer.from(qpWrap(qpEncode(value), 75), 'latin1');
}

/** The To and Message-ID lines and the recipient's own header lines (folded as nodemailer folds them), each ending in CRLF. */
function personalHeaders(node: MimeNode, to: EmailParty, messageId: string, extra: Readonly<Record<string, string>> = {}): string {
  node.setHeader('To', { name: to.name, address: to.email } as unknown as string);
  node.setHeader('Message-ID', messageId);
  const names = new Set(PERSONAL_HEADERS);
  for (const [name, value] of Object.entries(extra)) {
    if (/[\r\n]/.test(value)) throw new Error(`line break in the ${name} header`);
    node.setHeader(name, value);
    names.add(name.toLowerCase());
  }
  // A root node also writes Date and MIME-Version: the shared part has its own.
  let keep = false;
  let out = '';
  for (const line of node.buildHeaders().split('\r\n')) {
    if (!/^\s/.test(line)) keep = names.has(line.slice(0, line.indexOf(':')).toLowerCase());
    if (keep) out += `${line}\r\n`;
  }
  return out;
}
