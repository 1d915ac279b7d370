import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, VIEWER_TOKEN } from '../support/api.js';
import { testBackends } from '../support/database.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';
import { checkPage, launchChromium, signIn, summary, watchForErrors, type PageCheck } from './browser.js';

/**
 * The disruption pages in Chromium against the whole service: register one (a refused form
 * first), see who was told, post an update and resolve it; each page passes axe-core and
 * the HTML validator, at 1280 and 390 px.
 */
describe('admin disruption pages, in Chromium against the whole service', () => {
  let stack: TestStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  const results: PageCheck[] = [];
  const url = (path: string) => `${stack.api.baseUrl}${path}`;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startTestStack(testBackends[0]!), launchChromium()]);
    const body = { kind: 'manager', name: 'Anna Berg', email: 'anna.berg.storning@orebro.se', systems: ['carelock'], unit: 'Hemtjänst Väster' };
    expect((await stack.api.request('POST', '/api/recipients', { body })).status).toBe(201);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'sv-SE' });
    problems = watchForErrors(context);
    page = await context.newPage();
  });

  afterAll(async () => {
    console.log(`disruption pages:\n${summary(results)}`);
    await browser?.close();
    await stack?.stop();
  });

  it('when an administrator registers a disruption, updates and resolves it, then each page explains itself and shows who was told', async () => {
    await signIn(page, stack.api.baseUrl, ADMIN_TOKEN);
    await page.getByRole('link', { name: 'Driftstörningar' }).click();
    await page.waitForURL(url('/admin/driftstorningar'));
    await checkPage(page, 'disruptions-01-empty', results);

    // Nothing filled in: refused in words next to each field, nothing registered.
    await page.getByRole('button', { name: 'Registrera och skicka besked' }).click();
    expect(await page.locator('.error-summary').textContent()).toContain('Välj minst ett system.');
    expect(await page.locator('#title-fel').textContent()).toContain('Ange en rubrik');
    expect(await page.locator('#description-fel').textContent()).toContain('Beskriv vad användarna märker');
    await checkPage(page, 'disruptions-02-refused', results);
    expect((await stack.api.request('GET', '/api/disruptions')).body.items).toEqual([]);

    await page.getByLabel('Rubrik').fill('Låsen går inte att öppna');
    await page.getByLabel('CareLock').check();
    await page.getByLabel('Vad märker användarna?').fill('Låsen svarar inte i CareApp.\nAnvänd reservnyckeln.');
    await page.getByRole('button', { name: 'Registrera och skicka besked' }).click();
    await expect.poll(() => page.locator('.confirm').textContent()).toContain('Driftstörningen är registrerad');
    const id = page.url().split('/').at(-1)!.split('?')[0]!;
    await eventually(async () => stack.smtp.received.filter((m) => m.to.includes('anna.berg.storning@orebro.se')).length, (n) => n === 1);
    await page.reload();
    expect(await page.locator('main').textContent()).toContain('anna.berg.storning@orebro.se');
    expect(await page.locator('main').textContent()).toContain('Levererat');
    await checkPage(page, 'disruptions-03-registered', results);

    await page.getByLabel('Orsaken är känd').check();
    await page.getByLabel('Vad är nytt?').fill('Felet sitter i låsservern. Leverantören arbetar med det.');
    await page.getByRole('button', { name: 'Spara och skicka' }).click();
    await expect.poll(() => page.locator('.confirm').textContent()).toContain('Uppdateringen är sparad');
    expect(await page.locator('.updates').textContent()).toContain('Felet sitter i låsservern');
    await eventually(async () => stack.smtp.received.filter((m) => m.to.includes('anna.berg.storning@orebro.se')).length, (n) => n === 2);

    await page.getByLabel('Löst').check();
    await page.getByLabel('Vad är nytt?').fill('Låsen fungerar igen.');
    await page.getByRole('button', { name: 'Spara och skicka' }).click();
    await expect.poll(() => page.locator('.confirm').textContent()).toContain('Uppdateringen är sparad');
    // Resolved closes it: no form for a further update.
    expect(await page.getByRole('button', { name: 'Spara och skicka' }).count()).toBe(0);
    await eventually(async () => stack.smtp.received.filter((m) => m.to.includes('anna.berg.storning@orebro.se')).length, (n) => n === 3);
    await page.reload();
    await checkPage(page, 'disruptions-04-resolved', results);
    await page.setViewportSize({ width: 390, height: 844 });
    await checkPage(page, 'disruptions-05-resolved-phone', results);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.goto(url('/admin/driftstorningar'));
    expect(await page.locator('#losta-rubrik').textContent()).toBe('Lösta (1)');
    await checkPage(page, 'disruptions-06-list', results);
    const csv = await page.request.get(url(`/admin/driftstorningar/${id}/besked.csv`));
    expect(await csv.text()).toContain('anna.berg.storning@orebro.se');
    expect(problems).toEqual([]);
  });

  it('when a viewer opens the disruptions, then they read them without a form', async () => {
    const viewer = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'sv-SE' });
    const viewerPage = await viewer.newPage();
    await signIn(viewerPage, stack.api.baseUrl, VIEWER_TOKEN);
    await viewerPage.goto(url('/admin/driftstorningar'));
    expect(await viewerPage.getByRole('button', { name: 'Registrera och skicka besked' }).count()).toBe(0);
    expect(await viewerPage.locator('main').textContent()).toContain('Låsen går inte att öppna');
    await viewer.close();
  });
});
