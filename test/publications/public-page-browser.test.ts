import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, launchChromium, SCREENSHOTS, summary, watchForErrors, type PageCheck } from '../admin/browser.js';
import { testBackends, type TestDatabase } from '../support/database.js';
import { arrangeCancelledWindow, arrangeDisruption, arrangeDisruptionUpdate, arrangeNotice, arrangeWindow, local, publicMarkupProblems, startPublicApi, type PublicTestApi } from './public-fixtures.js';

const VIEWPORTS = [
  { name: 'public-page-390', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  { name: 'public-page-1280', viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 },
];

/**
 * The public page as a citizen sees it in headless Chromium, with everything it can show at
 * once: a disruption going on during a running window, a planned window ahead, and history.
 */
describe('the public page in Chromium with a disruption, a running window and history', () => {
  let database: TestDatabase;
  let api: PublicTestApi;
  let browser: Browser;
  const results: PageCheck[] = [];

  beforeAll(async () => {
    [database, browser] = await Promise.all([testBackends[0]!.open(), launchChromium()]);
    const db = database.db;
    const running = await arrangeWindow(db, { title: 'Uppgradering av Tes', systems: ['tes'], start_at: local('2027-03-30T09:00'), end_at: local('2027-03-30T12:00') });
    await arrangeNotice(db, running, { sentAt: local('2027-03-19T08:00') });
    const ahead = await arrangeWindow(db, {
      title: 'Byte av servrar för de digitala låsen (Säkerhetsuppdateringsprogrammet våren 2027)',
      description: 'Låsen byter server. Under tiden öppnas dörrarna med backup-nyckeln.',
      systems: ['carelock'],
      start_at: local('2027-04-07T09:00'),
      end_at: local('2027-04-07T11:00'),
    });
    await arrangeNotice(db, ahead, { sentAt: local('2027-03-29T08:00') });
    const done = await arrangeWindow(db, { title: 'Ny version av CareApp', systems: ['careapp'], start_at: local('2027-03-16T09:00'), end_at: local('2027-03-16T10:00') });
    await arrangeNotice(db, done, { sentAt: local('2027-03-09T08:00') });
    await arrangeCancelledWindow(
      db,
      { title: 'Flytt av Tes databas', systems: ['tes'], start_at: local('2027-03-17T09:00'), end_at: local('2027-03-17T12:00') },
      { announcedAt: '2027-03-08T08:00', cancelledAt: '2027-03-12T08:00' },
    );
    const now = await arrangeDisruption(db, {
      title: 'Låsen svarar inte',
      systems: ['carelock'],
      description: 'Dörrar med digitala lås går inte att öppna med CareApp.',
      at: '2027-03-30T10:30',
      message: 'Vi undersöker varför låsen inte svarar.',
    });
    await arrangeDisruptionUpdate(db, now, 'identified', 'En server hos leverantören har stannat. Leverantören startar om den.', '2027-03-30T10:40');
    const past = await arrangeDisruption(db, { title: 'Tes var långsamt', systems: ['tes'], at: '2027-03-20T13:00', message: 'Tes svarar långsamt.' });
    await arrangeDisruptionUpdate(db, past, 'resolved', 'Tes svarar som vanligt igen.', '2027-03-20T14:15');
    api = await startPublicApi(db, '2027-03-30T10:45');
  }, 60_000);
  afterAll(async () => {
    console.log(`public page:\n${summary(results)}\nscreenshots: ${SCREENSHOTS.pathname}`);
    await browser?.close();
    await api?.close();
    await database?.close();
  });

  it.each(VIEWPORTS)('when it is read at $viewport.width px, then it passes axe-core, has no script error, fits the width and shows the present first', async ({ name, ...options }) => {
    const context = await browser.newContext({ ...options, locale: 'sv-SE' });
    const problems = watchForErrors(context);
    const page = await context.newPage();
    await page.goto(`${api.baseUrl}/public/driftstopp`);
    // The page's own markup rules (a phone number may wrap only where the stylesheet says): validated below.
    const check = await checkPage(page, name, results, { markup: false });
    console.log(`screenshot: ${new URL(`${name}.png`, SCREENSHOTS).pathname} (${(check.bytes / 1024).toFixed(1)} KB)`);
    expect(problems).toEqual([]);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, 'no sideways scrolling').toBeLessThanOrEqual(options.viewport.width);

    const headings = await page.locator('main h2').allTextContents();
    expect(headings.slice(0, 4)).toEqual(['Läget just nu', 'Pågående driftstörningar', 'Planerade driftstopp', 'Tidigare, de senaste 90 dagarna']);
    const states = await page.locator('.systems li').allInnerTexts();
    expect(states.map((s) => s.replace(/\s+/g, ' ').trim())).toEqual(['Tes Planerat underhåll pågår', 'CareApp Planerat underhåll pågår', 'CareLock Driftstörning']);
    const updates = page.locator('.disruption .updates li');
    await expect.poll(() => updates.count()).toBe(2);
    expect(await updates.first().innerText()).toContain('Orsaken är känd');
    // History folds its updates away; opening them needs no script.
    const history = page.locator('.history > li');
    expect(await history.count()).toBe(3);
    await page.getByText('Visa uppdateringar').first().click();
    await expect.poll(() => page.locator('.history details[open] .updates li').count()).toBe(2);
    await context.close();
  });

  it('when the page is validated as the server sends it, then its markup has no error', async () => {
    const html = (await api.get('/public/driftstopp')).text;
    expect(await publicMarkupProblems(html)).toEqual([]);
  });
});
