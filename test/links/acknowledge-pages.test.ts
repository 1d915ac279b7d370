import { DateTime } from 'luxon';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLink, type LinkClaims } from '../../src/links/link-tokens.js';
import { checkPage, launchChromium, summary, watchForErrors, type PageCheck } from '../admin/browser.js';
import { startTestApi, TEST_LINK_SECRET, type TestApi } from '../support/api.js';
import { testBackends, type TestDatabase } from '../support/database.js';
import { DELIVERY_TEST_OVERLAP } from '../support/notice-fixtures.js';

const NOW = '2027-03-01T10:00:00+01:00';
const LATER = new Date('2027-09-01T00:00:00Z');

/**
 * The acknowledgement link's page over HTTP, on its own (the flow from the e-mail is
 * test/acknowledgements/acknowledgement-flow.test.ts): every state it can be in, every
 * kind of bad link and form, and axe-core in Chromium on each page a person can see.
 */
describe.each(testBackends)('the acknowledgement page on $name', (backend) => {
  let database: TestDatabase;
  let api: TestApi;
  let recipientId: string;
  let windowId: string;
  let cancelledId: string;

  const token = (claims: Partial<LinkClaims> = {}) =>
    signLink(TEST_LINK_SECRET, { purpose: 'acknowledge', subject: recipientId, windowId, revision: 1, expiresAt: LATER, ...claims });
  const open = async (path: string, form?: Record<string, string>) => {
    const res = await fetch(`${api.baseUrl}${path}`, form ? { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() } : {});
    return { status: res.status, html: await res.text(), headers: res.headers };
  };
  const register = async (title: string, start: string) => {
    const res = await api.request('POST', '/api/windows', {
      body: { title, systems: ['tes'], kind: 'minor', start, end: DateTime.fromISO(start).plus({ hours: 2 }).toISO(), allowOverlap: DELIVERY_TEST_OVERLAP },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  beforeAll(async () => {
    database = await backend.open();
    api = await startTestApi(database.db, { now: NOW });
    const anna = await api.request('POST', '/api/recipients', { body: { kind: 'manager', name: 'Anna Berg', email: 'anna.page@orebro.se', systems: ['tes'], unit: 'Hemtjänst Väster' } });
    recipientId = anna.body.id;
    windowId = await register('Uppgradering av Tes', '2027-03-30T09:00:00+02:00');
    cancelledId = await register('Uppgradering som ställs in', '2027-04-06T09:00:00+02:00');
    expect((await api.request('POST', `/api/windows/${cancelledId}/cancel`, { body: { reason: 'Leverantören är inte klar' } })).status).toBe(200);
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  it.each([
    ['changed', 403, 'Länken gäller inte', () => `${token().slice(0, -2)}AA`],
    ['expired', 410, 'Länken har gått ut', () => token({ expiresAt: new Date('2027-03-01T08:59:59Z') })],
    ['made for settings', 400, 'Länken gäller något annat', () => signLink(TEST_LINK_SECRET, { purpose: 'settings', subject: recipientId, expiresAt: LATER })],
    ['made for unsubscribing', 400, 'Länken gäller något annat', () => signLink(TEST_LINK_SECRET, { purpose: 'unsubscribe', subject: recipientId, expiresAt: LATER })],
    ['signed with another key', 403, 'Länken gäller inte', () => signLink('another-secret-0123456789abcdef0123', { purpose: 'acknowledge', subject: recipientId, windowId, revision: 1, expiresAt: LATER })],
    ['cut short', 400, 'Länken är inte hel', () => token().split('.').slice(0, 2).join('.')],
  ])('when the link is %s, then GET and POST get a Swedish page with %i and nothing is confirmed', async (_name, status, title, make) => {
    for (const form of [undefined, { revision: '1' }]) {
      const res = await open(`/links/acknowledge/${make()}`, form);
      expect(res.status).toBe(status);
      expect(res.html).toContain(`<h1>${title}</h1>`);
      expect(res.html).not.toContain('Anna Berg');
    }
    expect(await database.db.selectFrom('acknowledgements').selectAll().execute()).toEqual([]);
  });

  it('when the form is posted without a revision or with a word, then 400 names the field and nothing is stored', async () => {
    for (const form of [{}, { revision: 'ett' }, { revision: '-1' }] as Record<string, string>[]) {
      const res = await open(`/links/acknowledge/${token()}`, form);
      expect(res.status).toBe(400);
      expect(res.html).toContain('Fältet revision');
    }
    expect(await database.db.selectFrom('acknowledgements').selectAll().execute()).toEqual([]);
  });

  it('when the window is cancelled, or gone, then the page says so and a POST confirms nothing', async () => {
    const cancelled = await open(`/links/acknowledge/${token({ windowId: cancelledId, revision: 1 })}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.html).toContain('Driftstoppet är inställt: Leverantören är inte klar.');
    expect(cancelled.html).not.toContain('<button');
    expect((await open(`/links/acknowledge/${token({ windowId: cancelledId, revision: 2 })}`, { revision: '2' })).status).toBe(409);
    const gone = await open(`/links/acknowledge/${token({ windowId: '00000000-0000-4000-8000-00000000abcd' })}`);
    expect(gone.status).toBe(404);
    const ahead = await open(`/links/acknowledge/${token({ revision: 7 })}`);
    expect(ahead.status).toBe(404);
    expect(await database.db.selectFrom('acknowledgements').selectAll().execute()).toEqual([]);
  });

  it('when the window has ended, then the page says there is nothing left to confirm', async () => {
    const after = await startTestApi(database.db, { now: '2027-03-30T12:00:00+02:00' });
    try {
      const res = await fetch(`${after.baseUrl}/links/acknowledge/${token()}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Driftstoppet är redan över');
    } finally {
      await after.close();
    }
  });

  it('when a page of an older time is posted after the window moved, then nothing is confirmed and the page shows the new time', async () => {
    const moved = await register('Uppgradering som flyttas', '2027-04-13T09:00:00+02:00');
    const patched = await api.request('PATCH', `/api/windows/${moved}`, { body: { start: '2027-04-14T09:00:00+02:00', end: '2027-04-14T11:00:00+02:00', allowOverlap: DELIVERY_TEST_OVERLAP } });
    expect(patched.status).toBe(200);
    const link = `/links/acknowledge/${token({ windowId: moved, revision: 1 })}`;
    const stale = await open(link, { revision: '1' });
    expect(stale.status).toBe(409);
    expect(stale.html).toContain('onsdag 14 april 2027 kl. 09.00–11.00');
    expect(stale.html).toContain('<input type="hidden" name="revision" value="2">');
    expect(await database.db.selectFrom('acknowledgements').selectAll().where('window_id', '=', moved).execute()).toEqual([]);
    // Confirming what the page showed: the new time.
    expect((await open(link, { revision: '2' })).html).toContain('Tack, enheten är förberedd');
  });

  // One browser run is enough: the pages are the same on both databases.
  describe.skipIf(backend !== testBackends[0])('in Chromium', () => {
    let browser: Browser;
    const results: PageCheck[] = [];
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      console.log(`acknowledgement pages:\n${summary(results)}`);
      await browser?.close();
    });

    it('when a manager opens the link, confirms, opens it again, and follows bad links, then every page passes axe-core and its markup check', async () => {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'sv-SE' });
      const problems = watchForErrors(context);
      const page = await context.newPage();
      const link = `${api.baseUrl}/links/acknowledge/${token()}`;
      await page.goto(link);
      expect(await page.locator('h1').textContent()).toBe('Bekräfta att enheten är förberedd');
      await checkPage(page, `${backend.name}-ack-01-open`, results);
      await page.getByRole('button', { name: 'Bekräfta att enheten är förberedd' }).click();
      await page.waitForLoadState('load');
      expect(await page.locator('h1').textContent()).toBe('Tack, enheten är förberedd');
      await checkPage(page, `${backend.name}-ack-02-confirmed`, results);
      await page.goto(link);
      expect(await page.locator('h1').textContent()).toBe('Redan bekräftat');
      await page.goto(`${api.baseUrl}/links/acknowledge/${token({ windowId: cancelledId })}`);
      await checkPage(page, `${backend.name}-ack-03-cancelled`, results);
      await page.goto(`${link.slice(0, -2)}AA`);
      await checkPage(page, `${backend.name}-ack-04-tampered`, results);
      expect(problems).toEqual([]);
      await context.close();
    });
  });
});
