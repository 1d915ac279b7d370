/**
 * RFC 5545 3.1 line folding exactly as ical-generator's `foldLines` writes it: each line
 * at most 74 octets of content, continued after CRLF and a space (so 75 octets with the
 * space), never inside a character. ical-generator measures every character with a new
 * TextEncoder, which made folding most of an invitation's cost; this counts UTF-8 octets
 * from the UTF-16 code units instead. Its output is checked against ical-generator's own
 * in test/messages/ical-fold.test.ts.
 */
export function foldLines(input: string): string {
  return input.split('\r\n').map(foldLine).join('\r\n');
}

/** ical-generator's limit: a break comes before the character that would pass 74 octets. */
const MAX_OCTETS = 74;

function foldLine(line: string): string {
  if (line.length <= MAX_OCTETS / 4 || (line.length <= MAX_OCTETS && isAscii(line))) return line;
  let result = '';
  let octets = 0;
  let from = 0;
  for (let i = 0; i < line.length; ) {
    const size = characterOctets(line, i);
    octets += size.octets;
    if (octets > MAX_OCTETS) {
      result += `${line.slice(from, i)}\r\n `;
      from = i;
      octets = size.octets;
    }
    i += size.units;
  }
  return result + line.slice(from);
}

/**
 * The UTF-8 length of the character at `i` and how many code units ical-generator takes
 * as that character: a high surrogate always takes the unit after it along (a lone
 * surrogate is written as U+FFFD, three octets, as TextEncoder writes it).
 */
function characterOctets(line: string, i: number): { octets: number; units: number } {
  const code = line.charCodeAt(i);
  if (code < 0x80) return ONE;
  if (code < 0x800) return TWO;
  if (code < 0xd800 || code > 0xdbff) return THREE;
  if (i + 1 >= line.length) return THREE;
  const next = line.charCodeAt(i + 1);
  if (next >= 0xdc00 && next <= 0xdfff) return PAIR;
  // A high surrogate before anything but a low one: U+FFFD, then the next unit on its own.
  return { octets: 3 + unitOctets(next), units: 2 };
}

function unitOctets(code: number): number {
  return code < 0x80 ? 1 : code < 0x800 ? 2 : 3;
}

const ONE = { octets: 1, units: 1 };
const TWO = { octets: 2, units: 1 };
const THREE = { octets: 3, units: 1 };
const PAIR = { octets: 4, units: 2 };

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}
