import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../support/api.js';
import { testBackends } from '../support/database.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';
import { checkPage, launchChromium, signIn, summary, watchForErrors, type PageCheck } from './browser.js';

/**
 * The register's pages in Chromium against the whole service: the public sign-up form and
 * its answers, the confirmation link's pages, and the admin's list and edit page of
 * recipients; each checked with axe-core, html-validate and the page budget.
 */
describe('sign-up and register pages, in Chromium against the whole service', () => {
  let stack: TestStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  const results: PageCheck[] = [];
  const url = (path: string) => `${stack.api.baseUrl}${path}`;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startTestStack(testBackends[0]!), launchChromium()]);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'sv-SE' });
    problems = watchForErrors(context);
    page = await context.newPage();
  });

  afterAll(async () => {
    console.log(`register pages:\n${summary(results)}`);
    await browser?.close();
    await stack?.stop();
  });

  it('when someone signs up on the public page and follows the link, then every page says what happens next, and only the button subscribes', async () => {
    await page.goto(url('/public/driftstopp'));
    // Its markup is validated by test/publications/public-routes.test.ts, which knows the phone number's class.
    await checkPage(page, 'r01-public-page-with-form', results, { markup: false });
    await page.getByRole('button', { name: 'Anmäl' }).click();
    expect(await page.locator('h1').textContent()).toBe('Anmälan kunde inte tas emot');
    expect(await page.locator('#email').getAttribute('aria-describedby')).toBe('email-fel');
    await checkPage(page, 'r02-sign-up-refused', results);

    await page.getByLabel('E-postadress').fill('anna.anhorig@example.org');
    await page.getByRole('group', { name: 'System' }).getByLabel('CareLock').check();
    await page.getByRole('button', { name: 'Anmäl' }).click();
    expect(await page.locator('h1').textContent()).toBe('Titta i din inkorg');
    await checkPage(page, 'r03-sign-up-sent', results);

    await stack.smtp.waitFor(1);
    const link = /http:\/\/localhost:3000(\/links\/confirm\/\S+)/.exec(stack.smtp.received[0]!.parsed.text ?? '')![1]!;
    await page.goto(url(link));
    expect(await page.locator('main').textContent()).toContain('anna.anhorig@example.org');
    await checkPage(page, 'r04-confirm', results);
    expect((await stack.api.request('GET', '/api/recipients?kind=subscriber')).body.total).toBe(0);
    await page.getByRole('button', { name: 'Bekräfta prenumerationen' }).click();
    expect(await page.locator('h1').textContent()).toBe('Prenumerationen är bekräftad');
    await checkPage(page, 'r05-confirmed', results);
    expect((await stack.api.request('GET', '/api/recipients?kind=subscriber')).body.items).toMatchObject([{ email: 'anna.anhorig@example.org', systems: ['carelock'] }]);

    const changed = await page.goto(url(`${link.slice(0, -3)}AAA`));
    expect(changed?.status()).toBe(403);
    await checkPage(page, 'r06-confirm-link-changed', results);
    expect(problems).toEqual([]);
  }, 120_000);

  it('when the administrator searches the register and edits a recipient, then opt-outs and deputies show, an unsubscribed manager stands out, and the change is on record', async () => {
    const add = async (body: Record<string, unknown>) => (await stack.api.request('POST', '/api/recipients', { body })).body as { id: string };
    const anna = await add({ kind: 'manager', name: 'Anna Berg', email: 'anna.berg@orebro.se', systems: ['tes', 'careapp'], unit: 'Hemtjänst Väster' });
    const bo = await add({ kind: 'manager', name: 'Bo Ek', email: 'bo.ek@orebro.se', systems: ['tes'], unit: 'Hemtjänst Norr' });
    await add({ kind: 'provider', name: 'Omsorg AB', email: 'info@omsorg.example', systems: ['tes'] });
    for (let i = 0; i < 55; i++) await add({ kind: 'manager', name: `Chef ${String(i).padStart(2, '0')}`, email: `chef${i}@orebro.se`, systems: ['carelock'] });
    // What the manager did on "Mina inställningar": stopped the messages, named a deputy.
    await stack.database.db.updateTable('recipients').set({ unsubscribed_at: new Date() }).where('id', '=', bo.id).execute();
    await stack.database.db
      .updateTable('recipients')
      .set({ deputy_name: 'Cecilia Holm', deputy_email: 'cecilia.holm@orebro.se', deputy_from: '2027-03-01', deputy_to: '2027-03-31' })
      .where('id', '=', anna.id)
      .execute();

    await signIn(page, stack.api.baseUrl, ADMIN_TOKEN);
    await page.goto(url('/admin/mottagare'));
    expect(await page.locator('#antal').textContent()).toContain('Sida 1 av 2');
    expect(await page.locator('.warnings').textContent()).toContain('1 chef har slutat ta emot meddelanden');
    await checkPage(page, 'r07-recipients-list', results);
    await page.getByRole('link', { name: 'Nästa sida' }).click();
    expect(await page.locator('#antal').textContent()).toContain('Sida 2 av 2');

    await page.getByLabel('Sök', { exact: true }).fill('norr');
    await page.getByRole('button', { name: 'Sök' }).click();
    const rows = page.locator('main table tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute('class')).toBe('risk');
    expect(await rows.first().textContent()).toContain('enheten får inga meddelanden');
    await checkPage(page, 'r08-recipients-searched', results);

    await page.getByLabel('Sök', { exact: true }).fill('');
    await page.getByLabel('Typ', { exact: true }).selectOption('manager');
    await page.getByLabel('System', { exact: true }).selectOption('careapp');
    await page.getByRole('button', { name: 'Sök' }).click();
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Ersättare: Cecilia Holm');
    await page.getByRole('link', { name: 'Anna Berg' }).click();
    await checkPage(page, 'r09-recipient', results);

    await page.getByLabel('E-post').fill('anna@');
    await page.getByRole('button', { name: 'Spara ändringar' }).click();
    expect(await page.locator('#email-fel').textContent()).toContain('Ange en giltig e-postadress');
    await checkPage(page, 'r10-recipient-refused', results);
    await page.getByLabel('E-post').fill('anna.berg@vasteras.example');
    await page.getByRole('group', { name: 'Följer system' }).getByLabel('CareLock').check();
    await page.getByRole('button', { name: 'Spara ändringar' }).click();
    await expect.poll(() => page.locator('.confirm').textContent()).toContain('Ändringarna är sparade');
    const history = await page.locator('main table').textContent();
    expect(history).toContain('e-post: anna.berg@orebro.se → anna.berg@vasteras.example');
    expect(history).toContain('system: Tes, CareApp → Tes, CareApp, CareLock');
    expect((await stack.api.request('GET', `/api/recipients/${anna.id}`)).body).toMatchObject({ email: 'anna.berg@vasteras.example', systems: ['tes', 'careapp', 'carelock'] });
    expect(problems).toEqual([]);
  }, 120_000);
});
