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
  it.each(everyNotice)('when $audience get the $kind, then subject, systems, time and support are there', ({ audience, kind }) => {
    const window = aWindow(kind === 'cancellation' ? { revision: 2, cancelReason: 'Leverantören har skjutit upp versionen.' } : {});
    const { subject, html, text } = renderNotice({ policy, window, audience, kind });

    expect(subject.startsWith(PREFIX[kind])).toBe(true);
    expect(subject).toContain(`Tes och CareApp ${WHEN}`);
    expect(subject).not.toMatch(/[\r\n]/);
    for (const part of [html, text]) {
      expect(part).toContain('Tes och CareApp');
      expect(part).toContain(WHEN);
      expect(part).toContain('019-21 20 00');
      // The routines box is for staff, and never in a cancellation.
      const staff = audience === 'managers' || audience === 'intranet';
      expect(part.includes(policy.support.internalRoutinesReminder)).toBe(staff && kind !== 'cancellation');
    }
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(text).not.toMatch(/<\/?[a-z][^>]*>/i);
    if (kind === 'cancellation') {
      expect(html).toContain('Leverantören har skjutit upp versionen.');
      expect(text).toContain('Orsak: Leverantören har skjutit upp versionen.');
    }
  });

  it('when managers get the announcement, then the subject is the contract example with the systems joined in Swedish', () => {
    // The contract's example reads "Tes, CareApp"; issue 12 asks for the Swedish list.
    expect(render().subject).toBe(`Planerat driftstopp: Tes och CareApp ${WHEN}`);
  });

  it.each([
    [['tes'], 'Tes'],
    [['careapp', 'tes'], 'Tes och CareApp'],
    [['carelock', 'tes', 'careapp'], 'Tes, CareApp och CareLock'],
  ])('when the systems are %j, then they read "%s" in the policy order', (systems, expected) => {
    expect(render({ window: aWindow({ systems }) }).subject).toBe(`Planerat driftstopp: ${expected} ${WHEN}`);
  });

  it('when one system is affected, then the texts say "systemet", and with two "systemen"', () => {
    const one = render({ window: aWindow({ systems: ['tes'] }) }).text;
    expect(one).toContain('Systemet stängs');
    expect(one).not.toMatch(/\bsystemen\b/i);
    expect(render().text).toContain('Systemen stängs');
  });

  it('when a system id is unknown to the policy, then the id is shown rather than the notice failing', () => {
    expect(render({ window: aWindow({ systems: ['tes', 'journal'] }) }).subject).toContain('Tes och journal ');
  });

  it('when managers are told, then the full support contacts, the internal number and lock-fault instructions are there', () => {
    const { text } = render({ audience: 'managers' });
    expect(text).toContain('internt 2000');
    expect(text).toContain(policy.support.menuChoice);
    for (const hours of policy.support.hours) expect(text).toContain(hours.text);
    expect(text).toContain('vardochstod@orebro.se');
    expect(text).toContain('5500@orebro.se');
    expect(text).toContain('019-21 49 44');
  });

  it('when Eget Val and the public are told, then they get the external number and their own lines, none of the internal ones', () => {
    for (const audience of ['egetval', 'public'] as const) {
      const { html, text } = render({ audience });
      for (const part of [html, text]) {
        expect(part).toContain('019-21 20 00');
        expect(part).toContain('vardochstod@orebro.se');
        expect(part).toContain('Tes och CareApp: vardagar 08.00–16.30');
        expect(part).not.toContain('internt');
        expect(part).not.toContain('endast för kommunanställda');
        expect(part).not.toContain('5500@orebro.se');
        expect(part).not.toContain(policy.support.internalRoutinesReminder);
      }
    }
    expect(render({ audience: 'egetval' }).text).toContain('019-21 49 44');
    expect(render({ audience: 'public' }).text).not.toContain('019-21 49 44');
  });

  it('when a notice is late and the window has a short-notice reason, then the first paragraph says so with the reason', () => {
    const window = aWindow({ shortNoticeReason: 'Akut säkerhetsuppdatering från leverantören.' });
    for (const audience of AUDIENCES) {
      const { text } = render({ window, audience, late: true });
      const paragraphs = text.split('\n\n');
      // 0: municipality and audience, 1: the heading, 2: the first paragraph.
      expect(paragraphs[2]).toContain('Kort varsel');
      expect(paragraphs[2]).toContain('Akut säkerhetsuppdatering från leverantören.');
    }
    expect(render({ window }).text).not.toContain('Kort varsel');
    expect(render({ window, late: true, kind: 'cancellation' }).text).not.toContain('Kort varsel');
  });

  it('when the window lies across the night summer time ends, then the texts name both days in local time', () => {
    const window = aWindow({ start: local('2027-10-30T22:00'), end: local('2027-10-31T06:00') });
    const { subject } = render({ window });
    expect(subject).toBe('Planerat driftstopp: Tes och CareApp lördag 30 oktober 2027 kl. 22.00 – söndag 31 oktober 2027 kl. 06.00');
  });
});

describe('renderNotice for updates', () => {
  const moved = aWindow({ start: local('2027-04-06T09:00'), end: local('2027-04-06T12:00'), revision: 2 });

  it('when the previous time is given, then the update names the new and the previous time', () => {
    const previous = { start: local('2027-03-30T09:00'), end: local('2027-03-30T12:00') };
    const { subject, html, text } = render({ window: moved, kind: 'update', previous });
    expect(subject).toBe('Ändrad tid: planerat driftstopp i Tes och CareApp tisdag 6 april 2027 kl. 09.00–12.00');
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
    expect(intranet).toBe(`Planerat driftstopp: Tes och CareApp ${WHEN} – Uppgradering Bcc: x@y X-Extra: 1`);
    for (const { audience, kind } of everyNotice) {
      expect(render({ window, audience, kind }).subject).not.toMatch(/[\r\n\t]/);
    }
  });

  it('when a policy display name carries a line break, then the manager subject is still one line', () => {
    const odd: Policy = { ...policy, systems: { ...policy.systems, tes: { displayName: 'Tes\r\nBcc: x@y', description: '', dependsOn: [] } } };
    expect(render({ policy: odd }).subject).toBe(`Planerat driftstopp: Tes Bcc: x@y och CareApp ${WHEN}`);
  });

  it('when a value the templates use is missing, then rendering throws instead of leaving a gap', () => {
    const { hours: _dropped, ...support } = policy.support;
    const broken = { ...policy, support } as unknown as Policy;
    expect(() => render({ policy: broken })).toThrow();
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
