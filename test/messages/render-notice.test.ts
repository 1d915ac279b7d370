import { describe, expect, it } from 'vitest';
import { headerLine, NOTICE_KINDS, renderNotice, type RenderNoticeInput } from '../../src/messages/render-notice.js';
import { AUDIENCES, type Policy } from '../../src/policy/policy-schema.js';
import { aWindow, local, policy } from './fixtures.js';

const WHEN = 'tisdag 30 mars 2027 kl. 09.00–12.00';
const PREFIX = {
  announcement: 'Planerat driftstopp: ',
  update: 'Ändrad tid: ',
  cancellation: 'Inställt: ',
  reminder: 'Påminnelse: ',
} as const;

const render = (overrides: Partial<RenderNoticeInput> = {}) =>
  renderNotice({ policy, window: aWindow(), audience: 'managers', kind: 'announcement', ...overrides });

const everyNotice = AUDIENCES.flatMap((audience) => NOTICE_KINDS.map((kind) => ({ audience, kind })));

describe('renderNotice for every audience and kind', () => {
  it.each(everyNotice)('when $audience get the $kind, then subject, systems, time, support and the routines reminder are there', ({ audience, kind }) => {
    const window = aWindow(kind === 'cancellation' ? { revision: 2, cancelReason: 'Leverantören har skjutit upp versionen.' } : {});
    const { subject, html, text } = renderNotice({ policy, window, audience, kind });

    expect(subject.startsWith(PREFIX[kind])).toBe(true);
    expect(subject).toContain(`Tes, CareApp ${WHEN}`);
    expect(subject).not.toMatch(/[\r\n]/);
    for (const part of [html, text]) {
      expect(part).toContain('Tes, CareApp');
      expect(part).toContain(WHEN);
      expect(part).toContain('019-21 20 00');
      expect(part).toContain(policy.support.internalRoutinesReminder);
    }
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(text).not.toMatch(/<\/?[a-z][^>]*>/i);
    if (kind === 'cancellation') {
      expect(html).toContain('Leverantören har skjutit upp versionen.');
      expect(text).toContain('Orsak: Leverantören har skjutit upp versionen.');
    }
  });

  it('when managers get the announcement, then the subject is exactly the contract example', () => {
    expect(render().subject).toBe(`Planerat driftstopp: Tes, CareApp ${WHEN}`);
  });

  it('when systems are given out of order, then they read in the policy order Tes, CareApp, CareLock', () => {
    const { subject } = render({ window: aWindow({ systems: ['carelock', 'tes', 'careapp'] }) });
    expect(subject).toBe(`Planerat driftstopp: Tes, CareApp, CareLock ${WHEN}`);
  });

  it('when a system id is unknown to the policy, then the id is shown rather than the notice failing', () => {
    expect(render({ window: aWindow({ systems: ['tes', 'journal'] }) }).subject).toContain('Tes, journal ');
  });

  it('when managers and Eget Val are told, then the full support contacts and lock-fault instructions are there', () => {
    for (const audience of ['managers', 'egetval'] as const) {
      const { text } = render({ audience });
      expect(text).toContain('internt 2000');
      expect(text).toContain(policy.support.menuChoice);
      for (const hours of policy.support.hours) expect(text).toContain(hours);
      expect(text).toContain('vardochstod@orebro.se');
      expect(text).toContain('5500@orebro.se');
      expect(text).toContain('019-21 49 44');
    }
  });

  it('when the window lies across the night summer time ends, then the texts name both days in local time', () => {
    const window = aWindow({ start: local('2027-10-30T22:00'), end: local('2027-10-31T06:00') });
    const { subject } = render({ window });
    expect(subject).toBe('Planerat driftstopp: Tes, CareApp lördag 30 oktober 2027 kl. 22.00 – söndag 31 oktober 2027 kl. 06.00');
  });
});

describe('renderNotice for updates', () => {
  const moved = aWindow({ start: local('2027-04-06T09:00'), end: local('2027-04-06T12:00'), revision: 2 });

  it('when the previous time is given, then the update names the new and the previous time', () => {
    const previous = { start: local('2027-03-30T09:00'), end: local('2027-03-30T12:00') };
    const { subject, html, text } = render({ window: moved, kind: 'update', previous });
    expect(subject).toBe('Ändrad tid: planerat driftstopp i Tes, CareApp tisdag 6 april 2027 kl. 09.00–12.00');
    for (const part of [html, text]) {
      expect(part).toContain('tisdag 6 april 2027 kl. 09.00–12.00');
      expect(part).toContain(`Tidigare meddelad tid var ${WHEN}`);
    }
  });

  it('when no previous time is given, then the update says nothing of one', () => {
    const { html, text } = render({ window: moved, kind: 'update' });
    expect(html).not.toContain('Tidigare meddelad tid');
    expect(text).not.toContain('Tidigare meddelad tid');
  });
});

describe('renderNotice with hostile or odd input', () => {
  it('when the title and description carry HTML, then the HTML part escapes it and the text part keeps it', () => {
    const window = aWindow({ title: '<script>alert("x")</script>', description: '<img src=x onerror=alert(1)> & mer' });
    for (const audience of AUDIENCES) {
      const { html, text } = render({ window, audience });
      expect(html).not.toContain('<script>');
      expect(html).not.toContain('<img');
      expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
      expect(html).toContain('&amp; mer');
      expect(text).toContain('<script>alert("x")</script>');
    }
  });

  it('when the title carries CR LF and a header, then every subject stays one line', () => {
    const window = aWindow({ title: 'Uppgradering\r\nBcc: x@y\n\tX-Extra: 1' });
    const intranet = render({ window, audience: 'intranet' }).subject;
    expect(intranet).toBe(`Planerat driftstopp: Tes, CareApp ${WHEN} – Uppgradering Bcc: x@y X-Extra: 1`);
    for (const { audience, kind } of everyNotice) {
      expect(render({ window, audience, kind }).subject).not.toMatch(/[\r\n\t]/);
    }
  });

  it('when a policy display name carries a line break, then the manager subject is still one line', () => {
    const odd: Policy = { ...policy, systems: { ...policy.systems, tes: { displayName: 'Tes\r\nBcc: x@y', description: '' } } };
    expect(render({ policy: odd }).subject).toBe(`Planerat driftstopp: Tes Bcc: x@y, CareApp ${WHEN}`);
  });

  it('when a value the templates use is missing, then rendering throws instead of leaving a gap', () => {
    const { lockFaults: _dropped, ...support } = policy.support;
    const broken = { ...policy, support } as unknown as Policy;
    expect(() => render({ policy: broken })).toThrow(/lockFaults/);
  });

  it('when a public page address is given, then the manager e-mail links it', () => {
    const { html, text } = render({ publicPageUrl: 'https://driftstopp.orebro.se/public/driftstopp' });
    expect(html).toContain('<a href="https://driftstopp.orebro.se/public/driftstopp">');
    expect(text).toContain('https://driftstopp.orebro.se/public/driftstopp');
  });
});

describe('headerLine', () => {
  it('when text has control characters and line separators, then they collapse to single spaces', () => {
    expect(headerLine(' a\r\nb\u0000c\u2028d\u0085e  ')).toBe('a b c d e');
  });
});
