import { parseFeed } from '@rowanmanning/feed-parser';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inviteUid } from '../../src/messages/calendar-invite.js';
import type { WindowRow } from '../../src/storage/schema.js';
import { testBackends, type TestDatabase } from '../support/database.js';
import { arrangeCancelledWindow, arrangeNotice, arrangeWindow, local, publicMarkupProblems, policy, PUBLIC_BASE_URL, startPublicApi, type PublicTestApi } from './public-fixtures.js';

const PATHS = ['/public/driftstopp', '/public/driftstopp.ics', '/public/driftstopp.atom', '/public/driftstopp.json'];
const NOW = '2027-03-22T10:00';
const SCRIPT_TITLE = 'Uppgradering av Tes & CareApp <script>alert("x")</script>';

/** Each VEVENT as a calendar client reads it, times resolved through the file's own VTIMEZONE. */
function parseIcs(ics: string) {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  const vtimezone = calendar.getFirstSubcomponent('vtimezone');
  const zone = vtimezone ? new ICAL.Timezone(vtimezone) : null;
  const events = calendar.getAllSubcomponents('vevent').map((event) => {
    const start = event.getFirstProperty('dtstart')!;
    const value = (start.getFirstValue() as ICAL.Time).clone();
    if (zone) value.zone = zone;
    return {
      uid: event.getFirstPropertyValue('uid'),
      sequence: event.getFirstPropertyValue('sequence'),
      status: event.getFirstPropertyValue('status'),
      summary: event.getFirstPropertyValue('summary') as string,
      tzid: start.getParameter('tzid'),
      wallClock: (start.getFirstValue() as ICAL.Time).toString(),
      utc: value.toJSDate().toISOString(),
    };
  });
  return { name: calendar.getFirstPropertyValue('x-wr-calname'), method: calendar.getFirstPropertyValue('method'), events };
}

