import type { SendMailOptions } from 'nodemailer';
import type { InviteMethod } from './calendar-invite.js';
import type { RenderedNotice } from './render-notice.js';

export interface EmailParty {
  name: string;
  email: string;
}

export interface ComposeNoticeInput {
  content: RenderedNotice;
  /** A bare address, or a name and address: nodemailer encodes (RFC 2047) and quotes the name. */
  from: string | EmailParty;
  /** The .ics text from `buildInvite`; without it the e-mail has no calendar part. */
  invite?: string | undefined;
  /** The invite's METHOD. @defaultValue 'REQUEST' */
  method?: InviteMethod | undefined;
}

export interface ComposeEmailInput extends ComposeNoticeInput {
  to: EmailParty;
  /** `<id@domain>`, stable per notice and recipient so a retried send is the same message. */
  messageId: string;
}

/** The attachment name the contract promises. */
export const INVITE_FILENAME = 'invite.ics';

/** One notice addressed to one recipient, as nodemailer sends it (see composeNotice). */
export function composeEmail(input: ComposeEmailInput): SendMailOptions {
  return { ...composeNotice(input), to: { name: input.to.name, address: input.to.email }, messageId: input.messageId };
}

/**
 * One notice as nodemailer sends it, not yet addressed: the same for every recipient.
 *
 * The invitation goes in as nodemailer's `icalEvent`, which writes it twice from one
 * source: a `text/calendar; method=…` part inside multipart/alternative, the one part
 * Outlook, Gmail and Apple Mail read as the invitation (with accept buttons), and an
 * `application/ics` attachment named invite.ics for clients and parsers that only list
 * files. A separate `text/calendar` attachment as well would show two invitations.
 */
export function composeNotice(input: ComposeNoticeInput): SendMailOptions {
  const { content, invite } = input;
  if (/[\r\n]/.test(content.subject)) throw new Error('a subject must be one line');
  const method = input.method ?? 'REQUEST';
  return {
    from: typeof input.from === 'string' ? input.from : { name: input.from.name, address: input.from.email },
    subject: content.subject,
    text: content.text,
    html: content.html,
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
          icalEvent: {
            method,
            filename: INVITE_FILENAME,
            content: invite,
          },
        }),
  };
}
