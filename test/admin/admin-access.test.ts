import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, VIEWER_TOKEN, startTestApi, type TestApi } from '../support/api.js';
import { testBackends, type TestDatabase } from '../support/database.js';
import { checkPage, launchChromium, signIn, summary, watchForErrors, type PageCheck } from './browser.js';

const NOW = '2026-11-25T12:00:00Z';

describe('admin web page: who may change what', () => {
  let database: TestDatabase;
  let api: TestApi;
  let browser: Browser;
  let admin: BrowserContext;
  let viewer: BrowserContext;
  let windowId: string;
  let problems: string[];
  const results: PageCheck[] = [];

  beforeAll(async () => {
    database = await testBackends[0]!.open();
    [api, browser] = await Promise.all([startTestApi(database.db, { now: NOW }), launchChromium()]);
    const created = await api.request('POST', '/api/windows', {
      body: { title: 'Uppgradering av CareLock', systems: ['carelock'], kind: 'minor', start: '2027-03-30T09:00:00+02:00', end: '2027-03-30T12:00:00+02:00' },
    });
    expect(created.status).toBe(201);
    windowId = created.body.id;
    [admin, viewer] = await Promise.all([browser.newContext(), browser.newContext()]);
    problems = watchForErrors(viewer);
    await signIn(await admin.newPage(), api.baseUrl, ADMIN_TOKEN);
    await signIn(await viewer.newPage(), api.baseUrl, VIEWER_TOKEN);
  });

  afterAll(async () => {
    console.log(`admin pages (viewer):\n${summary(results)}`);
    await browser?.close();
    await api?.close();
    await database?.close();
  });

  const status = async () => (await api.request('GET', `/api/windows/${windowId}`)).body.status as string;

  /** The session cookie of a signed-in browser context, as a Cookie header. */
  const cookieOf = async (context: BrowserContext) =>
    (await context.cookies(`${api.baseUrl}/admin`)).map((c) => `${c.name}=${c.value}`).join('; ');

  const csrfOf = async (context: BrowserContext) => {
    const page = context.pages()[0]!;
    await page.goto(`${api.baseUrl}/admin`);
    return (await page.locator('form.signout input[name=_csrf]').inputValue());
  };

  const post = (path: string, cookie: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${api.baseUrl}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    });

  it('when a viewer looks around, then the pages show everything but offer no form that changes anything', async () => {
    const page = viewer.pages()[0]!;
    const changeForms = () => page.locator('form[method=post]:not(.signout)').count();
    await page.goto(`${api.baseUrl}/admin?fran=2027-03-22`);
    expect(await page.locator(`#f-${windowId}`).textContent()).toBe('Uppgradering av CareLock');
    expect(await page.getByRole('link', { name: /Registrera/ }).count()).toBe(0);
    await checkPage(page, 'viewer-calendar', results);
    await page.goto(`${api.baseUrl}/admin/driftstopp/${windowId}`);
    expect(await page.getByRole('link', { name: /Flytta|Ställ in/ }).count()).toBe(0);
    await checkPage(page, 'viewer-window', results);
    await page.goto(`${api.baseUrl}/admin/mottagare`);
    expect(await changeForms()).toBe(0);
    await checkPage(page, 'viewer-recipients', results);
    for (const path of ['/admin/driftstopp/ny', `/admin/driftstopp/${windowId}/stall-in`, `/admin/driftstopp/${windowId}/flytta`]) {
      const response = await page.goto(`${api.baseUrl}${path}`);
      expect(response?.status(), path).toBe(403);
      expect(await page.locator('h1').textContent()).toBe('Åtkomst nekad');
    }
    await checkPage(page, 'viewer-forbidden', results);
    expect(problems).toEqual([]);
  });

  it('when a viewer posts a change with a valid CSRF token, then it is refused with 403 and nothing changes', async () => {
    const response = await post(`/admin/driftstopp/${windowId}/stall-in`, await cookieOf(viewer), { _csrf: await csrfOf(viewer), skal: 'Försök' });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('läsbehörighet');
    expect(await status()).toBe('scheduled');
  });

  it('when a change is posted without a CSRF token, with another session\'s token or from another site, then it is refused with 403 and nothing changes', async () => {
    const cookie = await cookieOf(admin);
    const token = await csrfOf(admin);
    const cancel = `/admin/driftstopp/${windowId}/stall-in`;
    const attempts = [
      await post(cancel, cookie, { skal: 'Förfalskad' }),
      await post(cancel, cookie, { _csrf: await csrfOf(viewer), skal: 'Förfalskad' }),
      await post(cancel, cookie, { _csrf: token, skal: 'Förfalskad' }, { origin: 'http://evil.example' }),
      await post(cancel, cookie, { _csrf: token, skal: 'Förfalskad' }, { 'sec-fetch-site': 'cross-site' }),
      await post('/admin/mottagare', cookie, { typ: 'manager', namn: 'Mallory', epost: 'mallory@evil.example', system: 'tes' }),
    ];
    // Signing in is a change too: without the form's token, no session is given out.
    const signIn = await post('/admin/logga-in', '', { token: ADMIN_TOKEN, next: '/admin' });
    expect(signIn.headers.get('set-cookie') ?? '').not.toContain('driftstopp_admin=');
    attempts.push(signIn);
    for (const response of attempts) {
      expect(response.status).toBe(403);
      expect(response.headers.get('content-type')).toContain('text/html');
    }
    expect(await status()).toBe('scheduled');
    expect((await api.request('GET', '/api/recipients')).body.items).toEqual([]);

    // The same request with the token and from the page's own origin goes through.
    const genuine = await post(cancel, cookie, { _csrf: token, skal: 'Leverantören sköt upp' }, { origin: api.baseUrl });
    expect(genuine.status).toBe(303);
    expect(await status()).toBe('cancelled');
  });

  it('when the session cookie is missing, tampered with or signed out, then pages send the browser to sign in', async () => {
    const [session] = (await admin.cookies(`${api.baseUrl}/admin`)).filter((c) => c.name === 'driftstopp_admin');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin', secure: false });

    const anonymous = await fetch(`${api.baseUrl}/admin/mottagare`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/admin/logga-in?next=%2Fadmin%2Fmottagare');

    // A viewer who rewrites the role in the cookie breaks its signature.
    const viewerCookie = await cookieOf(viewer);
    const forged = viewerCookie.replace(/driftstopp_admin=([^.;]+)/, (_m, payload: string) => {
      const data = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      return `driftstopp_admin=${Buffer.from(JSON.stringify({ ...data, r: 'admin' })).toString('base64url')}`;
    });
    expect(forged).not.toBe(viewerCookie);
    expect((await fetch(`${api.baseUrl}/admin/driftstopp/ny`, { redirect: 'manual', headers: { cookie: forged } })).status).toBe(303);

    // After signing out, the old cookie opens nothing, even if it was copied before.
    const page = viewer.pages()[0]!;
    await page.goto(`${api.baseUrl}/admin`);
    await page.getByRole('button', { name: 'Logga ut' }).click();
    await page.waitForURL(/\/admin\/logga-in/);
    expect((await fetch(`${api.baseUrl}/admin`, { redirect: 'manual', headers: { cookie: viewerCookie } })).status).toBe(303);
    // Nor on another replica, or on this one after a restart: the sign-out is kept in the database.
    const replica = await startTestApi(database.db, { now: NOW });
    try {
      expect((await fetch(`${replica.baseUrl}/admin`, { redirect: 'manual', headers: { cookie: viewerCookie } })).status).toBe(303);
      // While the admin, still signed in, is let in there as well.
      expect((await fetch(`${replica.baseUrl}/admin`, { redirect: 'manual', headers: { cookie: await cookieOf(admin) } })).status).toBe(200);
    } finally {
      await replica.close();
    }
  });
});
