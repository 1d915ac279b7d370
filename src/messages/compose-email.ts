import type { SendMailOptions } from 'nodemailer';
import type { InviteMethod } from './calendar-invite.js';
import { quotedPrintableSlotted } from './text-slots.js';
import type { RenderedNotice } from './render-notice.js';

export interface EmailParty {
  name: string;
  email: string;
}

/** The invitation of one e-mail: its iCalendar text, METHOD and file name. */
export interface InviteAttachment {
  /** The .ics text from `buildInvite`. */
  content: string;
  method: InviteMethod;
  /** `driftstopp-tes-2027-03-30.ics`, from `inviteFilename`. */
  filename: string;
}

export interface ComposeNoticeInput {
  content: RenderedNotice;
  /** A bare address, or a name and address: nodemailer encodes (RFC 2047) and quotes the name. */
  from: string | EmailParty;
  /** Without it the e-mail has no calendar part. */
  invite?: InviteAttachment | undefined;
}

export interface ComposeEmailInput extends ComposeNoticeInput {
  to: EmailParty;
  /** `<id@domain>`, stable per notice and recipient so a retried send is the same message. */
  messageId: string;
}

/** One notice addressed to one recipient, as nodemailer sends it (see composeNotice). */
export function composeEmail(input: ComposeEmailInput): SendMailOptions {
  return { ...composeNotice(input), to: { name: input.to.name, address: input.to.email }, messageId: input.messageId };
}

/**
 * One notice as nodemailer sends it, not yet addressed.
 *
 * The invitation is written twice from one text: a `text/calendar; method=…` part inside
 * multipart/alternative, the one part Outlook, Gmail and Apple Mail read as the invitation,
 * and an `application/ics` attachment named after the window for clients and people that
 * only see files. A second `text/calendar` part would show two invitations. Both are given
 * as finished MIME parts (base64 of the .ics), so `prebuildEmail` can find them in the
 * compiled message and write each recipient's own invitation there. The text and HTML are
 * finished quoted-printable parts too, with each personal link's slot on a line of its own
 * (`quotedPrintableSlotted`), for `prebuildEmail` to fill per recipient.
 */
export function composeNotice(input: ComposeNoticeInput): SendMailOptions {
  const { content, invite } = input;
  if (/[\r\n]/.test(content.subject)) throw new Error('a subject must be one line');
  return {
    from: typeof input.from === 'string' ? input.from : { name: input.from.name, address: input.from.email },
    subject: content.subject,
    text: { raw: textPart('text/plain', content.text) },
    html: { raw: textPart('text/html', content.html) },
    headers: {
      // RFC 3834: machine-made, so vacation responders and auto-forwarders stay quiet.
      'Auto-Submitted': 'auto-generated',
      // Outlook/Exchange honour this instead: no out-of-office or read receipts back.
      'X-Auto-Response-Suppress': 'All',
      'Content-Language': 'sv',
    },
    ...(invite === undefined
      ? {}
      : {
          alternatives: [{ raw: calendarPart(invite.method, base64Lines(invite.content)) }],
          attachments: [{ raw: icsAttachment(invite.filename, base64Lines(invite.content)) }],
        }),
  };
}

function textPart(type: 'text/plain' | 'text/html', body: string): string {
  return `Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${quotedPrintableSlotted(body)}`;
}

function calendarPart(method: InviteMethod, body: string): string {
  return `Content-Type: text/calendar; charset=utf-8; method=${method}\r\nContent-Transfer-Encoding: base64\r\n\r\n${body}`;
}

function icsAttachment(filename: string, body: string): string {
  // The name is ASCII letters, digits and dashes (inviteFilename): no RFC 2231 encoding needed.
  const name = filename.replace(/[^\w.-]/g, '');
  return [
    `Content-Type: application/ics; name="${name}"`,
    `Content-Disposition: attachment; filename="${name}"`,
    'Content-Transfer-Encoding: base64',
    '',
    body,
  ].join('\r\n');
}

/** Base64 in lines of 76 characters joined by CRLF (RFC 2045 6.8), no line break after the last. */
export function base64Lines(text: string): string {
  return (Buffer.from(text, 'utf8').toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}
