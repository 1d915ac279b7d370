import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXAMPLES_DIR, renderExamples } from '../../scripts/render-examples.js';
import { NOTICE_KINDS, renderNotice, type RenderedNotice } from '../../src/messages/render-notice.js';
import { AUDIENCES, type Audience } from '../../src/policy/policy-schema.js';
import type { NoticeKind } from '../../src/rules/notice-plan.js';
import { aWindow, local, policy } from './fixtures.js';

/**
 * The language check every template must pass, for every audience, kind, one to three
 * systems, short notice or not. A new template or partial that breaks a rule fails here.
 */

const SYSTEM_SETS = [['tes'], ['tes', 'careapp'], ['tes', 'careapp', 'carelock']] as const;
const SYSTEMS_TEXT = ['Tes', 'Tes och CareApp', 'Tes, CareApp och CareLock'];
const REASON = 'Leverantören släpper en säkerhetsrättning som måste installeras snabbt.';
const EXTERNAL: readonly Audience[] = ['egetval', 'public'];

/** Words that have leaked into texts before: codes, English, template gaps. */
const LEAKS = /\b(cancelled|scheduled|in_progress|completed|announcement|cancellation|reminder|update|undefined|null|NaN|Invalid|true|false|managers|intranet|egetval|provider|staff|minor|extensive|the|and|with|please)\b/i;
/** A raw ISO 8601 date or instant, as code writes it and people do not. */
const ISO = /\b\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?\b/;

interface Case {
  audience: Audience;
  kind: NoticeKind;
  systems: number;
  late: boolean;
}

/** Every rule the texts keep; returns what a text breaks, in words, so a failure says which. */
export function languageProblems(c: Case, notice: RenderedNotice): string[] {
  const problems: string[] = [];
  // URLs and addresses are not prose.
  const prose = (text: string) => text.replace(/https?:\/\/\S+|mailto:\S+|tel:\S+|\S+@\S+/g, ' ');
  const parts = { subject: notice.subject, text: prose(notice.text), html: prose(notice.html.replace(/<[^>]+>/g, ' ')) };
  for (const [name, text] of Object.entries(parts)) {
    const leak = LEAKS.exec(text);
    if (leak) problems.push(`${name}: the word "${leak[0]}"`);
    const iso = ISO.exec(text);
    if (iso) problems.push(`${name}: a raw date "${iso[0]}"`);
    if (c.systems === 1 && /systemen\b/i.test(text)) problems.push(`${name}: "systemen" with one system`);
    if (EXTERNAL.includes(c.audience)) {
      if (/internt/i.test(text)) problems.push(`${name}: "internt" for an outside reader`);
      if (/endast för kommunanställda/i.test(text)) problems.push(`${name}: a staff-only line for an outside reader`);
      if (text.includes(policy.support.internalRoutinesReminder)) problems.push(`${name}: the staff note on routines for an outside reader`);
    }
    if (c.kind === 'cancellation' && /rutin/i.test(text)) problems.push(`${name}: routines advice in a cancellation`);
    if ((text.match(/interna rutiner|rutiner för driftstopp/gi) ?? []).length > 1) problems.push(`${name}: the routines advice twice`);
  }
  if (!notice.subject.includes(SYSTEMS_TEXT[c.systems - 1]!) && c.audience !== 'public') problems.push('subject: the systems not as a Swedish list');
  if (!notice.text.includes(SYSTEMS_TEXT[c.systems - 1]!)) problems.push('text: the systems not as a Swedish list');
  const first = notice.text.split('\n\n')[2] ?? '';
  const shortNotice = c.late && c.kind !== 'cancellation';
  if (shortNotice && !(first.includes('Kort varsel') && first.includes(REASON))) problems.push('text: the first paragraph does not say short notice and why');
  if (!shortNotice && /kort varsel/i.test(notice.text)) problems.push('text: says short notice when it is not');
  if (c.kind === 'cancellation' && !/Ingenting ändras för/.test(notice.text)) problems.push('text: a cancellation that does not say nothing changes');
  return problems;
}

const cases: Case[] = AUDIENCES.flatMap((audience) =>
  NOTICE_KINDS.flatMap((kind) => [1, 2, 3].flatMap((systems) => [false, true].map((late) => ({ audience, kind, systems, late })))),
);

function render(c: Case): RenderedNotice {
  const window = aWindow({
    systems: [...SYSTEM_SETS[c.systems - 1]!],
    shortNoticeReason: REASON,
    ...(c.kind === 'cancellation' ? { revision: 2, cancelReason: 'Leverantören har skjutit upp versionen.' } : {}),
    ...(c.kind === 'update' ? { revision: 2 } : {}),
  });
  const previous = c.kind === 'update' ? { start: local('2027-03-23T09:00'), end: local('2027-03-23T12:00') } : undefined;
  return renderNotice({ policy, window, audience: c.audience, kind: c.kind, late: c.late, previous, publicPageUrl: 'https://driftstopp.orebro.se/public/driftstopp' });
}

describe('the language of every notice', () => {
  it(`when all ${cases.length} combinations of audience, kind, systems and short notice are rendered, then none breaks a rule`, () => {
    expect(cases).toHaveLength(AUDIENCES.length * NOTICE_KINDS.length * 3 * 2);
    const broken = cases.flatMap((c) => languageProblems(c, render(c)).map((p) => `${c.audience}.${c.kind}, ${c.systems} system, ${c.late ? 'late' : 'on time'}: ${p}`));
    expect(broken).toEqual([]);
  });

  it('when a text breaks the rules, then the check names each break (so the test above can fail)', () => {
    const bad: RenderedNotice = {
      subject: 'Inställt: planerat driftstopp i Tes, CareApp',
      html: '<p>Systemen går att använda. Ring (internt 2000).</p>',
      text: `x\n\ny\n\nThe window is cancelled 2027-03-30T09:00. Systemen går att använda. Ring (internt 2000). ${policy.support.internalRoutinesReminder}\n`,
    };
    const problems = languageProblems({ audience: 'egetval', kind: 'cancellation', systems: 1, late: true }, bad);
    for (const expected of ['the word "The"', 'a raw date', '"systemen" with one system', '"internt"', 'staff note', 'routines advice in a cancellation', 'not as a Swedish list', 'nothing changes']) {
      expect(problems.join('\n')).toContain(expected);
    }
  });
});

describe('templates/examples', () => {
  it('when the examples are rendered again, then the committed .eml files are the same (run npm run examples after changing a template)', async () => {
    const examples = await renderExamples();
    expect(examples).toHaveLength(3);
    for (const { file, eml } of examples) {
      expect(readFileSync(new URL(file, EXAMPLES_DIR), 'utf8'), file).toBe(eml);
    }
  });
});
