/**
 * Quoted-printable (RFC 2045 6.7) of a text's UTF-8 bytes, exactly as nodemailer's
 * `qp.encode(text)` writes it, without soft line breaks (nodemailer's `qp.wrap` adds those).
 *
 * nodemailer encodes a Buffer byte by byte into another; a notice's bodies are long and
 * nearly all printable ASCII, so this copies runs of literal characters as slices of the
 * string and writes only the rest as `=XX`. The rules are nodemailer's: printable ASCII but
 * `=`, and TAB, CR and LF, stay as they are, except a space or TAB before a line break or
 * at the very end. test/messages/quoted-printable.test.ts compares the two.
 */
export function encodeQuotedPrintable(text: string): string {
  let out = '';
  let from = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80 && LITERAL[code] === 1) {
      if (code !== SPACE && code !== TAB) continue;
      const next = i + 1 < length ? text.charCodeAt(i + 1) : -1;
      if (next !== -1 && next !== LF && next !== CR) continue;
      out += `${text.slice(from, i)}${code === SPACE ? '=20' : '=09'}`;
      from = i + 1;
      continue;
    }
    out += text.slice(from, i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        out += escapedBytes(0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00));
        i++;
        from = i + 1;
        continue;
      }
    }
    // A lone surrogate is written as U+FFFD, as Buffer.from writes it.
    out += code < 0x80 ? ESCAPED_BYTE[code]! : escapedBytes(code >= 0xd800 && code <= 0xdfff ? 0xfffd : code);
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;

/** 1 for the bytes nodemailer keeps as they are: TAB, LF, CR and printable ASCII but `=`. */
const LITERAL = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  LITERAL[code] = code === TAB || code === LF || code === CR || (code >= 0x20 && code <= 0x7e && code !== 0x3d) ? 1 : 0;
}

/** `=XX` for every byte value, upper-case hex as nodemailer writes it. */
const ESCAPED_BYTE = Array.from({ length: 256 }, (_, byte) => `=${byte.toString(16).toUpperCase().padStart(2, '0')}`);

/** A code point's UTF-8 bytes as `=XX=XX…`; Swedish letters and dashes repeat, so each is worked out once. */
function escapedBytes(codePoint: number): string {
  let escaped = escapedCodePoints.get(codePoint);
  if (escaped === undefined) {
    escaped = '';
    for (const byte of Buffer.from(String.fromCodePoint(codePoint), 'utf8')) escaped += ESCAPED_BYTE[byte];
    escapedCodePoints.set(codePoint, escaped);
  }
  return escaped;
}

const escapedCodePoints = new Map<number, string>();
