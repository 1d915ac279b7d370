import ICAL from 'ical.js';
import { afterEach, describe, expect, it } from 'vitest';
import { buildInvite, inviteFilename, inviteTemplate, inviteUid, type InviteInput } from '../../src/messages/calendar-invite.js';
import { aWindow, local, policy } from './fixtures.js';

const organizer = { name: 'Driftstopp Örebro kommun', email: 'driftstopp@orebro.se' };
const stamp = new Date('2027-03-01T07:00:00Z');

function invite(overrides: Partial<InviteInput> = {}): string {
  return buildInvite({ window: aWindow(), policy, method: 'REQUEST', organizer, stamp, ...overrides });
}

/** Parses the .ics the way a calendar client does, resolving TZID through the file's own VTIMEZONE. */
function parse(ics: string) {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  const vtimezone = calendar.getFirstSubcomponent('vtimezone');
  const event = calendar.getFirstSubcomponent('vevent');
  if (!vtimezone || !event) throw new Error('missing VTIMEZONE or VEVENT');
  const zone = new ICAL.Timezone(vtimezone);
  const time = (name: 'dtstart' | 'dtend') => {
    const property = event.getFirstProperty(name)!;
    const value = property.getFirstValue() as ICAL.Time;
    const resolved = value.clone();
    resolved.zone = zone;
    return { tzid: property.getParameter('tzid'), wallClock: value.toString(), utc: resolved.toJSDate().toISOString() };
  };
  return {
    calendar,
    event,
    method: calendar.getFirstPropertyValue('method'),
    events: calendar.getAllSubcomponents('vevent').length,
    uid: event.getFirstPropertyValue('uid'),
    sequence: event.getFirstPropertyValue('sequence'),
    status: event.getFirstPropertyValue('status'),
    summary: event.getFirstPropertyValue('summary') as string,
    description: event.getFirstPropertyValue('description') as string,
    organizer: event.getFirstPropertyValue('organizer'),
    stamp: event.getFirstProperty('dtstamp')!.toICALString(),
    start: time('dtstart'),
    end: time('dtend'),
  };
}

