import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/policy/load-policy.js';
import { BusinessCalendar } from '../../src/rules/business-calendar.js';
import { nextMinorSlots } from '../../src/rules/slots.js';
import { insertWindow } from '../../src/windows/window-repository.js';
import { ADMIN_TOKEN } from '../support/api.js';
import { windowRow } from '../support/rows.js';
import { testBackends } from '../support/database.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { checkPage, launchChromium, signIn, summary, watchForErrors, type PageCheck } from './browser.js';

const policy = loadPolicy();
const rules = { policy, calendar: new BusinessCalendar(policy) };
const local = (instant: DateTime) => instant.setZone(policy.timezone).toFormat("yyyy-MM-dd'T'HH:mm");

/**
 * The first occurrence of the series test: a Tuesday business day eight weeks or more ahead,
 * inside a blackout period this file's policy adds around it.
 */
function blackoutTuesday(): DateTime {
  let day = DateTime.now().setZone(policy.timezone).plus({ weeks: 8 }).startOf('day');
  while (day.weekday !== 2 || !rules.calendar.isBusinessDay(day)) day = day.plus({ days: 1 });
  return day;
}
const BLACKOUT_DAY = blackoutTuesday();
const BLACKOUT_REASON = 'Verksamheten går på vikarier under de här veckorna.';
const testPolicy = {
  ...policy,
  blackouts: [{ from: BLACKOUT_DAY.minus({ days: 2 }).toISODate()!, to: BLACKOUT_DAY.plus({ days: 2 }).toISODate()!, reason: BLACKOUT_REASON }],
};

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
    [stack, browser] = await Promise.all([startTestStack(testBackends[0]!, {}, { policy: testPolicy }), launchChromium()]);
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
    expect(await page.locator('.facts').textContent()).toContain('Krockar, godkäntLeverantören gör båda arbetena samtidigt.');
    const windows = (await stack.api.request('GET', '/api/windows')).body as { items: { title: string; allowOverlap: { reason: string } | null }[] };
    expect(windows.items.find((w) => w.title === 'Byte av server för Tes')?.allowOverlap).toEqual({ reason: 'Leverantören gör båda arbetena samtidigt.' });
    expect(problems).toEqual([]);
  });
  it('when a window both overlaps and comes at short notice, then accepting the overlap is kept while the short notice is answered', async () => {
    // Tomorrow or later, a Tuesday or Wednesday business day: far too close for the routine.
    let day = DateTime.now().setZone(policy.timezone).plus({ days: 1 }).startOf('day');
    while (![2, 3].includes(day.weekday) || !rules.calendar.isBusinessDay(day)) day = day.plus({ days: 1 });
    const start = rules.calendar.at(day, '12:00');
    const res = await stack.api.request('POST', '/api/windows', {
      body: { title: 'Akut rättning i CareApp', systems: ['careapp'], kind: 'minor', start: start.toISO(), end: start.plus({ hours: 1 }).toISO(), shortNotice: { reason: 'Säkerhetsrättning från leverantören.' } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);

    await page.goto(url('/admin/driftstopp/ny'));
    await page.getByLabel('Rubrik').fill('Akut rättning i Tes');
    // Tes: CareApp depends on it, so a Tes window takes CareApp's time too.
    await page.getByLabel(/^Tes/).check();
    await page.getByLabel('Start', { exact: true }).fill(local(start));
    await page.getByLabel('Slut', { exact: true }).fill(local(start.plus({ hours: 1 })));
    await page.getByRole('button', { name: 'Registrera', exact: true }).click();
    expect(await page.locator('#krock a').textContent()).toBe('Akut rättning i CareApp');
    await page.getByLabel('Varför ska driftstoppen få krocka?').fill('Samma leverantör rättar båda samtidigt.');
    await page.getByRole('button', { name: 'Registrera trots krocken' }).click();

    expect(await page.locator('#start-fel').textContent()).toContain('För kort varsel');
    await page.getByLabel('Varför behövs kort varsel?').fill('Kritisk säkerhetsrättning från leverantören.');
    await page.getByRole('button', { name: 'Registrera med kort varsel' }).click();
    await expect.poll(() => page.locator('.confirm').textContent()).toContain('kort varsel');
    const facts = await page.locator('.facts').textContent();
    expect(facts).toContain('Samma leverantör rättar båda samtidigt.');
    expect(facts).toContain('Kritisk säkerhetsrättning från leverantören.');
    expect(problems).toEqual([]);
  });

  /** A row straight into the register: the lists show the past too, which the API refuses to create. */
  const stored = async (title: string, start: DateTime, hours: number, extra: Parameters<typeof windowRow>[0] = {}) =>
    insertWindow(stack.database.db, windowRow({ id: randomUUID(), title, start_at: start.toJSDate(), end_at: start.plus({ hours }).toJSDate(), ...extra }));

  const titles = (p: Page) => p.locator('table.window-list tbody td[data-label="Rubrik"]').allTextContents();

  it('when the lists are searched, sorted and paged, then each shows its own windows in the order asked, ten to a page', async () => {
    const base = DateTime.now().setZone(policy.timezone).plus({ years: 2 }).startOf('day').set({ hour: 9 });
    // Titles run against the start order, so sorting by title visibly changes the order.
    for (let i = 0; i < 12; i += 1) await stored(`Listtest ${String(12 - i).padStart(2, '0')}`, base.plus({ days: i }), 2);
    await stored('Listtest lås', base.plus({ days: 20 }), 2, { systems: ['carelock'] });
    const now = DateTime.now();
    await stored('Listtest pågår', now.minus({ hours: 1 }), 2, { status: 'in_progress' });
    await stored('Listtest klar förra året', now.minus({ years: 1 }), 2, { status: 'completed' });
    await stored('Listtest klar förra månaden', now.minus({ months: 1 }), 2, { status: 'completed' });
    await stored('Listtest inställd', now.plus({ weeks: 3 }), 2, { status: 'cancelled', cancel_reason: 'Leverantören sköt upp.' });

    await page.goto(url('/admin'));
    await page.locator('nav.views').getByRole('link', { name: 'Kommande' }).click();
    expect(await page.locator('h1').textContent()).toBe('Kommande driftstopp');
    expect(await page.locator('nav.views a[aria-current=page]').textContent()).toBe('Kommande');

    // Search by title: 13 match, ten on the first page, in start order.
    await page.getByLabel('Sök på rubrik eller system').fill('listtest');
    await page.getByRole('button', { name: 'Sök' }).click();
    expect(await page.locator('#antal').textContent()).toBe('13 driftstopp matchar ”listtest”. Sida 1 av 2.');
    expect((await titles(page)).slice(0, 3)).toEqual(['Listtest 12', 'Listtest 11', 'Listtest 10']);
    expect(await titles(page)).toHaveLength(10);
    await checkPage(page, '22-list-upcoming', results);
    await page.getByRole('link', { name: 'Nästa sida' }).click();
    expect(await titles(page)).toEqual(['Listtest 02', 'Listtest 01', 'Listtest lås']);
    expect(new URL(page.url()).searchParams.get('sok')).toBe('listtest');

    // Sort by title, ascending, then descending; the column says how it is sorted.
    await page.locator('th a', { hasText: 'Rubrik' }).click();
    expect(await page.locator('th[aria-sort]').textContent()).toContain('Rubrik');
    expect(await page.locator('th[aria-sort]').getAttribute('aria-sort')).toBe('ascending');
    expect((await titles(page)).slice(0, 2)).toEqual(['Listtest 01', 'Listtest 02']);
    expect(new URL(page.url()).searchParams.get('sida')).toBeNull();
    await page.locator('th a', { hasText: 'Rubrik' }).click();
    expect(await page.locator('th[aria-sort]').getAttribute('aria-sort')).toBe('descending');
    expect((await titles(page))[0]).toBe('Listtest lås');
    await checkPage(page, '23-list-sorted', results);

    // Search by a system's name: only the windows on CareLock.
    await page.getByLabel('Sök på rubrik eller system').fill('CareLock');
    await page.getByRole('button', { name: 'Sök' }).click();
    expect(await titles(page)).toEqual(['Listtest lås']);
    expect(await page.locator('td[data-label="System"]').allTextContents()).toEqual(['CareLock']);

    // Running now, and what is over with the latest first (cancelled ones included).
    await page.locator('nav.views').getByRole('link', { name: 'Pågår' }).click();
    expect(await titles(page)).toContain('Listtest pågår');
    expect(await titles(page)).not.toContain('Listtest 01');
    await checkPage(page, '24-list-running', results);
    await page.goto(url('/admin?lista=avslutade&sok=listtest'));
    expect(await titles(page)).toEqual(['Listtest inställd', 'Listtest klar förra månaden', 'Listtest klar förra året']);
    await checkPage(page, '25-list-done', results);

    // A search that finds nothing says so instead of showing an empty table.
    await page.goto(url('/admin?lista=kommande&sok=finns-inte'));
    expect(await page.locator('#antal').textContent()).toBe('0 driftstopp matchar ”finns-inte”.');
    expect(await page.locator('table.window-list').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('when next week has a Saturday window and a title with a very long word, then the week stays one row and the word wraps inside its card', async () => {
    const monday = DateTime.now().setZone(policy.timezone).startOf('week').plus({ weeks: 1 });
    await stored('Helgarbete i Tes', monday.plus({ days: 5 }).set({ hour: 10 }), 3);
    const long = await stored('Säkerhetsuppdateringsinstallationsförberedelsearbetsbeskrivningsdokumentet', monday.plus({ days: 1 }).set({ hour: 9 }), 2);
    await page.goto(url('/admin'));
    const week = page.locator('section.week').nth(1);
    const tops = await week.locator('li.day').evaluateAll((days) => days.map((d) => Math.round(d.getBoundingClientRect().top)));
    expect(tops).toHaveLength(6);
    expect(new Set(tops).size).toBe(1);
    const card = page.locator(`article[aria-labelledby="f-${long.id}"]`);
    const fits = await card.evaluate((el) => el.scrollWidth <= el.clientWidth);
    expect(fits).toBe(true);
    await checkPage(page, '26-calendar-weekend-and-long-word', results);
  });

  it('when the calendar is opened on a phone, then the first day shown is today or later and nothing is wider than the screen', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, locale: 'sv-SE' });
    const phoneProblems = watchForErrors(phone);
    const mobile = await phone.newPage();
    await signIn(mobile, stack.api.baseUrl, ADMIN_TOKEN);
    await mobile.goto(url('/admin'));
    const today = DateTime.now().setZone(policy.timezone).toISODate()!;
    const shown = await mobile.locator('li.day').evaluateAll((days) =>
      days.filter((d) => (d as HTMLElement).offsetParent !== null).map((d) => d.querySelector('time')!.getAttribute('datetime')!),
    );
    expect(shown.length).toBeGreaterThan(0);
    expect(shown[0]! >= today).toBe(true);
    // Exactly the past days are left out; they are still in the page for a wide screen.
    const all = await mobile.locator('li.day time').evaluateAll((times) => times.map((t) => t.getAttribute('datetime')!));
    expect(shown).toEqual(all.filter((iso) => iso >= today));
    expect(await mobile.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await checkPage(mobile, '27-phone-calendar-from-today', results);
    await mobile.goto(url('/admin?lista=kommande'));
    expect(await mobile.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await checkPage(mobile, '28-phone-list', results);
    expect(phoneProblems).toEqual([]);
    await phone.close();
  });

  it('when a series is previewed, then each occurrence says whether it is registered, the one in the blackout period why not and the nearest time; then it is created', async () => {
    await page.goto(url('/admin'));
    await page.getByRole('link', { name: 'Registrera serie' }).click();
    await checkPage(page, '29-series-form', results);

    // Nothing filled in: every missing field is named.
    await page.getByRole('button', { name: 'Förhandsgranska' }).click();
    expect(await page.locator('.error-summary li').allTextContents()).toEqual(
      expect.arrayContaining(['Ange en rubrik.', 'Välj minst ett system.', 'Ange första dagen, till exempel 2027-01-05.']),
    );
    expect(await page.locator('#title').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Rubrik').fill('Ny version av Tes');
    await page.getByLabel('Tes', { exact: true }).check();
    await page.getByLabel('Varannan vecka').check();
    await page.getByLabel('Veckodag').selectOption('TU');
    await page.getByLabel('Första dag').fill(BLACKOUT_DAY.toISODate()!);
    await page.getByLabel('Börjar klockan').fill('09:00');
    await page.getByLabel('Slutar klockan').fill('11:00');
    await page.getByLabel('Antal tillfällen').fill('4');
    await page.getByRole('button', { name: 'Förhandsgranska' }).click();

    const rows = page.locator('.series-preview tbody tr');
    expect(await rows.count()).toBe(4);
    const first = rows.first();
    expect(await first.locator('td[data-label="Resultat"]').textContent()).toContain('Hoppas över.');
    expect(await first.locator('td[data-label="Resultat"]').textContent()).toContain(BLACKOUT_REASON);
    expect(await first.locator('td[data-label="Tillfälle"]').textContent()).toContain(BLACKOUT_DAY.setLocale('sv').toFormat('d LLLL yyyy'));
    expect(await first.locator('td[data-label="Närmaste tid"]').textContent()).toMatch(/\w+ \d+ \w+ \d{4} kl\. 09\.00–11\.00/);
    const registered = await page.locator('.series-preview td[data-label="Resultat"]', { hasText: 'Registreras' }).count();
    expect(registered).toBeGreaterThan(0);
    expect(await page.locator('.series-preview [role=status]').textContent()).toContain('Ingenting är sparat än.');
    // A dry run stores nothing.
    const stored = async () => ((await stack.api.request('GET', '/api/windows')).body as { items: { title: string }[] }).items.filter((w) => w.title === 'Ny version av Tes');
    expect(await stored()).toEqual([]);
    await checkPage(page, '30-series-preview', results);

    await page.getByRole('button', { name: 'Registrera serien' }).click();
    await expect.poll(() => page.locator('.confirm').textContent()).toContain('Serien är registrerad');
    expect(await titles(page)).toEqual(Array(registered).fill('Ny version av Tes'));
    expect(await stored()).toHaveLength(registered);
    await checkPage(page, '31-series-created', results);
    expect(problems).toEqual([]);
  });

  it('when the series form is given a raw RRULE without FREQ, then the page says so next to the rule', async () => {
    await page.goto(url('/admin/serier/ny'));
    await page.getByLabel('Rubrik').fill('Månadsvis underhåll');
    await page.getByLabel('Tes', { exact: true }).check();
    await page.getByLabel('Egen regel (RRULE enligt RFC 5545)').check();
    await page.getByLabel('Egen regel (RRULE)').fill('INTERVAL=2;BYDAY=TU');
    await page.getByLabel('Första dag').fill(BLACKOUT_DAY.plus({ weeks: 10 }).toISODate()!);
    await page.getByLabel('Börjar klockan').fill('09:00');
    await page.getByLabel('Slutar klockan').fill('11:00');
    await page.getByLabel('Sista dag').fill(BLACKOUT_DAY.plus({ weeks: 30 }).toISODate()!);
    await page.getByRole('button', { name: 'Förhandsgranska' }).click();
    expect(await page.locator('#rrule-fel').textContent()).toContain('RRULE saknar FREQ.');
    expect(await page.locator('.series-preview').count()).toBe(0);
    await checkPage(page, '32-series-bad-rule', results);
  });
});
