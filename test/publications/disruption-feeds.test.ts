import { parseFeed } from '@rowanmanning/feed-parser';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, type TestDatabase } from '../support/database.js';
import { arrangeDisruption, arrangeDisruptionUpdate, local, PUBLIC_BASE_URL, startPublicApi, type PublicTestApi } from './public-fixtures.js';

/** Each VEVENT as a calendar client reads it, instants resolved through the file's own VTIMEZONE. */
function events(ics: string) {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  const vtimezone = calendar.getFirstSubcomponent('vtimezone');
  const zone = vtimezone ? new ICAL.Timezone(vtimezone) : null;
  const utc = (event: ICAL.Component, name: string) => {
    const value = (event.getFirstPropertyValue(name) as ICAL.Time).clone();
    if (zone) value.zone = zone;
    return value.toJSDate().toISOString();
  };
  return calendar.getAllSubcomponents('vevent').map((event) => ({
    uid: event.getFirstPropertyValue('uid'),
    sequence: event.getFirstPropertyValue('sequence'),
    summary: event.getFirstPropertyValue('summary') as string,
    description: event.getFirstPropertyValue('description') as string,
    start: utc(event, 'dtstart'),
    end: utc(event, 'dtend'),
  }));
}

describe.each(testBackends)('disruptions in the feeds on $name', (backend) => {
  let database: TestDatabase;
  let api: PublicTestApi;
  let ongoing: string;
  let resolved: string;

  beforeAll(async () => {
    database = await backend.open();
    const db = database.db;
    ongoing = await arrangeDisruption(db, { title: 'Tes går inte att nå', systems: ['tes'], at: '2027-03-30T19:30', message: 'Vi undersöker felet.' });
    await arrangeDisruptionUpdate(db, ongoing, 'identified', 'En databasserver har stannat.', '2027-03-30T19:40');
    resolved = await arrangeDisruption(db, { title: 'Låsen svarar inte', systems: ['carelock'], at: '2027-03-20T10:00', message: 'Låsen svarar inte.' });
    await arrangeDisruptionUpdate(db, resolved, 'resolved', 'Låsen fungerar igen.', '2027-03-20T11:00');
    // Resolved before the history period: in no feed.
    const old = await arrangeDisruption(db, { title: 'Gammalt fel', systems: ['tes'], at: '2026-12-01T10:00' });
    await arrangeDisruptionUpdate(db, old, 'resolved', 'Löst.', '2026-12-01T11:00');
    api = await startPublicApi(db, '2027-03-30T19:45');
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  it('when disruptions are told, then the Atom feed has one entry per update, each titled with its status and linked to the disruption', async () => {
    const response = await api.get('/public/driftstopp.atom');
    const feed = parseFeed(response.text);
    expect(feed.updated?.toISOString()).toBe(local('2027-03-30T19:40').toISOString());
    const entries = feed.items.map((item) => [item.title, item.updated?.toISOString()]);
    expect(entries).toEqual([
      ['Driftstörning i Tes (och därmed CareApp): Tes går inte att nå – Orsaken är känd', local('2027-03-30T19:40').toISOString()],
      ['Driftstörning i Tes (och därmed CareApp): Tes går inte att nå – Felsökning pågår', local('2027-03-30T19:30').toISOString()],
      ['Löst: driftstörning i CareLock: Låsen svarar inte', local('2027-03-20T11:00').toISOString()],
      ['Driftstörning i CareLock: Låsen svarar inte – Felsökning pågår', local('2027-03-20T10:00').toISOString()],
    ]);
    expect(new Set(feed.items.map((item) => item.id)).size).toBe(4);
    expect(feed.items[0]!.url).toBe(`${PUBLIC_BASE_URL}/public/driftstopp#driftstorning-${ongoing}`);
    expect(feed.items[0]!.content).toMatch(/^Orsaken är känd \(tisdag 30 mars 2027 kl\. 19\.40\): En databasserver har stannat\./);
    expect(feed.items[0]!.content).toContain('Alla uppdateringar:');
    expect(response.text).not.toContain('Gammalt fel');
  });

  it('when disruptions are told, then the calendar has one event per disruption from its start until resolved, or to the next full hour while it lasts', async () => {
    const calendar = events((await api.get('/public/driftstopp.ics')).text);
    expect(calendar.map((e) => [e.uid, e.sequence, e.start, e.end])).toEqual([
      [`driftstorning-${ongoing}@driftstopp.orebro.se`, 1, local('2027-03-30T19:30').toISOString(), local('2027-03-30T20:00').toISOString()],
      [`driftstorning-${resolved}@driftstopp.orebro.se`, 1, local('2027-03-20T10:00').toISOString(), local('2027-03-20T11:00').toISOString()],
    ]);
    expect(calendar[0]!.summary).toBe('Driftstörning i Tes (och därmed CareApp): Tes går inte att nå – Orsaken är känd');
    expect(calendar[1]!.summary).toBe('Löst: driftstörning i CareLock: Låsen svarar inte');

    // An hour on, the event has grown with it and the calendar says so by a new Last-Modified.
    api.setNow('2027-03-30T20:15');
    const later = await api.get('/public/driftstopp.ics');
    expect(events(later.text)[0]!.end).toBe(local('2027-03-30T21:00').toISOString());
    expect(later.headers.get('last-modified')).toBe(local('2027-03-30T20:00').toUTCString());
    api.setNow('2027-03-30T19:45');
  });

  it('when disruptions are told, then the JSON feed lists them with their updates, newest first', async () => {
    const body = JSON.parse((await api.get('/public/driftstopp.json')).text);
    expect(body.items).toEqual([]);
    expect(body.disruptions).toEqual([
      {
        id: ongoing,
        title: 'Tes går inte att nå',
        description: 'Det går inte att logga in.',
        systems: [{ id: 'tes', name: 'Tes' }],
        status: 'identified',
        start: '2027-03-30T19:30:00+02:00',
        resolvedAt: null,
        updates: [
          { status: 'identified', message: 'En databasserver har stannat.', at: '2027-03-30T19:40:00+02:00' },
          { status: 'investigating', message: 'Vi undersöker felet.', at: '2027-03-30T19:30:00+02:00' },
        ],
      },
      expect.objectContaining({ id: resolved, status: 'resolved', resolvedAt: '2027-03-20T11:00:00+01:00' }),
    ]);
  });

  it('when an update is recorded after the moment read, then no feed shows it yet', async () => {
    api.setNow('2027-03-30T19:35');
    const body = JSON.parse((await api.get('/public/driftstopp.json')).text);
    expect(body.disruptions[0].updates.map((u: { status: string }) => u.status)).toEqual(['investigating']);
    expect(body.disruptions[0].status).toBe('investigating');
    api.setNow('2027-03-30T19:45');
  });
});
