import { publicUrl } from '../runtime/urls.js';
import { linkExpiry, signLink, type LinkPurpose } from './link-tokens.js';

/** The page each kind of personal link opens, under PUBLIC_BASE_URL (the paths 13a–c agreed on). */
export const LINK_PATHS: Readonly<Record<LinkPurpose, string>> = {
  acknowledge: '/links/acknowledge/',
  settings: '/links/settings/',
  unsubscribe: '/links/unsubscribe/',
  'confirm-subscription': '/links/confirm/',
};

export interface PersonalLinkInput {
  /** LINK_SECRET. */
  secret: string;
  /** PUBLIC_BASE_URL as config normalised it. */
  publicBaseUrl: string;
  /** Whose links they are: the recipient's id. */
  recipientId: string;
  /**
   * When the message was made: the links expire from it. Fixed per notice (its fan-out
   * instant), so a retried send is the same message.
   */
  madeAt: Date;
  /** For an acknowledgement link: the window and the revision it asks about. */
  acknowledge?: { windowId: string; revision: number } | undefined;
  /**
   * Whose settings and unsubscribe links they are when not the recipient's own: a deputy's
   * copy names the deputy (src/links/deputy-links.ts). @defaultValue the recipient's id
   */
  personalSubject?: string | undefined;
}

/** The URLs of one recipient's personal links in one message: settings, unsubscribe and, when asked, acknowledge. */
export function personalLinks(input: PersonalLinkInput): { settings: string; unsubscribe: string; acknowledge: string | null } {
  const url = (purpose: LinkPurpose, extra: { windowId?: string; revision?: number } = {}, subject = input.recipientId) =>
    publicUrl(
      input.publicBaseUrl,
      LINK_PATHS[purpose] + signLink(input.secret, { purpose, subject, expiresAt: linkExpiry(purpose, input.madeAt), ...extra }),
    );
  const own = input.personalSubject ?? input.recipientId;
  return {
    settings: url('settings', {}, own),
    unsubscribe: url('unsubscribe', {}, own),
    acknowledge: input.acknowledge ? url('acknowledge', input.acknowledge) : null,
  };
}

/**
 * The header lines of RFC 8058 one-click unsubscription (with RFC 2369's List-Unsubscribe):
 * a mail program offers "unsubscribe" and POSTs `List-Unsubscribe=One-Click` to the URL.
 * The sending domain's DKIM signature must cover both lines (the relay's job).
 */
export function unsubscribeHeaders(unsubscribeUrl: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
