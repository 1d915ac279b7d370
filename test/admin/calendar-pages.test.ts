import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/policy/load-policy.js';
import { BusinessCalendar } from '../../src/rules/business-calendar.js';
import { nextMinorSlots } from '../../src/rules/slots.js';
import { ADMIN_TOKEN } from '../support/api.js';
import { testBackends } from '../support/database.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { checkPage, launchChromium, signIn, summary, watchForErrors, type PageCheck } from './browser.js';

const policy = loadPolicy();
const rules = { policy, calendar: new BusinessCalendar(policy) };
const local = (instant: DateTime) => instant.setZone(policy.timezone).toFormat("yyyy-MM-dd'T'HH:mm");

/** A compliant slot `weeks` ahead: far enough for the routine's notice, apart from the other tests' slots. */
function slotAhead(weeks: number) {
  const now = DateTime.now();
  return nextMinorSlots(rules, now.plus({ weeks }), 1, now)[0]!;
}

describe('admin calendar pages (overlaps, series, lists), in Chromium against the whole service', () => {
  let stack: TestStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  const results: PageCheck[] = [];
  const url = (path: string) => `${stack.api.baseUrl}${path}`;

  const register = async (title: string, systems: string[], start: DateTime, end: DateTime) => {
    const res = await stack.api.request('POST', '/api/windows', { body: { title, systems, kind: 'minor', start: start.toISO(), end: end.toISO() } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string };
  };

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startTestStack(testBackends[0]!), launchChromium()]);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'sv-SE' });
    problems = watchForErrors(context);
    page = await context.newPage();
    await signIn(page, stack.api.baseUrl, ADMIN_TOKEN);
  });

  afterAll(async () => {
    console.log(`admin calendar pages:\n${summary(results)}`);
    await browser?.close();
    await stack?.stop();
  });

  it('when a window overlaps another on Tes, then the form names the other with a link, offers the nearest free time, and registers it with a reason', async () => {
    // The first compliant slot from now: the first the form offers, unless taken.
    const slot = slotAhead(0);
    const taken = await register('Uppgradering av Tes, release 4', ['tes'], slot.start, slot.end);

    // The free slots for Tes skip the taken one; those for CareLock alone still offer it.
    const slotText = (p: Page) => p.locator('.slots a').allTextContents();
    await page.goto(url('/admin/driftstopp/ny?system=tes'));
    const forTes = await slotText(page);
    await page.goto(url(`/admin/driftstopp/ny?system=carelock`));
    const forCareLock = await slotText(page);
    expect(forCareLock.length).toBeGreaterThan(0);
    const first = forCareLock[0]!;
    expect(forTes).not.toContain(first);

    await page.goto(url('/admin/driftstopp/ny'));
    await page.getByLabel('Rubrik').fill('Byte av server för Tes');
    await page.getByLabel(/^Tes/).check();
    await page.getByLabel('Start', { exact: true }).fill(local(slot.start.plus({ hours: 1 })));
    await page.getByLabel('Slut', { exact: true }).fill(local(slot.start.plus({ hours: 2 })));
    await page.getByRole('button', { name: 'Registrera', exact: true }).click();

    const warning = page.locator('#krock');
    expect(await warning.isVisible()).toBe(true);
    const link = warning.getByRole('link', { name: 'Uppgradering av Tes, release 4' });
    expect(await link.getAttribute('href')).toBe(`/admin/driftstopp/${taken.id}`);
    expect(await page.locator('.error-summary').textContent()).toContain('Krockar med ett annat driftstopp');
    expect(await page.locator('#start-forslag').textContent()).toMatch(/Närmaste tid som följer reglerna: \w+ \d+ \w+ \d{4} kl\. \d\d\.\d\d/);
    await checkPage(page, '21-register-overlap', results);

    // The offered time fills the form in: a time that no longer overlaps.
    const offered = page.locator('#start-forslag a');
    const href = new URL((await offered.getAttribute('href'))!, stack.api.baseUrl);
    await offered.click();
    expect(await page.locator('#start').inputValue()).toBe(href.searchParams.get('start'));
    expect(await page.locator('#title').inputValue()).toBe('Byte av server för Tes');
    const offeredStart = DateTime.fromISO(href.searchParams.get('start')!, { zone: policy.timezone });
    expect(offeredStart >= slot.end || offeredStart.plus({ hours: 1 }) <= slot.start).toBe(true);

    // Back to the overlapping time, now accepted with a reason.
    await page.getByLabel('Start', { exact: true }).fill(local(slot.start.plus({ hours: 1 })));
    await page.getByLabel('Slut', { exact: true }).fill(local(slot.start.plus({ hours: 2 })));
    await page.getByRole('button', { name: 'Registrera', exact: true }).click();
    await page.getByRole('button', { name: 'Registrera trots krocken' }).click();
    expect(await page.locator('#overlapReason-fel').textContent()).toContain('Skriv varför');
    await page.getByLabel('Varför ska driftstoppen få krocka?').fill('Leverantören gör båda arbetena samtidigt.');
    await page.getByRole('button', { name: 'Registrera trots krocken' }).click();
    await expect.poll(() => page.locator('.confirm').textContent()).toContain('Driftstoppet är registrerat');
    const windows = (await stack.api.request('GET', '/api/windows')).body as { items: { title: string; allowOverlap: { reason: string } | null }[] };
    expect(windows.items.find((w) => w.title === 'Byte av server för Tes')?.allowOverlap).toEqual({ reason: 'Leverantören gör båda arbetena samtidigt.' });
    expect(problems).toEqual([]);
  });
});
