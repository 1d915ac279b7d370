import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { describe, expect, it } from 'vitest';
import { buildInvite, inviteFilename } from '../../src/messages/calendar-invite.js';
import { composeEmail, type ComposeEmailInput } from '../../src/messages/compose-email.js';
import { renderNotice } from '../../src/messages/render-notice.js';
import { aWindow, policy } from './fixtures.js';

const organizer = { name: 'Driftstopp', email: 'driftstopp@orebro.se' };
const to = { name: 'Anna Chef', email: 'anna.chef@orebro.se' };
const messageId = '<notice-1.recipient-7@orebro.se>';

function email(kind: 'announcement' | 'cancellation', overrides: Partial<ComposeEmailInput> = {}) {
  const window = aWindow(kind === 'cancellation' ? { revision: 2, cancelReason: 'Uppskjutet.' } : {});
  const method = kind === 'cancellation' ? 'CANCEL' : 'REQUEST';
  const content = renderNotice({ policy, window, audience: 'managers', kind });
  const invite = { content: buildInvite({ window, policy, method, organizer, attendee: to }), method, filename: inviteFilename(window, policy.timezone) } as const;
  return composeEmail({ content, to, from: 'Driftstopp <driftstopp@orebro.se>', messageId, invite, ...overrides });
}

/** The message as it goes over SMTP, and as a receiving client parses it. */
async function roundTrip(options: ReturnType<typeof composeEmail>) {
  const raw = await new MailComposer(options).compile().build();
  return { raw: raw.toString('utf8'), parsed: await simpleParser(raw) };
}

describe('composeEmail', () => {
  it('when a manager is sent an announcement, then subject, both parts, headers and the .ics named after the window come through', async () => {
    const { raw, parsed } = await roundTrip(email('announcement'));
    expect(parsed.messageId).toBe(messageId);
    expect(parsed.subject).toBe('Planerat driftstopp: Tes och CareApp tisdag 30 mars 2027 kl. 09.00–12.00');
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0] : undefined).toEqual({ name: 'Anna Chef', address: 'anna.chef@orebro.se' });
    expect(parsed.from?.value[0]).toEqual({ name: 'Driftstopp', address: 'driftstopp@orebro.se' });
    expect(parsed.html).toContain('019-21 20 00');
    expect(parsed.text).toContain(policy.support.internalRoutinesReminder);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(parsed.headers.get('x-auto-response-suppress')).toBe('All');

    expect(parsed.attachments.filter((a) => a.filename).map((a) => [a.filename, a.contentType])).toEqual([['driftstopp-tes-careapp-2027-03-30.ics', 'application/ics']]);
    const attachment = parsed.attachments.find((a) => a.filename === 'driftstopp-tes-careapp-2027-03-30.ics');
    expect(attachment).toBeDefined();
    const ics = attachment!.content.toString('utf8');
    expect(ics).toContain('METHOD:REQUEST');
    expect(ics).toContain('UID:driftstopp-6f1c2b1e-2f4a-4c55-9d0e-0a8f1b2c3d4e@driftstopp.orebro.se');

    // Exactly one part is the invitation a client acts on; the attachment is only a file.
    expect(raw.match(/Content-Type: text\/calendar/g)).toHaveLength(1);
    expect(raw).toContain('Content-Type: text/calendar; charset=utf-8; method=REQUEST');
  });

  it('when the window is cancelled, then the calendar part says method=CANCEL and the .ics says METHOD:CANCEL', async () => {
    const { raw, parsed } = await roundTrip(email('cancellation'));
    expect(parsed.subject?.startsWith('Inställt: ')).toBe(true);
    expect(raw).toContain('Content-Type: text/calendar; charset=utf-8; method=CANCEL');
    const ics = parsed.attachments.find((a) => a.filename === 'driftstopp-tes-careapp-2027-03-30.ics')!.content.toString('utf8');
    expect(ics).toContain('METHOD:CANCEL');
    expect(ics).toContain('STATUS:CANCELLED');
  });

  it('when no invite is given, then the e-mail has only its text and HTML parts', async () => {
    const { raw, parsed } = await roundTrip(email('announcement', { invite: undefined }));
    expect(parsed.attachments).toEqual([]);
    expect(raw).not.toContain('text/calendar');
    expect(parsed.html).toBeTruthy();
    expect(parsed.text).toBeTruthy();
  });

  it('when the subject has a line break, then it is refused rather than sent as a header', () => {
    const content = { subject: 'Hej\r\nBcc: x@y', html: '<p>x</p>', text: 'x' };
    expect(() => composeEmail({ content, to, from: organizer, messageId })).toThrow(/one line/);
  });
});
