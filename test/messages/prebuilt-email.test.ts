import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { describe, expect, it } from 'vitest';
import { buildInvite } from '../../src/messages/calendar-invite.js';
import { composeEmail, composeNotice } from '../../src/messages/compose-email.js';
import { prebuildEmail } from '../../src/messages/prebuilt-email.js';
import { renderNotice } from '../../src/messages/render-notice.js';
import { aWindow, policy } from './fixtures.js';

const from = 'Driftstopp Örebro <driftstopp@orebro.se>';
const window = aWindow();
const content = renderNotice({ policy, window, audience: 'managers', kind: 'announcement' });
const invite = buildInvite({ window, policy, method: 'REQUEST', organizer: { name: 'Driftstopp Örebro', email: 'driftstopp@orebro.se' } });

describe('prebuildEmail', () => {
  it('when one compiled notice is addressed to a recipient, then it reads as the message composed for that recipient alone', async () => {
    const to = { name: 'Åsa Öberg, "chef" <hemtjänst>', email: 'asa.oberg@orebro.se' };
    const messageId = '<notice-1.recipient-7@orebro.se>';
    const address = await prebuildEmail(composeNotice({ content, from, invite, method: 'REQUEST' }), 'driftstopp@orebro.se');

    const outgoing = address(to, messageId);
    const parsed = await simpleParser(outgoing.raw);
    const alone = await simpleParser(await new MailComposer(composeEmail({ content, to, from, messageId, invite, method: 'REQUEST' })).compile().build());

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

  it('when two recipients are addressed, then only their header lines differ', async () => {
    const address = await prebuildEmail(composeNotice({ content, from, invite }), 'driftstopp@orebro.se');

    const [a, b] = [address({ name: 'Anna', email: 'anna@orebro.se' }, '<n.a@orebro.se>'), address({ name: 'Bo', email: 'bo@orebro.se' }, '<n.b@orebro.se>')];
    const headerLines = (raw: Buffer) => raw.toString('latin1').split('\r\n').filter((l) => /^(To|Message-ID):/.test(l));

    expect(headerLines(a.raw)).toEqual(['To: Anna <anna@orebro.se>', 'Message-ID: <n.a@orebro.se>']);
    expect(headerLines(b.raw)).toEqual(['To: Bo <bo@orebro.se>', 'Message-ID: <n.b@orebro.se>']);
    const rest = (raw: Buffer) => raw.toString('latin1').split('\r\n').filter((l) => !/^(To|Message-ID):/.test(l)).join('\r\n');
    expect(rest(a.raw)).toBe(rest(b.raw));
  });

  it('when an address carries a line break, then it is refused as a permanent failure, not sent with an injected header', async () => {
    const address = await prebuildEmail(composeNotice({ content, from, invite }), 'driftstopp@orebro.se');

    expect(() => address({ name: 'X', email: 'x@orebro.se\r\nBcc: all@orebro.se' }, '<n.x@orebro.se>')).toThrow(
      expect.objectContaining({ permanent: true }),
    );
  });
});
