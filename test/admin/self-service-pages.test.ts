import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deputyLinkSubject } from '../../src/links/deputy-links.js';
import { signLink, type LinkPurpose } from '../../src/links/link-tokens.js';
import { startTestApi, TEST_LINK_SECRET, type TestApi } from '../support/api.js';
import { testBackends, type TestDatabase } from '../support/database.js';
import { insertWindowWithNotice } from '../support/notice-fixtures.js';
import { checkPage, launchChromium, summary, watchForErrors, type PageCheck } from './browser.js';

/** Tuesday 16 March 2027, 09:00 in Stockholm. */
const NOW = '2027-03-16T08:00:00Z';
const LATER = new Date('2027-06-01T00:00:00Z');

/**
 * "Mina inställningar" and the unsubscribe pages in Chromium: axe-core finds nothing serious,
 * the markup validates, no CSP refusal, on a desktop and on a phone; the forms work as a
 * person uses them, and a bad link gets its page.
 */
describe('self-service pages, in Chromium', () => {
  let database: TestDatabase;
  let api: TestApi;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let recipientId: string;
  const results: PageCheck[] = [];
  const link = (purpose: LinkPurpose, expiresAt = LATER) => `${api.baseUrl}/links/${purpose === 'settings' ? 'settings' : 'unsubscribe'}/${signLink(TEST_LINK_SECRET, { purpose, subject: recipientId, expiresAt })}`;

  beforeAll(async () => {
    database = await testBackends[0]!.open();
    [api, browser] = await Promise.all([startTestApi(database.db, { now: NOW }), launchChromium()]);
    const created = await api.request('POST', '/api/recipients', {
      body: { kind: 'manager', name: 'Anna Berg', email: 'anna.berg@orebro.se', systems: ['tes', 'careapp'], unit: 'Hemtjänst Väster' },
    });
    expect(created.status).toBe(201);
    recipientId = created.body.id;
    // One message to her and one to her deputy, so the record of what was sent has rows.
    const windowId = await insertWindowWithNotice(database.db);
    const notice = await database.db.selectFrom('notices').select('id').where('window_id', '=', windowId).executeTakeFirstOrThrow();
    const sentAt = new Date('2027-03-02T07:00:03Z');
    await database.db
      .insertInto('deliveries')
      .values([
        { id: randomUUID(), notice_id: notice.id, recipient_key: recipientId, recipient_id: recipientId, channel: 'email', target: 'anna.berg@orebro.se', batch: 0, status: 'sent', attempts: 1, claimed_at: null, claimed_by: null, failing_since: null, last_error: null, message_id: null, sent_at: sentAt, created_at: sentAt },
        { id: randomUUID(), notice_id: notice.id, recipient_key: 'other', recipient_id: recipientId, channel: 'email', target: 'bo.kollega.med.ett.mycket.langt.namn@hemtjanst-vaster.orebro.se', deputy_name: 'Bo Kollega', batch: 0, status: 'sent', attempts: 1, claimed_at: null, claimed_by: null, failing_since: null, last_error: null, message_id: null, sent_at: sentAt, created_at: sentAt },
      ])
      .execute();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'sv-SE' });
    problems = watchForErrors(context);
    page = await context.newPage();
  });

  afterAll(async () => {
    console.log(`self-service pages:\n${summary(results)}`);
    await browser?.close();
    await api?.close();
    await database?.close();
  });

  it('when a manager sets a deputy, is refused a past day, and removes the deputy, then every page explains itself and passes axe', async () => {
    await page.goto(link('settings'));
    await checkPage(page, 'links-01-settings', results);
    expect(await page.locator('.messages').textContent()).toContain('Till: Din ersättare Bo Kollega');

    await page.getByLabel('Ersättarens namn').fill('Cecilia Ek');
    await page.getByLabel('Ersättarens e-postadress').fill('cecilia.ek@orebro.se');
    await page.getByLabel('Första dagen').fill('2027-03-15');
    await page.getByLabel('Sista dagen').fill('2027-03-20');
    await page.getByRole('button', { name: 'Spara ersättare' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('.problem[role=alert]').textContent()).toContain('Första dagen får inte ha passerat.');
    await checkPage(page, 'links-02-settings-refused', results);

    await page.getByLabel('Första dagen').fill('2027-03-16');
    await page.getByRole('button', { name: 'Spara ersättare' }).click();
    await page.waitForURL(/klart=ersattare$/);
    expect(await page.locator('.done').textContent()).toBe('Ersättaren är sparad.');
    await checkPage(page, 'links-03-settings-deputy', results);

    await page.getByRole('button', { name: 'Ta bort ersättaren' }).click();
    await page.waitForURL(/klart=ersattare-borttagen$/);
    expect(await page.locator('main').textContent()).toContain('Tog bort ersättare (du själv)');
    expect(problems).toEqual([]);
  });

  it('when a manager opens the unsubscribe link and presses the button, then they are unsubscribed and can start again from their settings', async () => {
    await page.goto(link('unsubscribe'));
    await checkPage(page, 'links-04-unsubscribe', results);
    await page.getByRole('button', { name: 'Ja, sluta skicka meddelanden till mig' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('.done').textContent()).toContain('Du får inga fler meddelanden');
    await checkPage(page, 'links-05-unsubscribed', results);

    await page.getByRole('link', { name: 'Mina inställningar' }).click();
    await page.waitForLoadState('load');
    await checkPage(page, 'links-06-settings-unsubscribed', results);
    await page.getByRole('button', { name: 'Börja ta emot meddelanden igen' }).click();
    await page.waitForURL(/klart=borjat$/);
    expect(await page.locator('.done').textContent()).toBe('Du tar emot meddelanden igen.');
    expect(problems).toEqual([]);
  });

  it('when a deputy opens the settings link of their copy and stops standing in, then the deputy\'s page passes axe', async () => {
    await database.db.updateTable('recipients').set({ deputy_name: 'Cecilia Ek', deputy_email: 'cecilia.ek@orebro.se', deputy_from: '2027-03-16', deputy_to: '2027-03-20' }).where('id', '=', recipientId).execute();
    await page.goto(`${api.baseUrl}/links/settings/${signLink(TEST_LINK_SECRET, { purpose: 'settings', subject: deputyLinkSubject(recipientId, 'cecilia.ek@orebro.se'), expiresAt: LATER })}`);
    await checkPage(page, 'links-09-deputy', results);
    await page.getByRole('button', { name: 'Sluta vara ersättare' }).click();
    await page.waitForURL(/klart=inte-ersattare$/);
    await checkPage(page, 'links-10-deputy-stopped', results);
    expect(problems).toEqual([]);
  });

  it('when the link has expired, then its page passes axe too', async () => {
    const response = await page.goto(link('settings', new Date('2027-03-16T07:00:00Z')));
    expect(response?.status()).toBe(410);
    await checkPage(page, 'links-07-expired', results);
  });

  it('when the settings page is read on a 390 px wide phone, then nothing is wider than the screen', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const phoneProblems = watchForErrors(phone);
    const mobile = await phone.newPage();
    await mobile.goto(link('settings'));
    await checkPage(mobile, 'links-08-phone-settings', results);
    expect(await mobile.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(phoneProblems).toEqual([]);
    await phone.close();
  });
});
