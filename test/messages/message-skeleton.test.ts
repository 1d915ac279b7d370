import { simpleParser } from 'mailparser';
import type { SendMailOptions } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { describe, expect, it } from 'vitest';
import { composeNotice } from '../../src/messages/compose-email.js';
import { compileMessage } from '../../src/messages/message-skeleton.js';
import { INVITE_SLOT } from '../../src/messages/prebuilt-email.js';
import { renderNotice } from '../../src/messages/render-notice.js';
import { aWindow, policy } from './fixtures.js';

const from = { name: 'Driftstopp Örebro', email: 'driftstopp@orebro.se' };
const BOUNDARY = '0123456789abcdef';

/** What MailComposer writes for the message, with the boundary's random part and the Date fixed. */
async function composed(message: SendMailOptions): Promise<string> {
  return normalDate((await new MailComposer({ ...message, baseBoundary: BOUNDARY } as SendMailOptions).compile().build()).toString('utf8'));
}

/** compileMessage's bytes, with its own random boundary part and Date set to the same fixed ones. */
async function skeletal(message: SendMailOptions): Promise<string> {
  const text = (await compileMessage(message)).toString('utf8');
  const random = /boundary="--_NmP-([0-9a-f]{16})-Part_1"/.exec(text)?.[1];
  expect(random).toBeDefined();
  return normalDate(text.replaceAll(random!, BOUNDARY));
}

function normalDate(text: string): string {
  return text.replace(/^Date: [^\r\n]*\r\n/m, 'Date: (the date)\r\n');
}

/** A small seeded generator, so a failure can be reproduced. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const PIECES = ['Planerat driftstopp', ' ', 'i Tes', 'å', 'Ö', '–', '"', '=?', '?=', '😀', ':', 'x'.repeat(40), '中文', '\t', '\u0007'];

describe('compileMessage', () => {
  it('when notices with and without invitations and random subjects are compiled, then the bytes are what MailComposer writes', async () => {
    const next = random(1128);
    const content = renderNotice({ policy, window: aWindow(), audience: 'managers', kind: 'announcement' });
    for (let i = 0; i < 150; i++) {
      let subject = '';
      for (let n = 1 + Math.floor(next() * 12); n > 0; n--) subject += PIECES[Math.floor(next() * PIECES.length)];
      subject = subject.trim() || 'Driftstopp';
      const method = next() < 0.5 ? 'REQUEST' : 'CANCEL';
      const invite = next() < 0.7 ? { content: INVITE_SLOT, method, filename: `driftstopp-tes-${i}.ics` } as const : undefined;
      const message = { ...composeNotice({ content: { ...content, subject }, from: next() < 0.5 ? from : from.email, invite }), messageId: `<n${i}@orebro.se>` };
      expect(await skeletal(message)).toBe(await composed(message));
    }
  });

  it('when two messages of one shape are compiled, then each has a boundary of its own and the current Date', async () => {
    const content = renderNotice({ policy, window: aWindow(), audience: 'managers', kind: 'reminder' });
    const message = composeNotice({ content, from, invite: { content: INVITE_SLOT, method: 'REQUEST', filename: 'driftstopp-tes.ics' } });
    const before = Date.now() - 1000;
    const [a, b] = [await compileMessage(message), await compileMessage(message)];
    const boundaryOf = (raw: Buffer) => /boundary="([^"]+)"/.exec(raw.toString('utf8'))![1];
    expect(boundaryOf(a)).not.toBe(boundaryOf(b));
    const parsed = await simpleParser(a);
    expect(parsed.date!.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(parsed.date!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(parsed.subject).toBe(content.subject);
    expect(parsed.text).toBe(content.text);
  });

  it('when a message has a body to encode or a date of its own (a field or a header), then it is compiled by MailComposer as it is', async () => {
    const message = { from: from.email, subject: 'Hej', text: 'Åtta dagar kvar.', date: new Date('2027-03-01T07:00:00Z'), messageId: '<a@orebro.se>' };
    const parsed = await simpleParser(await compileMessage(message));
    expect(parsed.text?.trim()).toBe('Åtta dagar kvar.');
    expect(parsed.date?.toISOString()).toBe('2027-03-01T07:00:00.000Z');
    const notice = composeNotice({ content: renderNotice({ policy, window: aWindow(), audience: 'managers', kind: 'announcement' }), from });
    const dated = await simpleParser(await compileMessage({ ...notice, headers: { ...notice.headers, date: 'Mon, 01 Mar 2027 07:00:00 +0000' } }));
    expect(dated.date?.toISOString()).toBe('2027-03-01T07:00:00.000Z');
  });
});
