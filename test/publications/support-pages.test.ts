import { DateTime } from 'luxon';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/policy/load-policy.js';
import { checkPage, launchChromium, summary, watchForErrors, type PageCheck } from '../admin/browser.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { testBackends, type TestDatabase } from '../support/database.js';
import { publicMarkupProblems } from './public-fixtures.js';

const policy = loadPolicy();
const statement = policy.accessibility!;
const at = (wallClock: string) => DateTime.fromISO(wallClock, { zone: policy.timezone });

/** The pages touch only the windows table, and only to find none: one backend proves them. */
const [backend] = testBackends;


describe(`the public page's "Vem ringer jag nu?" and its accessibility statement on ${backend!.name}`, () => {
  let database: TestDatabase;
  let api: TestApi;
  let now = at('2026-12-05T19:30');
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${api.baseUrl}${path}`, { headers });
    return { status: response.status, text: await response.text(), headers: response.headers };
  };

  beforeAll(async () => {
    database = await backend!.open();
    api = await startTestApi(database.db, { now: () => now, publicBaseUrl: 'https://driftstopp.example.se' });
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  it('when a carer opens the page at 19:30 on a Saturday, then it names the lock-fault line until 22.00, the checklist, and that the on-call path is not theirs', async () => {
    now = at('2026-12-05T19:30');
    const { status, text } = await get('/public/driftstopp');
    expect(status).toBe(200);
    const section = /<h2 id="vem-ringer-jag-nu">[^]*?(?=<h2 id="kontakt">)/.exec(text)?.[0] ?? '';
    expect(section).toContain('Gäller från lördag 5 december 2026 kl. 07.00 för externa utförare.');
    expect(section).toContain('<strong>Felanmälan CareLock (trasigt lås)</strong>: <a class="phone" href="tel:019214944">019-21 49 44</a>, öppet till kl. 22.00. Använd backup-nyckeln först.');
    expect(section).toContain('<li>Kontrollera att sladdar och anslutningar sitter som de ska.</li>');
    expect(section).toContain('Jouren på kvällar, helger och nätter gäller inte externa utförare.');
    expect(section).toContain('Kommunsupport för Tes, CareApp och CareLock öppnar igen måndag 7 december 2026 kl. 08.00.');
    // The page is read outside the municipality: nothing internal.
    for (const internal of ['internt', 'SOS Alarm', 'IT och telefoni', 'jourhavande']) expect(text).not.toContain(internal);
    expect(await publicMarkupProblems(text)).toEqual([]);
  });

  it('when the page is opened on a weekday morning, then Kommunsupport is open until lunch and there is no checklist', async () => {
    now = at('2026-12-01T10:00');
    const { text } = await get('/public/driftstopp');
    expect(text).toContain('<strong>Kommunsupport för Tes, CareApp och CareLock</strong>: <a class="phone" href="tel:019212000">019-21 20 00</a>, öppet till kl. 12.00. Tryck 3 och sedan 1 i telefonvalet.');
    expect(text).not.toContain('Kontrollera att sladdar');
  });

  it('when the page is opened again later while the answer holds, then its bytes and ETag are the same, so pollers get a 304', async () => {
    now = at('2026-12-05T19:30');
    const first = await get('/public/driftstopp');
    now = at('2026-12-05T21:15');
    const later = await get('/public/driftstopp');
    expect(later.text).toBe(first.text);
    expect((await get('/public/driftstopp', { 'if-none-match': first.headers.get('etag')! })).status).toBe(304);
    now = at('2026-12-05T22:00');
    expect((await get('/public/driftstopp', { 'if-none-match': first.headers.get('etag')! })).status).toBe(200);
  });

  it('when lunch begins and nothing was published, then a reader who asks If-Modified-Since gets the new answer, not a 304', async () => {
    now = at('2026-12-01T11:59');
    const before = await get('/public/driftstopp');
    expect(before.headers.get('last-modified')).toBe(at('2026-12-01T08:00').toJSDate().toUTCString());
    expect((await get('/public/driftstopp', { 'if-modified-since': before.headers.get('last-modified')! })).status).toBe(304);
    now = at('2026-12-01T12:00');
    const lunch = await get('/public/driftstopp', { 'if-modified-since': before.headers.get('last-modified')! });
    expect(lunch.status).toBe(200);
    expect(lunch.headers.get('last-modified')).toBe(at('2026-12-01T12:00').toJSDate().toUTCString());
    expect(lunch.text).toContain('Kommunsupport för Tes, CareApp och CareLock öppnar igen tisdag 1 december 2026 kl. 13.00.');
  });

  it('when the footer link is followed, then the accessibility statement gives the policy\'s status, issues, contact and assessment, and Digg', async () => {
    const page = await get('/public/driftstopp');
    expect(page.text).toContain('<a href="https://driftstopp.example.se/public/tillganglighet">Tillgänglighetsredogörelse</a></footer>');
    const { status, text, headers } = await get('/public/tillganglighet');
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(text).toContain('<h1>Tillgänglighetsredogörelse</h1>');
    expect(text).toContain('lagen (2018:1937) om tillgänglighet till digital offentlig service');
    expect(text).toContain('Sidan är delvis förenlig med lagen om tillgänglighet till digital offentlig service');
    for (const paragraph of [...statement.intro, ...statement.knownIssues]) expect(text).toContain(paragraph);
    expect(text).toContain(`<a href="mailto:${statement.contact.email}">${statement.contact.email}</a>`);
    expect(text).toContain('<a class="phone" href="tel:019212000">019-21 20 00</a>');
    expect(text).toContain(statement.contact.responseTime!);
    expect(text).toContain('<a href="https://www.digg.se/tdosanmalan">kontakta Myndigheten för digital förvaltning (Digg)</a>');
    expect(text).toContain(`${statement.assessment.method} Senaste bedömningen gjordes 28 november 2026.`);
    expect(text).toContain('<a href="https://driftstopp.example.se/public/driftstopp">Driftinformation för hemtjänstens IT-system</a>');
    expect(text).not.toMatch(/<script/i);
    expect(await publicMarkupProblems(text)).toEqual([]);
    expect((await get('/public/tillganglighet', { 'if-none-match': headers.get('etag')! })).status).toBe(304);
  });

  describe('in Chromium at 390 and 1280 px', () => {
    let browser: Browser;
    const results: PageCheck[] = [];
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      console.log(`public support pages:\n${summary(results)}`);
      await browser?.close();
    });

    it.each([
      [390, 'lock-fault line on a Saturday evening', '2026-12-05T19:30'],
      [1280, 'Kommunsupport on a weekday morning', '2026-12-01T10:00'],
    ])('when the page and the statement are opened %i px wide (%s), then axe finds nothing serious and no script or CSP error', async (width, _label, wallClock) => {
      now = at(wallClock);
      const context: BrowserContext = await browser.newContext({ viewport: { width, height: 900 }, locale: 'sv-SE' });
      const problems = watchForErrors(context);
      const page = await context.newPage();
      await page.goto(`${api.baseUrl}/public/driftstopp`);
      await checkPage(page, `public-support-now-${width}`, results, { markup: false });
      expect(await page.getByRole('heading', { name: 'Vem ringer jag nu?' }).isVisible()).toBe(true);
      // Nothing wider than the screen: a phone number or a long line would scroll sideways.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      // The link points at PUBLIC_BASE_URL, which is not this test's server: follow its path here.
      const link = await page.getByRole('link', { name: 'Tillgänglighetsredogörelse' }).getAttribute('href');
      await page.goto(`${api.baseUrl}${new URL(link!).pathname}`);
      await checkPage(page, `public-accessibility-${width}`, results, { markup: false });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      expect(problems).toEqual([]);
      await context.close();
    }, 60_000);
  });
});
