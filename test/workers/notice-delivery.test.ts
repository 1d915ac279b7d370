import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../support/database.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';
import { DELIVERY_TEST_OVERLAP } from '../support/notice-fixtures.js';

/** The next Tuesday or Wednesday at least two days ahead, 09:00–11:00 local: always short notice. */
function soonSlot(daysAhead = 2): { start: string; end: string } {
  let day = DateTime.now().setZone('Europe/Stockholm').startOf('day').plus({ days: daysAhead });
  while (![2, 3].includes(day.weekday)) day = day.plus({ days: 1 });
  return { start: day.set({ hour: 9 }).toISO()!, end: day.set({ hour: 11 }).toISO()! };
}

function inviteOf(mail: { parsed: { attachments: { filename?: string; content: Buffer }[] } }) {
  const attachment = mail.parsed.attachments.find((a) => /^driftstopp-[a-z-]+-\d{4}-\d{2}-\d{2}\.ics$/.test(a.filename ?? ''));
  if (!attachment) throw new Error('no .ics named after the window');
  const text = attachment.content.toString('utf8');
  const calendar = new ICAL.Component(ICAL.parse(text));
  const event = calendar.getFirstSubcomponent('vevent')!;
  return {
    text,
    filename: attachment.filename,
    attendees: event.getAllProperties('attendee').map((p) => ({ address: String(p.getFirstValue()), rsvp: p.getParameter('rsvp') })),
    transp: event.getFirstPropertyValue('transp'),
    alarms: event.getAllSubcomponents('valarm').length,
    method: calendar.getFirstPropertyValue('method'),
    uid: event.getFirstPropertyValue('uid'),
    sequence: Number(event.getFirstPropertyValue('sequence')),
    tzid: event.getFirstProperty('dtstart')!.getParameter('tzid'),
    start: event.getFirstPropertyValue('dtstart') as ICAL.Time,
    end: event.getFirstPropertyValue('dtend') as ICAL.Time,
  };
}

