import type { Server } from 'node:http';
import express from 'express';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkClaims, requireLink } from '../../src/http/link-check.js';
import { signLink } from '../../src/links/link-tokens.js';

const SECRET = 'link-secret-for-tests-0123456789abcdef';
const NOW = DateTime.fromISO('2027-03-16T08:00:00Z');
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  const app = express();
  const deps = { linkSecret: SECRET, clock: () => NOW, municipality: 'Örebro kommun' };
  app.get('/links/settings/:token', requireLink(deps, 'settings'), (_req, res) => {
    res.json(linkClaims(res));
  });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const token = (purpose: 'settings' | 'unsubscribe', expiresAt = new Date('2027-06-01T00:00:00Z')) => signLink(SECRET, { purpose, subject: 'recipient-1', expiresAt });

describe('a route behind requireLink', () => {
  it('when the token is good for the page, then the route runs with its claims, and the answer is not cached nor sent on as a Referer', async () => {
    const response = await fetch(`${baseUrl}/links/settings/${token('settings')}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ purpose: 'settings', subject: 'recipient-1' });
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it.each([
    ['changed', () => `${token('settings').slice(0, -2)}AA`, 403, 'Länken gäller inte'],
    ['expired', () => token('settings', new Date('2027-03-16T07:59:59Z')), 410, 'Länken har gått ut'],
    ['made for unsubscribing', () => token('unsubscribe'), 400, 'Länken gäller något annat'],
    ['cut short', () => token('settings').split('.').slice(0, 2).join('.'), 400, 'Länken är inte hel'],
  ])('when the token is %s, then a Swedish page says so with %i and the route does not run', async (_name, make, status, title) => {
    const response = await fetch(`${baseUrl}/links/settings/${make()}`);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain(`<h1>${title}</h1>`);
    expect(html).toContain('<html lang="sv">');
    expect(html).not.toContain('recipient-1');
  });
});
