import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_LINK_SECRET } from '../support/link-secret.js';
import { loadConfig } from '../../src/config.js';
import { noticeMessages } from '../../src/delivery/notice-messages.js';
import { testBackends } from '../support/database.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';
import { DELIVERY_TEST_OVERLAP } from '../support/notice-fixtures.js';

/** Each form of MAIL_FROM the contract names, with what a mail client must read from the From header and the invitation. */
const FORMS = [
  { form: 'a bare address', mailFrom: 'driftstopp@kommun.example', fromName: '', organizerName: 'Driftstopp Örebro kommun' },
  { form: 'Name <address>', mailFrom: 'Driftstopp <driftstopp@kommun.example>', fromName: 'Driftstopp', organizerName: 'Driftstopp' },
  { form: 'a quoted name with a comma', mailFrom: '"Efternamn, Förnamn" <driftstopp@kommun.example>', fromName: 'Efternamn, Förnamn', organizerName: 'Efternamn, Förnamn' },
  { form: 'a non-ASCII name', mailFrom: 'Örebro kommun – Vård & omsorg <driftstopp@kommun.example>', fromName: 'Örebro kommun – Vård & omsorg', organizerName: 'Örebro kommun – Vård & omsorg' },
];

/** The next Tuesday or Wednesday at least two days ahead, 09:00–11:00 local: always short notice. */
function soonSlot(): { start: string; end: string } {
  let day = DateTime.now().setZone('Europe/Stockholm').startOf('day').plus({ days: 2 });
  while (![2, 3].includes(day.weekday)) day = day.plus({ days: 1 });
  return { start: day.set({ hour: 9 }).toISO()!, end: day.set({ hour: 11 }).toISO()! };
}

const cases = testBackends.flatMap((backend) => FORMS.map((form) => ({ ...form, backend, name: backend.name })));

describe.each(cases)('when MAIL_FROM is $form ($mailFrom) on $name', ({ backend, mailFrom, fromName, organizerName }) => {
  let stack: TestStack;

  beforeAll(async () => {
    // The messages as `npm start` builds them: from the environment, through loadConfig.
    const config = loadConfig({ MAIL_FROM: mailFrom });
    stack = await startTestStack(backend, {
      messages: noticeMessages({ policy: config.policy, mailFrom: config.mailFrom, publicBaseUrl: config.publicBaseUrl, linkSecret: TEST_LINK_SECRET }),
    });
    const res = await stack.api.request('POST', '/api/recipients', { body: { kind: 'manager', name: 'Anna Chef', email: 'anna@kommun.example', systems: ['tes'] } });
    expect(res.status).toBe(201);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('then a short-notice window\'s e-mail is delivered with that sender and a valid invitation organised by it', async () => {
    const created = await stack.api.request('POST', '/api/windows', {
      body: { title: 'Uppgradering av Tes', systems: ['tes'], kind: 'minor', ...soonSlot(), shortNotice: { reason: 'Säkerhetsuppdatering' }, allowOverlap: DELIVERY_TEST_OVERLAP },
    });
    expect(created.status).toBe(201);
    await stack.smtp.waitFor(1);
    const window = await eventually(
      async () => (await stack.api.request('GET', `/api/windows/${created.body.id}`)).body,
      (w: any) => w.notices.find((n: any) => n.audience === 'managers' && n.kind === 'announcement').status === 'sent',
    );
    expect(window.notices.find((n: any) => n.audience === 'managers').status).toBe('sent');

    const mail = stack.smtp.received.find((m) => m.to.includes('anna@kommun.example'))!;
    expect(mail.parsed.from?.value).toEqual([{ name: fromName, address: 'driftstopp@kommun.example' }]);
    // Non-ASCII and the comma reach the wire encoded, never raw in a header.
    const fromLine = /^From: .*$/m.exec(mail.raw)![0];
    expect(fromLine).toMatch(/^[\x20-\x7e]+$/);

    const attachment = mail.parsed.attachments.find((a) => a.filename?.endsWith('.ics'))!;
    const calendar = new ICAL.Component(ICAL.parse(attachment.content.toString('utf8')));
    const event = calendar.getFirstSubcomponent('vevent')!;
    const organizer = event.getFirstProperty('organizer')!;
    expect(organizer.getParameter('cn')).toBe(organizerName);
    expect(String(organizer.getFirstValue()).toLowerCase()).toBe('mailto:driftstopp@kommun.example');
    expect(event.getFirstPropertyValue('uid')).toContain(created.body.id);
  });
});
