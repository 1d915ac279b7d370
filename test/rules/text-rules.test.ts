import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { zodIssuesToFieldErrors } from '../../src/errors.js';
import { LINE, PROSE, REASON, refineText, textProblems } from '../../src/rules/text-rules.js';

const codes = (value: string, rules = LINE) => textProblems(value, rules).map((p) => p.code);

describe('textProblems', () => {
  it.each([
    ['Uppgradering av Tes och CareApp'],
    ['Åsa Öberg-Ärlig'],
    ['Driftstopp 🚧 (planerat)'],
    ['عربي ועברית'],
    ['Zoë, naïve café'],
  ])('when a title is ordinary text such as %j, then nothing is wrong with it', (value) => {
    expect(codes(value)).toEqual([]);
  });

  it.each([
    ['a NUL byte', 'Tes\u0000', 'U+0000'],
    ['an escape', 'Tes\u001b[31m', 'U+001B'],
    ['a bell', '\u0007Tes', 'U+0007'],
    ['DEL', 'Tes\u007f', 'U+007F'],
    ['a C1 control', 'Tes\u0085', 'U+0085'],
  ])('when text holds %s, then it is a control_character naming the code point, in a title and a description alike', (_label, value, point) => {
    expect(textProblems(value, LINE)).toEqual([{ code: 'control_character', message: expect.stringContaining(point) }]);
    expect(textProblems(value, PROSE)).toEqual([{ code: 'control_character', message: expect.stringContaining(point) }]);
  });

  it('when a description has newlines and tabs, then they are allowed, and in a title they are not', () => {
    const text = 'Rad ett\r\nRad två\n\tindragen';
    expect(codes(text, PROSE)).toEqual([]);
    expect(codes(text, REASON)).toEqual([]);
    expect(codes(text, LINE)).toEqual(['control_character']);
  });

  it.each(['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'])(
    'when a title holds the bidirectional control %j, then it is bidi_control, but a description may hold it',
    (control) => {
      expect(codes(`Tes${control}gnirtteppu`)).toEqual(['bidi_control']);
      expect(codes(`Tes${control}gnirtteppu`, PROSE)).toEqual([]);
    },
  );

  it.each([
    ['zero-width spaces', '\u200b\u200b'],
    ['a byte order mark', '\ufeff'],
    ['a word joiner and a soft hyphen', '\u2060\u00ad'],
    ['a Hangul filler', '\u3164'],
    ['a blank braille pattern', '\u2800'],
    ['no-break and ideographic spaces', '\u00a0\u3000'],
    ['a lone combining accent', '\u0301'],
  ])('when a title holds only %s, then it is invisible_only', (_label, value) => {
    expect(codes(value)).toEqual(['invisible_only']);
  });

  it('when a title has visible text besides a zero-width space, then it is allowed; an empty text is left to min()', () => {
    expect(codes('Tes\u200b')).toEqual([]);
    expect(codes('')).toEqual([]);
  });

  it('when text holds half a surrogate pair, then it is an invalid_character', () => {
    expect(codes('Tes\ud800')).toEqual(['invalid_character']);
    expect(codes('Tes 🚧')).toEqual([]);
  });
});

describe('refineText', () => {
  it('when a schema refuses text, then the field error names the field and carries the code and the Swedish message', () => {
    const schema = z.strictObject({ title: z.string().superRefine(refineText(LINE)) });
    const result = schema.safeParse({ title: 'A\u0000\u202e' });
    expect(result.success).toBe(false);
    expect(zodIssuesToFieldErrors(result.error!)).toEqual([
      { path: 'title', code: 'control_character', message: 'Innehåller ett otillåtet styrtecken (U+0000).' },
      { path: 'title', code: 'bidi_control', message: expect.stringMatching(/U\+202E.*riktning|riktning.*U\+202E/) },
    ]);
  });
});
