import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, signIn } from '../admin/browser.js';
import { ADMIN_TOKEN } from '../support/api.js';
import { testBackends } from '../support/database.js';
import { soonSlot } from '../support/notice-fixtures.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const SECRET = 'a-webhook-secret-for-agreement';

/**
 * One window, four outputs, one answer to "who was told": the deliveries API, the admin page
 * "Vem har fått besked", the compliance report and the public page and feeds. Eget Val has
 * nobody to tell, the intranet's CMS answers, orebro.se's CMS answers 500 until it recovers.
 */
describe.each(testBackends)('who was told, said alike everywhere, on $name', (backend) => {
  let stack: TestStack;
  let intranet: WebhookReceiver;
  let publicSite: WebhookReceiver;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    intranet = await startWebhookReceiver(SECRET);
    publicSite = await startWebhookReceiver(SECRET);
    publicSite.failNext = 1_000;
    // Retries every few hundred ms for long enough that the 500s are still retried, not final.
    stack = await startTestStack(backend, {
      webhooks: { intranet: intranet.url, public: publicSite.url },
      webhookSecret: SECRET,
      deliveryAttempts: 30,
      deliveryBackoffMs: 200,
    });
    browser = await launchChromium();
    page = await browser.newPage();
    await signIn(page, stack.api.baseUrl, ADMIN_TOKEN);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await intranet?.close();
    await publicSite?.close();
  });

  /** Each output's answer per audience: how many were reached by the announcement. */
  const answers = async (id: string) => {
    const deliveries = (await stack.api.request('GET', `/api/windows/${id}/deliveries`)).body.items as any[];
    const fromDeliveries = Object.fromEntries(
      ['managers', 'intranet', 'public', 'egetval'].map((a) => [a, deliveries.filter((d) => d.audience === a && d.kind === 'announcement' && d.status === 'sent').length]),
    );
    const window = (await stack.api.request('GET', `/api/windows/${id}`)).body;
    const day = window.start.slice(0, 10);
    const report = (await stack.api.request('GET', `/api/compliance?from=${day}&to=${day}T23:59:59%2B01:00`)).body.items.find((w: any) => w.windowId === id);
    const announcements = report.audiences.filter((a: any) => a.kind === 'announcement');
    const fromReport = Object.fromEntries(announcements.map((a: any) => [a.audience, a.deliveries.sent]));
    await page.goto(`${stack.api.baseUrl}/admin/driftstopp/${id}/besked`);
    const rows = await page.locator('table').first().locator('tbody tr').all();
    const fromPage: Record<string, string> = {};
    for (const row of rows) {
      if ((await row.locator('td[data-label="Meddelande"]').textContent())!.trim() !== 'Meddelande') continue;
      const audience = (await row.locator('th').textContent())!.trim();
      fromPage[audience] = (await row.locator('td[data-label="Levererat"]').textContent())!.trim();
    }
    const feed = JSON.parse(await (await fetch(`${stack.api.baseUrl}/public/driftstopp.json`)).text());
    const pageHtml = await (await fetch(`${stack.api.baseUrl}/public/driftstopp`)).text();
    return { fromDeliveries, fromReport, fromPage, report, deliveries, onPublicFeed: feed.items.some((i: any) => i.id === id), onPublicPage: pageHtml.includes(window.title) };
  };

  it('when Eget Val has nobody and orebro.se answers 500, then the API, the admin page, the report and the public outputs agree, before and after it recovers', async () => {
    const manager = await stack.api.request('POST', '/api/recipients', {
      body: { kind: 'manager', name: 'Anna Chef', email: 'anna.agree@orebro.se', systems: ['tes'] },
    });
    expect(manager.status).toBe(201);
    const created = await stack.api.request('POST', '/api/windows', {
      body: { title: 'Uppgradering av Tes, överens', systems: ['tes'], kind: 'minor', ...soonSlot(3), shortNotice: { reason: 'Säkerhetsuppdatering' } },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    await eventually(() => answers(id), (a) => a.fromDeliveries.managers === 1 && a.fromDeliveries.intranet === 1 && publicSite.refused >= 2);

    const failing = await answers(id);
    expect(failing.fromDeliveries).toEqual({ managers: 1, intranet: 1, public: 0, egetval: 0 });
    expect(failing.fromReport).toEqual(failing.fromDeliveries);
    const publicDelivery = failing.deliveries.find((d) => d.audience === 'public');
    expect(publicDelivery).toMatchObject({ channel: 'webhook', lastError: expect.stringContaining('500') });
    expect(publicDelivery.status).not.toBe('sent');
    const egetval = failing.report.audiences.find((a: any) => a.audience === 'egetval' && a.kind === 'announcement');
    expect(egetval).toMatchObject({ deliveries: { sent: 0, failed: 0, pending: 0, cancelled: 0 }, feeds: false });
    expect(failing.report.audiences.find((a: any) => a.audience === 'public').verdict).not.toBe('on_time');
    expect(failing.fromPage).toEqual({
      'Berörda chefer': '1 av 1',
      Intranätet: '1 av 1',
      'orebro.se': '0 av 1',
      'Eget Val (externa utförare)': 'Ingen mottagare',
    });
    expect(failing.onPublicFeed).toBe(false);
    expect(failing.onPublicPage).toBe(false);

    publicSite.failNext = 0;
    // The public page and feeds reuse a rendered answer for a second: poll past it.
    const recovered = await eventually(() => answers(id), (a) => a.fromDeliveries.public === 1 && a.onPublicFeed && a.onPublicPage);
    expect(recovered.fromReport).toEqual(recovered.fromDeliveries);
    expect(recovered.fromPage['orebro.se']).toBe('1 av 1');
    expect(recovered.onPublicFeed).toBe(true);
    expect(recovered.onPublicPage).toBe(true);
  });
});
