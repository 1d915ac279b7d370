import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LINK_PROBLEM_PAGES, LINK_PURPOSES, linkExpiry, signLink, verifyLink, type LinkClaims } from '../../src/links/link-tokens.js';

const SECRET = 'link-secret-for-tests-0123456789abcdef';
const NOW = new Date('2027-03-16T08:00:00Z');
const claims: LinkClaims = {
  purpose: 'acknowledge',
  subject: '0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9',
  windowId: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d',
  revision: 2,
  expiresAt: new Date('2027-04-01T00:00:00Z'),
};

/** The token with one character of its payload or signature changed. */
function changed(token: string, part: 1 | 2): string {
  const parts = token.split('.');
  const text = parts[part]!;
  const at = Math.floor(text.length / 2);
  parts[part] = `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
  return parts.join('.');
}

describe('personal link tokens', () => {
  it('when a token is checked for its purpose before it expires, then its claims come back whole', () => {
    const token = signLink(SECRET, claims);
    expect(token).toMatch(/^v1\.[\w-]+\.[\w-]+$/);
    expect(verifyLink(SECRET, token, 'acknowledge', NOW)).toEqual({ ok: true, claims });
  });

  it('when a token has no window or revision (settings, unsubscribe), then it holds none', () => {
    const token = signLink(SECRET, { purpose: 'unsubscribe', subject: 'r-1', expiresAt: claims.expiresAt });
    expect(verifyLink(SECRET, token, 'unsubscribe', NOW)).toEqual({
      ok: true,
      claims: { purpose: 'unsubscribe', subject: 'r-1', windowId: undefined, revision: undefined, expiresAt: claims.expiresAt },
    });
  });

  it('when the payload, the signature or the secret differs, then the token is tampered', () => {
    const token = signLink(SECRET, claims);
    expect(verifyLink(SECRET, changed(token, 1), 'acknowledge', NOW)).toEqual({ ok: false, problem: 'tampered' });
    expect(verifyLink(SECRET, changed(token, 2), 'acknowledge', NOW)).toEqual({ ok: false, problem: 'tampered' });
    expect(verifyLink('another-secret-of-the-same-length-0123', token, 'acknowledge', NOW)).toEqual({ ok: false, problem: 'tampered' });
    // Another recipient's id in a payload signed for the first.
    const [version, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ p: 'acknowledge', s: 'someone-else', w: claims.windowId, r: 2, e: 1900000000 })).toString('base64url');
    expect(verifyLink(SECRET, `${version}.${forged}.${signature}`, 'acknowledge', NOW)).toEqual({ ok: false, problem: 'tampered' });
  });

  it('when the expiry has passed, to the second, then the token is expired', () => {
    const token = signLink(SECRET, claims);
    expect(verifyLink(SECRET, token, 'acknowledge', new Date(claims.expiresAt.getTime() - 1000)).ok).toBe(true);
    expect(verifyLink(SECRET, token, 'acknowledge', claims.expiresAt)).toEqual({ ok: false, problem: 'expired' });
  });

  it('when a token is used for another purpose, then it is refused as such, for every pair of purposes', () => {
    for (const made of LINK_PURPOSES) {
      const token = signLink(SECRET, { ...claims, purpose: made });
      for (const asked of LINK_PURPOSES) {
        const check = verifyLink(SECRET, token, asked, NOW);
        expect(check.ok ? 'ok' : check.problem, `${made} used as ${asked}`).toBe(made === asked ? 'ok' : 'wrong_purpose');
      }
    }
  });

  it.each([
    ['empty', ''],
    ['one part', 'v1'],
    ['two parts', 'v1.abc'],
    ['four parts', 'v1.a.b.c'],
    ['another version', 'v2.abc.def'],
    ['an empty payload', 'v1..def'],
  ])('when the token is %s, then it is malformed', (_name, token) => {
    expect(verifyLink(SECRET, token, 'settings', NOW)).toEqual({ ok: false, problem: 'malformed' });
  });

  it.each([
    ['not JSON', 'not json at all'],
    ['a JSON string', '"text"'],
    ['no subject', '{"p":"settings","e":1900000000}'],
    ['an unknown purpose', '{"p":"admin","s":"r-1","e":1900000000}'],
    ['a fractional expiry', '{"p":"settings","s":"r-1","e":1.5}'],
    ['a revision that is text', '{"p":"settings","s":"r-1","r":"2","e":1900000000}'],
  ])('when a correctly signed payload is %s, then it is malformed, not a crash', (_name, json) => {
    // Signed with the right secret: only the payload's shape is wrong.
    const body = `v1.${Buffer.from(json).toString('base64url')}`;
    expect(verifyLink(SECRET, `${body}.${resign(body)}`, 'settings', NOW)).toEqual({ ok: false, problem: 'malformed' });
  });

  it('when a link is made now, then it holds as long as its purpose says: 48 hours for a sign-up confirmation', () => {
    expect(linkExpiry('confirm-subscription', NOW).toISOString()).toBe('2027-03-18T08:00:00.000Z');
    expect(linkExpiry('unsubscribe', NOW).getTime()).toBeGreaterThan(linkExpiry('acknowledge', NOW).getTime() - 1);
  });

  it('when a link is bad, then its page is a 4xx with a Swedish title and text', () => {
    for (const page of Object.values(LINK_PROBLEM_PAGES)) {
      expect(page.status).toBeGreaterThanOrEqual(400);
      expect(page.status).toBeLessThan(500);
      expect(page.title).toMatch(/^Länken /);
    }
  });
});

/** The HMAC the module must use, computed here so the test does not take it from the module. */
function resign(body: string): string {
  return createHmac('sha256', SECRET).update(body).digest('base64url');
}