describe('buildInvite', () => {
  it('when a window is first announced, then it is one REQUEST event with a stable UID and SEQUENCE 0', () => {
    const ics = parse(invite());
    expect(ics.method).toBe('REQUEST');
    expect(ics.events).toBe(1);
    expect(ics.uid).toBe('driftstopp-6f1c2b1e-2f4a-4c55-9d0e-0a8f1b2c3d4e@driftstopp.orebro.se');
    expect(ics.uid).toBe(inviteUid(aWindow().id));
    expect(ics.sequence).toBe(0);
    expect(ics.status).toBe('CONFIRMED');
    expect(ics.organizer).toBe('mailto:driftstopp@orebro.se');
    expect(ics.summary).toBe('Planerat driftstopp i Tes och CareApp: Uppgradering av Tes');
    expect(ics.description).toContain('tisdag 30 mars 2027 kl. 09.00–12.00');
    expect(ics.description).toContain(policy.support.internalRoutinesReminder);
  });

  it.each([
    ['before summer time', '2027-03-23', '2027-03-23T08:00:00.000Z', '2027-03-23T11:00:00.000Z'],
    ['just after summer time starts', '2027-03-30', '2027-03-30T07:00:00.000Z', '2027-03-30T10:00:00.000Z'],
    ['in the last week of summer time', '2027-10-26', '2027-10-26T07:00:00.000Z', '2027-10-26T10:00:00.000Z'],
    ['just after summer time ends', '2027-11-02', '2027-11-02T08:00:00.000Z', '2027-11-02T11:00:00.000Z'],
    ['in January, before the year\'s first transition', '2027-01-12', '2027-01-12T08:00:00.000Z', '2027-01-12T11:00:00.000Z'],
  ])('when the window is %s (%s), then DTSTART is 09:00 Europe/Stockholm at the right UTC instant', (_label, date, startUtc, endUtc) => {
    const ics = parse(invite({ window: aWindow({ start: local(`${date}T09:00`), end: local(`${date}T12:00`) }) }));
    expect(ics.start).toEqual({ tzid: 'Europe/Stockholm', wallClock: `${date}T09:00:00`, utc: startUtc });
    expect(ics.end).toEqual({ tzid: 'Europe/Stockholm', wallClock: `${date}T12:00:00`, utc: endUtc });
  });

  it('when a window runs through the night summer time ends, then start and end use their own offsets', () => {
    const ics = parse(invite({ window: aWindow({ start: local('2027-10-30T22:00'), end: local('2027-10-31T06:00') }) }));
    expect(ics.start.utc).toBe('2027-10-30T20:00:00.000Z');
    expect(ics.end).toEqual({ tzid: 'Europe/Stockholm', wallClock: '2027-10-31T06:00:00', utc: '2027-10-31T05:00:00.000Z' });
  });

  it('when the window was changed twice, then SEQUENCE is revision − 1 and the UID is unchanged', () => {
    const first = parse(invite());
    const changed = parse(invite({ window: aWindow({ revision: 3, start: local('2027-04-06T09:00'), end: local('2027-04-06T12:00') }) }));
    expect(changed.sequence).toBe(2);
    expect(changed.uid).toBe(first.uid);
  });

  it('when the window is cancelled, then METHOD:CANCEL and STATUS:CANCELLED carry the same UID and a higher SEQUENCE', () => {
    const request = parse(invite());
    const cancel = parse(invite({ method: 'CANCEL', window: aWindow({ revision: 2, cancelReason: 'Uppgraderingen skjuts upp.' }) }));
    expect(cancel.method).toBe('CANCEL');
    expect(cancel.status).toBe('CANCELLED');
    expect(cancel.uid).toBe(request.uid);
    expect(cancel.sequence).toBe(1);
    expect(cancel.summary.startsWith('Inställt: ')).toBe(true);
    expect(cancel.description).toContain('Orsak: Uppgraderingen skjuts upp.');
  });

  it('when an attendee is given, then the event lists that address with RSVP=FALSE', () => {
    const text = invite({ attendee: { name: 'Anna Chef', email: 'anna.chef@orebro.se' } });
    const ics = parse(text);
    const attendees = ics.event.getAllProperties('attendee');
    expect(attendees).toHaveLength(1);
    expect(String(attendees[0]!.getFirstValue()).toLowerCase()).toBe('mailto:anna.chef@orebro.se');
    expect(attendees[0]!.getParameter('cn')).toBe('Anna Chef');
    expect(attendees[0]!.getParameter('rsvp')).toBe('FALSE');
    expect(text).toMatch(/^ATTENDEE;RSVP=FALSE;/m);
  });

  it('when the invite is made, then it books nobody busy, has no alarm and names the sender as organizer', () => {
    const text = invite({ attendee: { name: 'Anna Chef', email: 'anna.chef@orebro.se' } });
    const ics = parse(text);
    expect(ics.event.getFirstPropertyValue('transp')).toBe('TRANSPARENT');
    expect(text).toContain('TRANSP:TRANSPARENT\r\n');
    expect(text).toContain('X-MICROSOFT-CDO-BUSYSTATUS:FREE\r\n');
    expect(ics.event.getAllSubcomponents('valarm')).toHaveLength(0);
    expect(text).not.toContain('VALARM');
    expect(ics.organizer).toBe('mailto:driftstopp@orebro.se');
    expect(ics.event.getFirstProperty('organizer')!.getParameter('cn')).toBe('Driftstopp Örebro kommun');
  });

  it('when a recipient has a long name with quotes and letters outside ASCII, then the attendee line is folded and quoted so it parses back', () => {
    const name = 'Åsa Öberg-Lindqvist, "enhetschef" för hemtjänsten i Västra distriktet';
    const text = invite({ attendee: { name, email: 'asa.oberg@orebro.se' } });
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    const attendee = parse(text).event.getFirstProperty('attendee')!;
    expect(attendee.getParameter('cn')).toBe(name.replaceAll('"', "'"));
    expect(String(attendee.getFirstValue())).toBe('mailto:asa.oberg@orebro.se');
  });

  it('when one template is written for two recipients, then each copy names only its own recipient and the rest is the same', () => {
    const template = inviteTemplate({ window: aWindow(), policy, method: 'REQUEST', organizer, stamp });
    const [anna, bo] = [template.forAttendee({ name: 'Anna', email: 'anna@orebro.se' }), template.forAttendee({ name: 'Bo', email: 'bo@orebro.se' })];
    expect(parse(anna).event.getAllProperties('attendee').map((p) => String(p.getFirstValue()))).toEqual(['mailto:anna@orebro.se']);
    expect(parse(bo).event.getAllProperties('attendee').map((p) => String(p.getFirstValue()))).toEqual(['mailto:bo@orebro.se']);
    const withoutAttendee = (ics: string) => ics.replace(/^ATTENDEE[^\r]*\r\n( [^\r]*\r\n)*/m, '');
    expect(withoutAttendee(anna)).toBe(withoutAttendee(bo));
    expect(anna).toBe(invite({ attendee: { name: 'Anna', email: 'anna@orebro.se' } }));
  });

  it('when the file is named, then the name says driftstopp, the systems and the local start date', () => {
    expect(inviteFilename(aWindow({ systems: ['tes'] }), policy.timezone)).toBe('driftstopp-tes-2027-03-30.ics');
    expect(inviteFilename(aWindow(), policy.timezone)).toBe('driftstopp-tes-careapp-2027-03-30.ics');
    // 00.30 local on 31 March is still 30 March in UTC: the local date counts.
    expect(inviteFilename(aWindow({ start: local('2027-03-31T00:30') }), policy.timezone)).toBe('driftstopp-tes-careapp-2027-03-31.ics');
  });

  it('when Eget Val get the invitation, then its description has the external number only and no staff note', () => {
    const provider = parse(invite({ audience: 'egetval' })).description;
    expect(provider).toContain('019-21 20 00');
    expect(provider).not.toContain('internt');
    expect(provider).not.toContain(policy.support.internalRoutinesReminder);
    expect(parse(invite({ audience: 'managers' })).description).toContain('internt 2000');
  });

  it('when one system is affected, then the description speaks of it in the singular', () => {
    const description = parse(invite({ window: aWindow({ systems: ['tes'] }) })).description;
    expect(description).toContain('Systemet går inte att använda');
    expect(description).not.toMatch(/systemen/i);
  });

  it('when the invite is made, then DTSTAMP is in UTC as RFC 5545 requires', () => {
    expect(parse(invite()).stamp).toBe('DTSTAMP:20270301T070000Z');
  });

  it('when a title carries line breaks, then the summary is one line', () => {
    const ics = parse(invite({ window: aWindow({ title: 'Uppgradering\r\nav Tes' }) }));
    expect(ics.summary).toBe('Planerat driftstopp i Tes och CareApp: Uppgradering av Tes');
  });
});

describe('buildInvite on a server outside Sweden', () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  it('when the process runs in New York time, then DTSTART is still 09:00 Stockholm time', () => {
    // ical-generator formats a JS Date in the process's zone once a TZID is set; luxon values avoid that.
    process.env.TZ = 'America/New_York';
    expect(new Date('2027-03-30T07:00:00Z').getHours()).toBe(3);
    expect(invite()).toContain('DTSTART;TZID=Europe/Stockholm:20270330T090000');
  });
});
