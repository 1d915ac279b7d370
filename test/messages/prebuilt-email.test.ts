import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import { buildInvite, inviteTemplate } from '../../src/messages/calendar-invite.js';
import { composeEmail, composeNotice } from '../../src/messages/compose-email.js';
import { linkSlots, personalParts } from '../../src/delivery/notice-messages.js';
import { verifyLink } from '../../src/links/link-tokens.js';
import { INVITE_SLOT, prebuildEmail } from '../../src/messages/prebuilt-email.js';
import { renderNotice } from '../../src/messages/render-notice.js';
import { aWindow, policy } from './fixtures.js';

const from = 'Driftstopp Örebro <driftstopp@orebro.se>';
const window = aWindow();
const content = renderNotice({ policy, window, audience: 'managers', kind: 'announcement' });
const organizer = { name: 'Driftstopp Örebro', email: 'driftstopp@orebro.se' };
const stamp = new Date('2027-03-01T07:00:00Z');
const template = inviteTemplate({ window, policy, method: 'REQUEST', organizer, stamp });
const slot = { content: INVITE_SLOT, method: 'REQUEST', filename: template.filename } as const;
const prebuilt = () => prebuildEmail(composeNotice({ content, from, invite: slot }), 'driftstopp@orebro.se', (to) => template.forAttendee(to));

/** The ATTENDEE addresses of the .ics attached to a parsed message. */
function attendeesOf(parsed: { attachments: { filename?: string | undefined; content: Buffer }[] }): string[] {
  const ics = parsed.attachments.find((a) => a.filename?.endsWith('.ics'))!.content.toString('utf8');
  const event = new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!;
  return event.getAllProperties('attendee').map((p) => String(p.getFirstValue()));
}

