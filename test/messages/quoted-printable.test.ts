import { encode as nodemailerEncode } from 'nodemailer/lib/qp';
import { describe, expect, it } from 'vitest';
import { encodeQuotedPrintable } from '../../src/messages/quoted-printable.js';
import { quotedPrintableSlotted } from '../../src/messages/text-slots.js';

/** A small seeded generator, so a failure can be reproduced. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Printable ASCII, `=`, white space before and after line breaks, control characters, Swedish letters, emoji and lone surrogates. */
const PIECES = ['a', 'Hej!', ' ', '\t', '\r\n', '\n', '\r', '=', '==', '<p style="x">', 'å', 'ä', 'Ö', '–', '·', '€', '😀', '\ud83d', '\ude00', '\u0000', '\u007f', '\u0080', '\u00ff', '\u0800', '\uffff', 'Planerat driftstopp i Tes '];

describe('encodeQuotedPrintable', () => {
  it('when given thousands of random texts, then it writes what nodemailer\'s qp.encode writes', () => {
    const next = random(2045);
    for (let i = 0; i < 5000; i++) {
      let text = '';
      for (let n = Math.floor(next() * 40); n > 0; n--) text += PIECES[Math.floor(next() * PIECES.length)];
      expect(encodeQuotedPrintable(text), JSON.stringify(text)).toBe(nodemailerEncode(text));
    }
  });

  it('when every code unit from 0 to U+FFFF is encoded alone and after a letter, then it writes what nodemailer writes', () => {
    for (let code = 0; code <= 0xffff; code++) {
      const text = String.fromCharCode(code);
      expect(encodeQuotedPrintable(text)).toBe(nodemailerEncode(text));
      expect(encodeQuotedPrintable(`a${text} b`)).toBe(nodemailerEncode(`a${text} b`));
    }
  });

  it('when a body with slots is encoded, then it decodes to the text it was', () => {
    const text = 'Hej Åsa!\nLänk: driftstopp-slot-settings-5c1e8a04b7 \nSlut. ';
    const decoded = Buffer.from(
      quotedPrintableSlotted(text).replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      'latin1',
    ).toString('utf8');
    expect(decoded).toBe(text.replace(/\n/g, '\r\n'));
  });
});
