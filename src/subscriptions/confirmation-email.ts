import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { signLink, linkExpiry } from '../links/link-tokens.js';
import { LINK_PATHS } from '../links/message-links.js';
import { composeNotice } from '../messages/compose-email.js';
import type { MailSender } from '../messages/mail-sender.js';
import { systemsText } from '../messages/notice-window.js';
import { prebuildEmail, type OutgoingEmail } from '../messages/prebuilt-email.js';
import { TEMPLATES_DIR } from '../messages/render-notice.js';
import { formatDateTime } from '../messages/swedish-time.js';
import type { Policy } from '../policy/policy-schema.js';
import { publicUrl } from '../runtime/urls.js';

/** What a confirmation e-mail is made from: the sign-up as stored. */
export interface ConfirmationRequest {
  id: string;
  email: string;
  systems: readonly string[];
  /** When the e-mail was asked for: the link holds for 48 hours from here, the same on every attempt. */
  mailedAt: Date;
}

export interface ConfirmationMessages {
  /** The Swedish confirmation e-mail, addressed; the same bytes on every attempt (the Message-ID names the request and instant). */
  emailFor(request: ConfirmationRequest): Promise<OutgoingEmail>;
}

export interface ConfirmationMessageOptions {
  policy: Policy;
  mailFrom: MailSender;
  /** PUBLIC_BASE_URL as config normalised it: the link points here. */
  publicBaseUrl: string;
  /** LINK_SECRET: the API checks the link with the same key. */
  linkSecret: string;
}

/** The confirmation link of a sign-up: `/links/confirm/<token>`, purpose `confirm-subscription`, 48 hours. */
export function confirmationUrl(options: Pick<ConfirmationMessageOptions, 'publicBaseUrl' | 'linkSecret'>, request: Pick<ConfirmationRequest, 'id' | 'mailedAt'>): string {
  const token = signLink(options.linkSecret, {
    purpose: 'confirm-subscription',
    subject: request.id,
    expiresAt: linkExpiry('confirm-subscription', request.mailedAt),
  });
  return publicUrl(options.publicBaseUrl, LINK_PATHS['confirm-subscription'] + token);
}

/**
 * The e-mail that asks a public sign-up to confirm: plain Swedish, HTML and text, the link and
 * until when it holds, and what to do when someone else signed the address up (nothing).
 */
export function confirmationMessages(options: ConfirmationMessageOptions): ConfirmationMessages {
  const { policy, mailFrom } = options;
  const domain = mailFrom.address.split('@')[1] ?? 'driftstopp.local';
  const from = mailFrom.name === undefined ? mailFrom.address : { name: mailFrom.name, email: mailFrom.address };
  return {
    async emailFor(request) {
      const context = {
        municipality: policy.municipality,
        systems: systemsText(policy, request.systems),
        url: confirmationUrl(options, request),
        validUntil: formatDateTime(linkExpiry('confirm-subscription', request.mailedAt), policy.timezone),
        pageUrl: publicUrl(options.publicBaseUrl, '/public/driftstopp'),
      };
      const subject = `Bekräfta din prenumeration på driftstopp – ${policy.municipality}`;
      const content = { subject, html: render('confirm.html', { ...context, subject }), text: render('confirm.txt', context) };
      const address = await prebuildEmail(composeNotice({ content, from }), mailFrom.address);
      return address({ name: '', email: request.email }, `<confirm.${request.id}.${request.mailedAt.getTime()}@${domain}>`);
    },
  };
}

const engine = Handlebars.create();
const compiled = new Map<string, Handlebars.TemplateDelegate>();

function render(name: string, context: object): string {
  let template = compiled.get(name);
  if (!template) {
    const source = readFileSync(new URL(`subscriptions/${name}.hbs`, TEMPLATES_DIR), 'utf8');
    // The text part is not HTML: nothing in it is escaped.
    template = engine.compile(source, { strict: true, noEscape: name.endsWith('.txt') });
    compiled.set(name, template);
  }
  return template(context);
}
