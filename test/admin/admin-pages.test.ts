import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/policy/load-policy.js';
import { BusinessCalendar } from '../../src/rules/business-calendar.js';
import { nextMinorSlots } from '../../src/rules/slots.js';
import { ADMIN_TOKEN } from '../support/api.js';
import { testBackends } from '../support/database.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';
import { checkPage, launchChromium, signIn, summary, watchForErrors, type PageCheck } from './browser.js';

const policy = loadPolicy();
const rules = { policy, calendar: new BusinessCalendar(policy) };
const local = (instant: DateTime) => instant.setZone(policy.timezone).toFormat("yyyy-MM-dd'T'HH:mm");

/** The first Tuesday or Wednesday from tomorrow on that is a business day: far too close for the routine. */
function soonSlotDay(now: DateTime): DateTime {
  let day = now.setZone(policy.timezone).plus({ days: 1 }).startOf('day');
  while (![2, 3].includes(day.weekday) || !rules.calendar.isBusinessDay(day)) day = day.plus({ days: 1 });
  return day;
}

describe('admin web page, in Chromium against the whole service', () => {
  let stack: TestStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  const results: PageCheck[] = [];
  const url = (path: string) => `${stack.api.baseUrl}${path}`;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startTestStack(testBackends[0]!), launchChromium()]);
    for (const body of [
      { kind: 'manager', name: 'Anna Berg', email: 'anna.berg@orebro.se', systems: ['tes', 'careapp'], unit: 'Hemtjänst Väster' },
      { kind: 'provider', name: 'Omsorg AB', email: 'info@omsorg.example', systems: ['tes'] },
    ]) {
      expect((await stack.api.request('POST', '/api/recipients', { body })).status).toBe(201);
    }
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'sv-SE' });
    problems = watchForErrors(context);
    page = await context.newPage();
  });

  afterAll(async () => {
    console.log(`admin pages:\n${summary(results)}`);
    await browser?.close();
    await stack?.stop();
  });

  it('when an administrator registers, previews, reschedules and cancels windows, then every page explains itself and the deliveries show who was told', async () => {
    // Sign in: a wrong token is refused in words, the right one opens the calendar.
    await page.goto(url('/admin'));
    await expect.poll(() => page.url()).toContain('/admin/logga-in');
    await checkPage(page, '01-sign-in', results);
    await page.getByLabel('Din token').fill('not-a-token');
    await page.getByRole('button', { name: 'Logga in' }).click();
    expect(await page.locator('#token-fel').textContent()).toContain('Token är ogiltig');
    await signIn(page, stack.api.baseUrl, ADMIN_TOKEN);
    await checkPage(page, '02-calendar-empty', results);

    // Register a compliant window from an offered slot.
    await page.getByRole('link', { name: 'Registrera driftstopp' }).click();
    const [firstSlot] = nextMinorSlots(rules, DateTime.now(), 1, DateTime.now());
    await page.locator('.slots a').first().click();
    expect(await page.locator('#start').inputValue()).toBe(local(firstSlot!.start));
    await page.getByLabel('Rubrik').fill('Uppgradering av Tes');
    await page.getByLabel(/^Tes/).check();
    await page.getByLabel(/^CareApp/).check();
    await checkPage(page, '03-register-form', results);
    await page.getByRole('button', { name: 'Registrera', exact: true }).click();
    await expect.poll(() => page.locator('.confirm').textContent()).toContain('Driftstoppet är registrerat');
    const compliantId = page.url().split('/').at(-1)!.split('?')[0]!;
    expect(await page.locator('table').textContent()).toContain('Väntar');
    await checkPage(page, '04-window-registered', results);

    // A Thursday is refused, in words, next to the start field.
    const thursday = firstSlot!.start.plus({ weeks: 1 }).set({ weekday: 4 });
    await page.goto(url('/admin/driftstopp/ny'));
    await page.getByLabel('Rubrik').fill('Fel dag');
    await page.getByLabel(/^Tes/).check();
    await page.getByLabel('Start', { exact: true }).fill(local(thursday));
    await page.getByLabel('Slut', { exact: true }).fill(local(thursday.plus({ hours: 2 })));
    await page.getByRole('button', { name: 'Registrera', exact: true }).click();
    const startError = page.locator('#start-fel');
    expect(await startError.textContent()).toContain('tisdagar eller onsdagar 09.00–14.00');
    expect(await page.locator('#start-forslag').textContent()).toMatch(/Närmaste tid som följer reglerna: (tisdag|onsdag) \d+ \w+ \d{4} kl\. 09\.00/);
    expect(await page.locator('#start').getAttribute('aria-describedby')).toContain('start-fel');
    expect(await page.locator('#start').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.classList.contains('error-summary'))).toBe(true);
    await checkPage(page, '05-register-refused', results);

    // Too short notice: refused with the earliest compliant start, then accepted with a reason.
    const soon = rules.calendar.at(soonSlotDay(DateTime.now()), '09:00');
    await page.getByLabel('Rubrik').fill('Akut säkerhetsuppdatering');
    await page.getByLabel('Start', { exact: true }).fill(local(soon));
    await page.getByLabel('Slut', { exact: true }).fill(local(soon.plus({ hours: 2 })));
    await page.getByRole('button', { name: 'Registrera', exact: true }).click();
    expect(await startError.textContent()).toContain('För kort varsel');
    expect(await page.locator('#start-forslag').textContent()).toMatch(/Närmaste tid som följer reglerna: (tisdag|onsdag) \d+ \w+ \d{4} kl\. 09\.00/);
    expect(await page.locator('#kort-varsel').isVisible()).toBe(true);
    await checkPage(page, '06-register-short-notice', results);
    await page.getByLabel('Varför behövs kort varsel?').fill('Kritisk säkerhetsrättning från leverantören');
    await page.getByRole('button', { name: 'Registrera med kort varsel' }).click();
    await expect.poll(() => page.locator('.confirm').textContent()).toContain('kort varsel');
    const urgentUrl = page.url().split('?')[0]!;

    // Its notices, as each audience will see them.
    await page.getByRole('link', { name: 'Förhandsgranska meddelanden' }).click();
    expect(await page.locator('.preview h2').allTextContents()).toEqual(
      expect.arrayContaining(['Berörda chefer: meddelande', 'orebro.se: meddelande', 'Eget Val (externa utförare): meddelande']),
    );
    const mail = page.frameLocator('iframe[title="Berörda chefer: meddelande, HTML"]');
    await expect.poll(() => mail.locator('body').textContent()).toContain('Akut säkerhetsuppdatering');
    const entry = page.frameLocator('iframe[title="orebro.se: meddelande, posten på den offentliga sidan"]');
    await expect.poll(() => entry.locator('article h3').textContent()).toBe('Akut säkerhetsuppdatering');
    await checkPage(page, '07-preview', results);
    // The framed notices are what the audiences read: they get the same accessibility check
    // (not the markup rules: e-mail HTML needs inline styles, and its own tests cover it).
    const framed = await page.locator('iframe').evaluateAll((frames) => frames.map((f) => (f as HTMLIFrameElement).src));
    for (const [name, src] of [
      ['07-preview-manager-mail', framed[0]!],
      ['07-preview-public-entry', framed.find((src) => src.endsWith('/offentlig-sida'))!],
    ] as const) {
      await page.goto(src);
      await checkPage(page, name, results, { markup: false });
    }

    // The overdue notices went out at once: the manager and the provider were told.
    await page.goto(`${urgentUrl}/besked`);
    await eventually(
      async () => (await page.reload(), await page.locator('.badge.delivery-sent').count()),
      (delivered) => delivered >= 2,
    );
    const told = await page.locator('main').textContent();
    expect(told).toContain('anna.berg@orebro.se');
    expect(told).toContain('info@omsorg.example');
    expect(told).toContain('kort varsel: Kritisk säkerhetsrättning');
    await checkPage(page, '08-told-short-notice', results);

    // Reschedule: the page names who gets an update before anything is confirmed.
    await page.goto(`${urgentUrl}/flytta`);
    const impact = page.locator('.impact');
    expect(await impact.textContent()).toContain('får direkt ett meddelande om den nya tiden');
    expect(await impact.locator('ul').first().textContent()).toContain('Berörda chefer');
    await checkPage(page, '09-reschedule', results);
    const later = nextMinorSlots(rules, DateTime.now().plus({ weeks: 3 }), 1, DateTime.now())[0]!;
    await page.getByLabel('Start', { exact: true }).fill(local(later.start));
    await page.getByLabel('Slut', { exact: true }).fill(local(later.start.plus({ hours: 2 })));
    await page.getByRole('button', { name: 'Flytta driftstoppet' }).click();
    await expect.poll(() => page.locator('.confirm').textContent()).toContain('ny tid');
    // The update goes out at once; cancelling before it has would withdraw it.
    const updates = () => stack.smtp.received.filter((m) => m.parsed.subject?.startsWith('Ändrad tid:'));
    await eventually(async () => updates().length, (n) => n >= 2);

    // Cancel: a reason is required, and the page says who hears of it.
    await page.getByRole('link', { name: 'Ställ in' }).click();
    expect(await page.locator('.impact').textContent()).toContain('att driftstoppet är inställt');
    await page.getByRole('button', { name: 'Ställ in driftstoppet' }).click();
    expect(await page.locator('#reason-fel').textContent()).toContain('Skriv varför');
    await checkPage(page, '10-cancel-refused', results);
    await page.getByLabel('Varför ställs driftstoppet in?').fill('Leverantören sköt upp releasen');
    await page.getByRole('button', { name: 'Ställ in driftstoppet' }).click();
    await expect.poll(() => page.locator('.confirm').textContent()).toContain('inställt');
    expect(await page.locator('.facts').textContent()).toContain('Inställt');

    // Who was told: announcement, update and cancellation reached both recipients.
    await page.goto(`${urgentUrl}/besked`);
    await eventually(
      async () => (await page.reload(), await page.locator('.badge.delivery-sent').count()),
      (delivered) => delivered >= 6,
    );
    const rows = await page.locator('table').nth(1).locator('tbody tr').allTextContents();
    for (const kind of ['Meddelande', 'Ändrad tid', 'Inställt']) {
      expect(rows.filter((row) => row.includes(kind) && row.includes('anna.berg@orebro.se') && row.includes('Levererat'))).toHaveLength(1);
    }
    await checkPage(page, '11-told-after-cancel', results);
    const csv = await page.request.get(`${urgentUrl}/besked.csv`);
    expect(csv.headers()['content-type']).toContain('text/csv');
    const csvText = await csv.text();
    expect(csvText.startsWith('\uFEFFmålgrupp;meddelande;')).toBe(true);
    expect(csvText).toContain('anna.berg@orebro.se');
    const subjects = stack.smtp.received.map((m) => m.parsed.subject ?? '');
    expect(subjects.some((s) => s.startsWith('Ändrad tid:'))).toBe(true);
    expect(subjects.some((s) => s.startsWith('Inställt:'))).toBe(true);

    // The calendar shows both windows; the short-notice one stands out.
    await page.goto(url('/admin'));
    expect(await page.locator(`#f-${compliantId}`).textContent()).toBe('Uppgradering av Tes');
    expect(await page.locator('.window-card.flagged .warnings').first().textContent()).toContain('sent');
    await checkPage(page, '12-calendar', results);

    expect(problems).toEqual([]);
    // A dozen pages, each screenshot, axe and markup check, and three rounds of deliveries.
  }, 120_000);

  it('when recipients are added, imported and removed on the page, then each step reports in words', async () => {
    await signIn(page, stack.api.baseUrl, ADMIN_TOKEN);
    await page.goto(url('/admin/mottagare'));
    await page.getByLabel('Namn').fill('Bertil Ek');
    await page.getByLabel('E-post').fill('inte-en-adress');
    await page.getByRole('group', { name: 'Följer system' }).getByLabel('CareLock').check();
    await page.getByRole('button', { name: 'Lägg till' }).click();
    expect(await page.locator('#email-fel').textContent()).toContain('Ange en giltig e-postadress');
    await checkPage(page, '13-recipients-refused', results);
    await page.getByLabel('E-post').fill('bertil.ek@orebro.se');
    await page.getByRole('button', { name: 'Lägg till' }).click();
    await expect.poll(() => page.locator('.confirm').textContent()).toContain('Mottagaren är tillagd');

    const csv = 'name,email,kind,systems,unit\nCecilia Holm,cecilia.holm@orebro.se,chef,Tes;CareLock,Hemtjänst Norr\nTrasig,inte-en-adress,chef,Tes,\n';
    await page.getByLabel('CSV-innehåll').fill(csv);
    await page.getByRole('button', { name: 'Importera' }).click();
    const report = page.locator('.report');
    expect(await report.textContent()).toContain('1 mottagare importerades, 1 rad avvisades.');
    expect(await report.locator('tbody tr').textContent()).toContain('3');
    await checkPage(page, '14-recipients-import', results);

    await page.getByRole('button', { name: 'Ta bort Bertil Ek' }).click();
    await expect.poll(() => page.locator('.confirm').textContent()).toContain('Mottagaren är borttagen');
    expect(await page.locator('main table').textContent()).not.toContain('bertil.ek@orebro.se');
    expect(problems).toEqual([]);
  });

  it('when the page is read on a 390 px wide phone, then nothing is wider than the screen', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const phoneProblems = watchForErrors(phone);
    const mobile = await phone.newPage();
    await signIn(mobile, stack.api.baseUrl, ADMIN_TOKEN);
    for (const [path, name] of [
      ['/admin', '15-phone-calendar'],
      ['/admin/driftstopp/ny', '16-phone-register'],
      ['/admin/mottagare', '17-phone-recipients'],
    ] as const) {
      await mobile.goto(url(path));
      await checkPage(mobile, name, results);
      expect(await mobile.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(390);
    }
    expect(phoneProblems).toEqual([]);
    await phone.close();
  });
});