describe.each(testBackends)('notices reach the right people on $name', (backend) => {
  let stack: TestStack;
  const recipients = [
    { kind: 'manager', name: 'Anna Chef', email: 'anna@orebro.se', systems: ['tes'] },
    { kind: 'manager', name: 'Bo Chef', email: 'bo@orebro.se', systems: ['careapp', 'carelock'] },
    { kind: 'manager', name: 'Cecilia Låschef', email: 'cecilia@orebro.se', systems: ['carelock'] },
    { kind: 'provider', name: 'Omsorg AB', email: 'info@omsorg.example', systems: ['tes'] },
    { kind: 'provider', name: 'Lås & Hem AB', email: 'hem@lashem.example', systems: ['carelock'] },
  ];

  beforeAll(async () => {
    stack = await startTestStack(backend);
    for (const r of recipients) {
      const res = await stack.api.request('POST', '/api/recipients', { body: r });
      expect(res.status).toBe(201);
    }
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const deliveredTo = (subjectStart: string) =>
    stack.smtp.received.filter((m) => m.parsed.subject?.startsWith(subjectStart)).flatMap((m) => m.to).sort();

  it('when a short-notice window is registered, then exactly the subscribed managers and providers get it once, with an invitation in local time', async () => {
    const slot = soonSlot();
    const res = await stack.api.request('POST', '/api/windows', {
      body: { title: 'Uppgradering av Tes och CareApp', systems: ['tes', 'careapp'], kind: 'minor', ...slot, shortNotice: { reason: 'Säkerhetsuppdatering' }, allowOverlap: DELIVERY_TEST_OVERLAP },
    });
    expect(res.status).toBe(201);
    await stack.smtp.waitFor(3);
    const window = await eventually(
      async () => (await stack.api.request('GET', `/api/windows/${res.body.id}`)).body,
      (w: any) => ['managers', 'egetval'].every((a) => w.notices.find((n: any) => n.audience === a && n.kind === 'announcement').status === 'sent'),
    );
    expect(deliveredTo('Planerat driftstopp')).toEqual(['anna@orebro.se', 'bo@orebro.se', 'info@omsorg.example']);

    const mail = stack.smtp.received.find((m) => m.to.includes('anna@orebro.se'))!;
    expect(mail.parsed.subject).toContain('Tes och CareApp');
    expect(mail.parsed.html).toContain('Uppgradering av Tes och CareApp');
    expect(mail.parsed.text).toContain('019-21 20 00');
    expect(mail.parsed.messageId).toMatch(/@orebro\.se>?$/);
    const invite = inviteOf(mail);
    expect(invite.method).toBe('REQUEST');
    expect(invite.uid).toContain(window.id);
    expect(invite.sequence).toBe(0);
    expect(invite.tzid).toBe('Europe/Stockholm');
    expect(invite.start.hour).toBe(9);
    expect(invite.end.hour).toBe(11);
    expect(invite.start.toJSDate().toISOString()).toBe(new Date(slot.start).toISOString());
    expect(invite.end.toJSDate().toISOString()).toBe(new Date(slot.end).toISOString());
    // Each copy names its own recipient, asks no reply and books nobody busy.
    expect(invite.filename).toBe(`driftstopp-tes-careapp-${slot.start.slice(0, 10)}.ics`);
    expect(invite.attendees).toEqual([{ address: 'mailto:anna@orebro.se', rsvp: 'FALSE' }]);
    expect(invite.text).toMatch(/^ATTENDEE;RSVP=FALSE;/m);
    expect(invite.transp).toBe('TRANSPARENT');
    expect(invite.alarms).toBe(0);
    const provider = inviteOf(stack.smtp.received.find((m) => m.to.includes('info@omsorg.example'))!);
    expect(provider.attendees).toEqual([{ address: 'mailto:info@omsorg.example', rsvp: 'FALSE' }]);
    expect(provider.uid).toBe(invite.uid);
  });

  it('when a told window is moved and then cancelled, then those told get an update with a higher SEQUENCE and then a CANCEL, and nobody else hears of it', async () => {
    const slot = soonSlot(3);
    const created = await stack.api.request('POST', '/api/windows', {
      body: { title: 'Byte av låsservrar', systems: ['carelock'], kind: 'minor', ...slot, shortNotice: { reason: 'Leverantörens tidsplan' }, allowOverlap: DELIVERY_TEST_OVERLAP },
    });
    expect(created.status).toBe(201);
    const told = ['bo@orebro.se', 'cecilia@orebro.se', 'hem@lashem.example'];
    await eventually(async () => deliveredTo('Planerat driftstopp: CareLock'), (to) => to.length === told.length);
    expect(deliveredTo('Planerat driftstopp: CareLock')).toEqual(told);

    const later = soonSlot(10);
    const moved = await stack.api.request('PATCH', `/api/windows/${created.body.id}`, {
      body: { start: DateTime.fromISO(later.start, { setZone: true }).set({ hour: 10 }).toISO(), end: DateTime.fromISO(later.end, { setZone: true }).set({ hour: 12 }).toISO(), shortNotice: { reason: 'Leverantören flyttade' }, allowOverlap: DELIVERY_TEST_OVERLAP },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.revision).toBe(2);
    const updates = await eventually(
      async () => stack.smtp.received.filter((m) => m.parsed.subject?.startsWith('Ändrad tid')),
      (mails) => mails.length === told.length,
    );
    expect(updates.flatMap((m) => m.to).sort()).toEqual(told);
    const update = inviteOf(updates[0]!);
    expect(update).toMatchObject({ method: 'REQUEST', sequence: 1 });
    expect(update.uid).toContain(created.body.id);
    expect(update.start.hour).toBe(10);

    const cancelled = await stack.api.request('POST', `/api/windows/${created.body.id}/cancel`, { body: { reason: 'Leverantören ställde in' } });
    expect(cancelled.status).toBe(200);
    const cancellations = await eventually(
      async () => stack.smtp.received.filter((m) => m.parsed.subject?.startsWith('Inställt')),
      (mails) => mails.length === told.length,
    );
    expect(cancellations.flatMap((m) => m.to).sort()).toEqual(told);
    const cancel = inviteOf(cancellations[0]!);
    expect(cancel).toMatchObject({ method: 'CANCEL', sequence: 2 });
    expect(cancel.text).toContain('STATUS:CANCELLED');
    expect(cancel.attendees.map((a) => a.address)).toEqual([`mailto:${cancellations[0]!.to[0]}`]);
    expect(cancel.uid).toBe(update.uid);
    // Anna and Omsorg AB subscribe to Tes only: nothing of this CareLock window reached them.
    expect(stack.smtp.received.filter((m) => m.parsed.subject?.includes('CareLock')).flatMap((m) => m.to)).not.toContain('anna@orebro.se');
    expect(stack.smtp.received.filter((m) => m.parsed.subject?.includes('CareLock')).flatMap((m) => m.to)).not.toContain('info@omsorg.example');
  });

  it('when a window names only Tes, then the subscribers of CareApp, which depends on it, are told too, and one subscribed to both once', async () => {
    const both = await stack.api.request('POST', '/api/recipients', {
      body: { kind: 'manager', name: 'Dora Chef', email: 'dora@orebro.se', systems: ['tes', 'careapp'] },
    });
    expect(both.status).toBe(201);
    const slot = soonSlot();
    // Noon to two, so it does not overlap the morning windows of the tests before.
    const at = (iso: string, hour: number) => DateTime.fromISO(iso, { setZone: true }).set({ hour }).toISO();
    const res = await stack.api.request('POST', '/api/windows', {
      body: { title: 'Databasbyte i Tes', systems: ['tes'], kind: 'minor', start: at(slot.start, 12), end: at(slot.end, 14), shortNotice: { reason: 'Leverantörens tidsplan' }, allowOverlap: DELIVERY_TEST_OVERLAP },
    });
    expect(res.status).toBe(201);
    const subject = 'Planerat driftstopp: Tes (och därmed CareApp)';
    const told = ['anna@orebro.se', 'bo@orebro.se', 'dora@orebro.se', 'info@omsorg.example'];
    await eventually(async () => deliveredTo(subject), (to) => to.length >= told.length);
    await eventually(
      async () => (await stack.api.request('GET', `/api/windows/${res.body.id}`)).body,
      (w: any) => ['managers', 'egetval'].every((a) => w.notices.find((n: any) => n.audience === a && n.kind === 'announcement').status === 'sent'),
    );
    expect(deliveredTo(subject)).toEqual(told);
  });
});
