import { expect } from 'vitest';
import { linkExpiry, signLink, type LinkPurpose } from '../../src/links/link-tokens.js';
import { TEST_LINK_SECRET } from './link-secret.js';

/** A fresh personal link token of one purpose for a recipient (or a deputy's subject), as the test workers sign them. */
export function personalToken(purpose: LinkPurpose, subject: string): string {
  return signLink(TEST_LINK_SECRET, { purpose, subject, expiresAt: linkExpiry(purpose, new Date()) });
}

/** Posts a form as a browser does, without following a redirect. */
export function postForm(baseUrl: string, path: string, form: Record<string, string>): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method: 'POST',
    body: new URLSearchParams(form).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
}

/**
 * The RFC 8058 URL of a raw message, as a mail provider reads it from the List-Unsubscribe
 * header (after checking List-Unsubscribe-Post), pointed at the test API: the messages link
 * to PUBLIC_BASE_URL.
 */
export function oneClickUrlOf(raw: string, baseUrl: string): string {
  const headers = raw.slice(0, raw.search(/\r?\n\r?\n/)).replace(/\r?\n[ \t]+/g, ' ');
  expect(headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
  const url = new URL(/^List-Unsubscribe: <([^>]+)>/m.exec(headers)![1]!);
  return `${baseUrl}${url.pathname}`;
}