describe.each(testBackends)('the public page and feeds on $name', (backend) => {
  describe('when windows are in every state of publication', () => {
    let database: TestDatabase;
    let api: PublicTestApi;
    let published: WindowRow;
    let cancelled: WindowRow;
    let rescheduled: WindowRow;

    beforeAll(async () => {
      database = await backend.open();
      const db = database.db;
      // Not yet told: the public notice is pending, or only managers have been told.
      const farAhead = await arrangeWindow(db, { title: 'Inte publicerat än', start_at: local('2027-06-15T09:00'), end_at: local('2027-06-15T12:00') });
      await arrangeNotice(db, farAhead);
      await arrangeNotice(db, farAhead, { audience: 'managers', lead_days: 14, sentAt: local('2027-03-18T08:00') });
      // Fanned out, then withdrawn before anything left: never published.
      const withdrawn = await arrangeWindow(db, { title: 'Återkallat', start_at: local('2027-04-13T09:00'), end_at: local('2027-04-13T12:00') });
      await arrangeNotice(db, withdrawn, { status: 'cancelled', dispatched_at: local('2027-03-21T08:00') });
      // Told, but over.
      const ended = await arrangeWindow(db, { title: 'Redan genomfört', start_at: local('2027-03-16T09:00'), end_at: local('2027-03-16T12:00') });
      await arrangeNotice(db, ended, { sentAt: local('2027-03-09T08:00') });

      published = await arrangeWindow(db, { title: SCRIPT_TITLE, start_at: local('2027-03-30T09:00'), end_at: local('2027-03-30T12:00') });
      await arrangeNotice(db, published, { sentAt: local('2027-03-19T08:00') });
      cancelled = await arrangeCancelledWindow(
        db,
        { title: 'Byte av låsservrar', systems: ['carelock'], start_at: local('2027-03-31T09:00'), end_at: local('2027-03-31T11:00') },
        { announcedAt: '2027-03-15T08:00', cancelledAt: '2027-03-20T08:00' },
      );
      // Moved: the update has been fanned out and its webhook is still retrying.
      rescheduled = await arrangeWindow(db, {
        title: 'Uppdatering av CareLock',
        systems: ['carelock'],
        start_at: local('2027-04-07T09:00'),
        end_at: local('2027-04-07T12:00'),
        revision: 2,
        updated_at: local('2027-03-17T12:00'),
      });
      await arrangeNotice(db, rescheduled, { revision: 1, sentAt: local('2027-03-10T08:00') });
      await arrangeNotice(db, rescheduled, {
        revision: 2,
        kind: 'update',
        previous_start_at: local('2027-03-24T09:00'),
        previous_end_at: local('2027-03-24T12:00'),
        dispatched_at: local('2027-03-18T08:00'),
      });
      api = await startPublicApi(db, NOW);
    });
    afterAll(async () => {
      await api?.close();
      await database?.close();
    });

    it('then the JSON lists exactly the published windows not yet ended, newest information first', async () => {
      const response = await api.get('/public/driftstopp.json');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const body = JSON.parse(response.text);
      expect(body.items.map((item: { id: string }) => item.id)).toEqual([cancelled.id, published.id, rescheduled.id]);
      expect(body.updated).toBe('2027-03-20T08:05:00+01:00');
      expect(body.items[1]).toEqual({
        id: published.id,
        title: SCRIPT_TITLE,
        description: 'Tes uppgraderas till version 24.2.',
        systems: [
          { id: 'tes', name: 'Tes' },
          { id: 'careapp', name: 'CareApp' },
        ],
        kind: 'minor',
        start: '2027-03-30T09:00:00+02:00',
        end: '2027-03-30T12:00:00+02:00',
        status: 'scheduled',
        revision: 1,
        cancelReason: null,
        publishedAt: '2027-03-19T08:00:00+01:00',
      });
      expect(body.items[0]).toMatchObject({ status: 'cancelled', cancelReason: 'Leverantören är inte klar', revision: 2 });
    });

    it('then the calendar has one event per published window with the invitation UID, SEQUENCE and status, at 09:00 in Stockholm', async () => {
      const response = await api.get('/public/driftstopp.ics');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
      const ics = parseIcs(response.text);
      expect(ics.name).toBe('Driftstopp och driftstörningar – Örebro kommun');
      expect(ics.method).toBeNull();
      expect(response.text.endsWith('END:VCALENDAR\r\n')).toBe(true);
      expect(ics.events.map((event) => event.uid)).toEqual([inviteUid(cancelled.id), inviteUid(published.id), inviteUid(rescheduled.id)]);
      const [gone, planned, moved] = ics.events;
      expect(planned).toMatchObject({ sequence: 0, status: 'CONFIRMED', tzid: 'Europe/Stockholm', wallClock: '2027-03-30T09:00:00', utc: '2027-03-30T07:00:00.000Z' });
      expect(planned!.summary).toBe(`Planerat driftstopp i Tes och CareApp tisdag 30 mars 2027 kl. 09.00–12.00: ${SCRIPT_TITLE}`);
      expect(gone).toMatchObject({ sequence: 1, status: 'CANCELLED', wallClock: '2027-03-31T09:00:00' });
      expect(moved).toMatchObject({ sequence: 1, status: 'CONFIRMED', wallClock: '2027-04-07T09:00:00' });
    });

    it('then the Atom feed parses, with one entry per published window and its title intact', async () => {
      const response = await api.get('/public/driftstopp.atom');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
      const feed = parseFeed(response.text);
      expect(feed.meta.type).toBe('atom');
      expect(feed.title).toBe('Driftstopp och driftstörningar – Örebro kommun');
      expect(feed.updated?.toISOString()).toBe('2027-03-20T07:05:00.000Z');
      expect(feed.items.map((item) => item.id)).toEqual([cancelled.id, published.id, rescheduled.id].map((id) => `urn:uuid:${id}`));
      const [gone, planned, moved] = feed.items;
      expect(planned!.title).toBe(`Planerat driftstopp i Tes och CareApp tisdag 30 mars 2027 kl. 09.00–12.00: ${SCRIPT_TITLE}`);
      expect(planned!.updated?.toISOString()).toBe('2027-03-19T07:00:00.000Z');
      expect(planned!.url).toBe(`${PUBLIC_BASE_URL}/public/driftstopp#driftstopp-${published.id}`);
      expect(gone!.title).toMatch(/^Inställt: planerat driftstopp i CareLock onsdag 31 mars 2027 kl\. 09\.00–11\.00/);
      expect(gone!.content).toContain('Orsak: Leverantören är inte klar');
      expect(moved!.content).toContain('Tidigare meddelad tid var onsdag 24 mars 2027 kl. 09.00–12.00');
      // The feeds are read by the public: no staff note, no internal number.
      for (const item of feed.items) {
        expect(item.content).not.toContain(policy.support.internalRoutinesReminder);
        expect(item.content).not.toContain('internt');
      }
    });

    it('then the page is valid, Swedish, escaped HTML with the time, the status and whom to call', async () => {
      const response = await api.get('/public/driftstopp');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = response.text;
      expect(Buffer.byteLength(html)).toBeLessThan(100 * 1024);
      expect(html).toMatch(/<html lang="sv">/);
      expect(html).toMatch(/<meta name="viewport"/);
      expect(html.match(/<h1>/g)).toHaveLength(1);
      expect(html).toContain('<a class="skip" href="#innehall">');
      expect(html).toContain('<main id="innehall">');
      expect(html).not.toMatch(/<script/i);
      expect(html).toContain('Uppgradering av Tes &amp; CareApp &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
      expect(html).toContain('tisdag 30 mars 2027 kl. 09.00–12.00');
      expect(html).toContain('019-21 20 00');
      // The page is for citizens: the staff note and the internal number are not there.
      expect(html).not.toContain(policy.support.internalRoutinesReminder);
      expect(html).not.toContain('internt');
      expect(html).not.toContain('endast för kommunanställda');
      expect(html).toContain(`<link rel="alternate" type="text/calendar" title="Driftinformation för hemtjänstens IT-system (kalender)" href="${PUBLIC_BASE_URL}/public/driftstopp.ics">`);
      expect(html).toContain(`href="${PUBLIC_BASE_URL}/public/driftstopp.atom"`);
      expect(html).toContain(`href="${PUBLIC_BASE_URL}/public/driftstopp.json"`);
      expect(html).not.toContain('Inte publicerat än');
      expect(html).not.toContain('Återkallat');
      // An ended window is history: listed under "Tidigare", not as a planned one.
      const planned = html.slice(html.indexOf('<h2 id="aktuella">'), html.indexOf('<h2 id="tidigare">'));
      const history = html.slice(html.indexOf('<h2 id="tidigare">'), html.indexOf('<h2 id="kontakt">'));
      expect(planned).not.toContain('Redan genomfört');
      expect(history).toContain('<strong>Redan genomfört</strong>');
      expect(history).toContain('tisdag 16 mars 2027 kl. 09.00–12.00. Genomfört.');
      expect(history).not.toContain('Återkallat');
      // The present first: each system's state before anything else.
      expect(html.indexOf('<h2 id="lage">Läget just nu</h2>')).toBeLessThan(html.indexOf('<h2 id="aktuella">'));
      expect(html).toContain('<li id="system-tes"><span class="name">Tes</span> <span class="state operational">I drift</span></li>');

      const article = (window: WindowRow) => new RegExp(`<article[^>]*id="driftstopp-${window.id}"[\\s\\S]*?</article>`).exec(html)?.[0] ?? '';
      expect(article(cancelled)).toContain('<span class="status">Inställt</span>');
      expect(article(cancelled)).toContain('Leverantören är inte klar');
      expect(article(rescheduled)).toContain('<span class="status">Ändrad tid</span>');
      expect(article(rescheduled)).toContain('onsdag 24 mars 2027 kl. 09.00–12.00');
      // The lock-fault line is for staff and providers (the policy's `for`), not the public page.
      expect(article(rescheduled)).not.toContain('backup-nyckeln');
      expect(article(published)).toContain('<span class="status">Planerat</span>');
      expect(article(published)).not.toContain('backup-nyckeln');

      expect(await publicMarkupProblems(html)).toEqual([]);
    });

    it.each(PATHS)('then %s answers a matching If-None-Match with an empty 304 and another tag with the body', async (path) => {
      const first = await api.get(path);
      const etag = first.headers.get('etag')!;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
      expect(first.headers.get('cache-control')).toBe('public, max-age=60');
      expect(first.headers.get('access-control-allow-origin')).toBe('*');
      expect((await api.get(path)).headers.get('etag')).toBe(etag);

      const cached = await api.get(path, { 'if-none-match': `"something-else", ${etag}` });
      expect(cached.status).toBe(304);
      expect(cached.text).toBe('');
      expect(cached.headers.get('etag')).toBe(etag);
      const stale = await api.get(path, { 'if-none-match': '"something-else"' });
      expect(stale.status).toBe(200);
      expect(stale.text).toBe(first.text);
    });

    it.each(PATHS)('then %s is Last-Modified at the newest publication and answers If-Modified-Since accordingly', async (path) => {
      const first = await api.get(path);
      const lastModified = first.headers.get('last-modified')!;
      // The page also tells whom to call now: its answer changed when Kommunsupport opened at 08.00 today.
      expect(lastModified).toBe(local(path === '/public/driftstopp' ? '2027-03-22T08:00' : '2027-03-20T08:05').toUTCString());
      const cached = await api.get(path, { 'if-modified-since': lastModified });
      expect(cached.status).toBe(304);
      expect(cached.text).toBe('');
      const older = await api.get(path, { 'if-modified-since': new Date(Date.parse(lastModified) - 1000).toUTCString() });
      expect(older.status).toBe(200);
      expect(older.text).toBe(first.text);
    });
  });

  describe('when time passes and notices go out', () => {
    let database: TestDatabase;
    let api: PublicTestApi;

    beforeAll(async () => {
      database = await backend.open();
      api = await startPublicApi(database.db, '2027-03-22T10:00');
    });
    afterAll(async () => {
      await api?.close();
      await database?.close();
    });

    it('then a window appears when its public notice goes out, reads "Pågår" once started, and drops off when over', async () => {
      const db = database.db;
      const empty = await api.get('/public/driftstopp');
      expect(empty.text).toContain('Just nu finns inga planerade driftstopp.');
      // Nothing published, but the page's "Vem ringer jag nu?" changed when Kommunsupport opened.
      expect(empty.headers.get('last-modified')).toBe(local('2027-03-22T08:00').toUTCString());

      const window = await arrangeWindow(db, { start_at: local('2027-03-30T09:00'), end_at: local('2027-03-30T12:00') });
      const notice = await arrangeNotice(db, window);
      expect((await api.get('/public/driftstopp')).headers.get('etag')).toBe(empty.headers.get('etag'));

      await db.updateTable('notices').set({ status: 'sent', dispatched_at: local('2027-03-22T09:30'), sent_at: local('2027-03-22T09:31') }).where('id', '=', notice.id).execute();
      const shown = await api.get('/public/driftstopp', { 'if-none-match': empty.headers.get('etag')! });
      expect(shown.status).toBe(200);
      expect(shown.text).toContain('<span class="status">Planerat</span>');
      expect(shown.headers.get('last-modified')).toBe(local('2027-03-22T09:30').toUTCString());

      api.setNow('2027-03-30T10:00');
      const ongoing = await api.get('/public/driftstopp', { 'if-modified-since': shown.headers.get('last-modified')! });
      expect(ongoing.status).toBe(200);
      expect(ongoing.text).toContain('<span class="status">Pågår</span>');
      expect(ongoing.headers.get('last-modified')).toBe(local('2027-03-30T09:00').toUTCString());

      api.setNow('2027-03-30T12:00');
      const over = await api.get('/public/driftstopp', { 'if-modified-since': ongoing.headers.get('last-modified')! });
      expect(over.status).toBe(200);
      expect(over.text).toContain('Just nu finns inga planerade driftstopp.');
      expect(over.headers.get('last-modified')).toBe(local('2027-03-30T12:00').toUTCString());
      const feed = parseFeed((await api.get('/public/driftstopp.atom')).text);
      expect(feed.items).toEqual([]);
      expect(parseIcs((await api.get('/public/driftstopp.ics')).text).events).toEqual([]);
      expect(JSON.parse((await api.get('/public/driftstopp.json')).text)).toEqual({ updated: '2027-03-30T12:00:00+02:00', items: [], disruptions: [] });
      // Over, it is history on the page for 90 days, then gone from it.
      expect(over.text).toContain('<strong>Uppgradering av Tes</strong>');
      api.setNow('2027-06-28T11:59');
      const later = await api.get('/public/driftstopp');
      expect(later.text).toContain('<strong>Uppgradering av Tes</strong>');
      api.setNow('2027-06-28T12:00');
      const gone = await api.get('/public/driftstopp', { 'if-modified-since': later.headers.get('last-modified')! });
      expect(gone.status).toBe(200);
      expect(gone.text).not.toContain('<strong>Uppgradering av Tes</strong>');
      expect(gone.text).toContain('Inga driftstopp eller driftstörningar de senaste 90 dagarna.');
      expect(gone.headers.get('last-modified')).toBe(local('2027-06-28T12:00').toUTCString());
    });
  });
});

describe.each(testBackends)('the public page and feeds reused for a moment on $name', (backend) => {
  let database: TestDatabase;
  let api: PublicTestApi;

  beforeAll(async () => {
    database = await backend.open();
    api = await startPublicApi(database.db, NOW, { cacheMs: 1000 });
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  it('when a window is published within the second an answer is reused, then readers get the same bytes until the second has passed, then the window', async () => {
    const before = await api.get('/public/driftstopp.json');
    const window = await arrangeWindow(database.db, { title: 'Publicerat nyss', start_at: local('2027-03-30T09:00'), end_at: local('2027-03-30T12:00') });
    await arrangeNotice(database.db, window, { sentAt: local('2027-03-22T09:59') });

    const within = await api.get('/public/driftstopp.json');
    api.setNow('2027-03-22T10:00:01');
    const after = await api.get('/public/driftstopp.json');

    expect(within.text).toBe(before.text);
    expect(within.headers.get('etag')).toBe(before.headers.get('etag'));
    expect(JSON.parse(before.text).items).toEqual([]);
    expect(JSON.parse(after.text).items.map((w: { id: string }) => w.id)).toEqual([window.id]);
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
  });
});