describe('prebuildEmail', () => {
  it('when one compiled notice is addressed to a recipient, then it reads as the message composed for that recipient alone', async () => {
    const to = { name: 'Åsa Öberg, "chef" <hemtjänst>', email: 'asa.oberg@orebro.se' };
    const messageId = '<notice-1.recipient-7@orebro.se>';
    const address = await prebuilt();

    const outgoing = address(to, messageId);
    const parsed = await simpleParser(outgoing.raw);
    const alone = await simpleParser(await new MailComposer(composeEmail({ content, to, from, messageId, invite: { content: buildInvite({ window, policy, method: 'REQUEST', organizer, stamp, attendee: to }), method: 'REQUEST', filename: template.filename } })).compile().build());

    expect(outgoing.envelope).toEqual({ from: 'driftstopp@orebro.se', to: 'asa.oberg@orebro.se' });
    expect(outgoing.messageId).toBe(messageId);
    expect(parsed.messageId).toBe(messageId);
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value : undefined).toEqual([{ name: to.name, address: to.email }]);
    expect(parsed.subject).toBe(alone.subject);
    expect(parsed.text).toBe(alone.text);
    expect(parsed.html).toBe(alone.html);
    expect(parsed.attachments.map((a) => [a.filename ?? a.contentType, a.content.toString('utf8')])).toEqual(
      alone.attachments.map((a) => [a.filename ?? a.contentType, a.content.toString('utf8')]),
    );
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(outgoing.raw.toString('latin1').match(/^Message-ID:/gim)).toHaveLength(1);
    expect(outgoing.raw.toString('latin1').match(/^To:/gim)).toHaveLength(1);
  });

  it('when two recipients are addressed, then each invitation names its own recipient as the attendee', async () => {
    const address = await prebuilt();
    const [a, b] = [address({ name: 'Anna', email: 'anna@orebro.se' }, '<n.a@orebro.se>'), address({ name: 'Bo', email: 'bo@orebro.se' }, '<n.b@orebro.se>')];
    expect(attendeesOf(await simpleParser(a.raw))).toEqual(['mailto:anna@orebro.se']);
    expect(attendeesOf(await simpleParser(b.raw))).toEqual(['mailto:bo@orebro.se']);
    // The text/calendar alternative carries the same invitation as the attached file.
    const parsed = await simpleParser(a.raw);
    const [calendar, file] = ['text/calendar', 'application/ics'].map((type) => parsed.attachments.find((att) => att.contentType === type)!.content.toString('utf8'));
    expect(calendar).toBe(file);
  });

  it('when two recipients are addressed, then only their header lines and invitation parts differ', async () => {
    const address = await prebuilt();

    const [a, b] = [address({ name: 'Anna', email: 'anna@orebro.se' }, '<n.a@orebro.se>'), address({ name: 'Bo', email: 'bo@orebro.se' }, '<n.b@orebro.se>')];
    const headerLines = (raw: Buffer) => raw.toString('latin1').split('\r\n').filter((l) => /^(To|Message-ID):/.test(l));

    expect(headerLines(a.raw)).toEqual(['To: Anna <anna@orebro.se>', 'Message-ID: <n.a@orebro.se>']);
    expect(headerLines(b.raw)).toEqual(['To: Bo <bo@orebro.se>', 'Message-ID: <n.b@orebro.se>']);
    // Outside the two base64 bodies of the invitation, the bytes are the same.
    const rest = (raw: Buffer) =>
      raw
        .toString('latin1')
        .replace(/(Content-Transfer-Encoding: base64\r\n\r\n)[A-Za-z0-9+/=\r\n]+?(?=\r\n--)/g, '$1…')
        .split('\r\n')
        .filter((l) => !/^(To|Message-ID):/.test(l))
        .join('\r\n');
    expect(rest(a.raw)).toBe(rest(b.raw));
  });

  it('when an address carries a line break, then it is refused as a permanent failure, not sent with an injected header', async () => {
    const address = await prebuilt();

    expect(() => address({ name: 'X', email: 'x@orebro.se\r\nBcc: all@orebro.se' }, '<n.x@orebro.se>')).toThrow(
      expect.objectContaining({ permanent: true }),
    );
  });

  it('when a message with personal links is addressed to two recipients, then each copy carries its own links in text, HTML and List-Unsubscribe, and nothing else differs', async () => {
    const secret = 'a-link-secret-for-this-test-0123456789';
    const withLinks = renderNotice({ policy, window, audience: 'managers', kind: 'announcement', links: linkSlots(true) });
    const address = await prebuildEmail(composeNotice({ content: withLinks, from, invite: slot }), 'driftstopp@orebro.se', (to) => template.forAttendee(to));
    const madeAt = new Date('2027-03-01T07:00:00Z');
    const copy = (id: string, email: string) =>
      address({ name: id, email }, `<n.${id}@orebro.se>`, personalParts({ secret, publicBaseUrl: 'https://k.example/driftstopp', recipientId: id, madeAt, acknowledge: { windowId: window.id, revision: 3 } }));
    const [a, b] = [copy('rec-a', 'a@orebro.se'), copy('rec-b', 'b@orebro.se')];

    for (const [outgoing, id] of [[a, 'rec-a'], [b, 'rec-b']] as const) {
      const parsed = await simpleParser(outgoing.raw);
      const tokens = (text: string, purpose: string) => [...text.matchAll(new RegExp(`https://k\\.example/driftstopp/links/${purpose}/([\\w.-]+)`, 'g'))].map((m) => m[1]!);
      for (const body of [parsed.text!, parsed.html as string]) {
        expect(body).not.toContain('driftstopp-slot');
        const [ack] = tokens(body, 'acknowledge');
        expect(verifyLink(secret, ack!, 'acknowledge', madeAt)).toEqual({ ok: true, claims: expect.objectContaining({ subject: id, windowId: window.id, revision: 3 }) });
        expect(verifyLink(secret, tokens(body, 'settings')[0]!, 'settings', madeAt)).toMatchObject({ ok: true, claims: { subject: id } });
      }
      expect(parsed.text).toContain('Bekräfta att enheten är förberedd:');
      expect(parsed.html).toContain('>Bekräfta att enheten är förberedd</a>');
      const header = outgoing.raw.toString('latin1').match(/^List-Unsubscribe:\s*<([^>]+)>/m)![1]!;
      expect(verifyLink(secret, header.split('/').pop()!, 'unsubscribe', madeAt)).toMatchObject({ ok: true, claims: { subject: id } });
      expect(outgoing.raw.toString('latin1')).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
      // Every line of the message stays within RFC 5322's 998 characters, the encoded bodies within 76.
      expect(outgoing.raw.toString('latin1').split('\r\n').filter((l) => l.length > 998)).toEqual([]);
    }
    const unlinked = async (raw: Buffer) => {
      const parsed = await simpleParser(raw);
      const link = /https:\/\/k\.example\/driftstopp\/links\/[a-z]+\/[\w.-]+/g;
      return [parsed.subject, parsed.text!.replace(link, 'LINK'), (parsed.html as string).replace(link, 'LINK')];
    };
    expect(await unlinked(a.raw)).toEqual(await unlinked(b.raw));
  });
});
