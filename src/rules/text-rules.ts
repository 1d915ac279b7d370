import type { z } from 'zod';

/**
 * What a person may type into a title, a name or a description. PostgreSQL cannot store a
 * NUL byte at all (it answered with a 500 "invalid byte sequence"), other control characters
 * turn into garbage in e-mail and calendar clients, a title of only invisible characters
 * shows as nothing in every list, and bidirectional overrides let a title display as
 * something other than what it says. One set of rules serves the API, the admin forms and
 * the CSV import, so all three refuse the same text in the same words.
 */
export interface TextRules {
  /** Newline, carriage return and tab are allowed (descriptions and reasons typed in a textarea). */
  multiline: boolean;
  /** Bidirectional embeddings, overrides and isolates are refused (titles and names). */
  refuseBidi: boolean;
  /** Non-empty text must hold at least one visible character (titles, names, reasons). */
  visible: boolean;
}

/** A title, a name or a unit: one line, shown in lists and subjects. */
export const LINE: TextRules = { multiline: false, refuseBidi: true, visible: true };
/** A description: free text over several lines, any script's direction marks allowed. */
export const PROSE: TextRules = { multiline: true, refuseBidi: false, visible: false };
/** Why short notice is accepted or a window cancelled: typed in a textarea, quoted in messages. */
export const REASON: TextRules = { multiline: true, refuseBidi: false, visible: true };

export type TextProblemCode = 'control_character' | 'invalid_character' | 'bidi_control' | 'invisible_only';

/** The codes of text problems; their messages are Swedish already. */
export const TEXT_PROBLEM_CODES: ReadonlySet<string> = new Set<TextProblemCode>([
  'control_character',
  'invalid_character',
  'bidi_control',
  'invisible_only',
]);

export interface TextProblem {
  code: TextProblemCode;
  message: string;
}

/** C0 controls, DEL and C1 controls; tab (09), newline (0A) and carriage return (0D) are listed apart. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;
const LINE_BREAK_OR_TAB = /[\t\n\r]/u;
/** A UTF-16 half without its other half: not a character, stored as U+FFFD at best. */
const LONE_SURROGATE = /\p{Cs}/u;
/** LRE, RLE, PDF, LRO, RLO (U+202A–U+202E) and LRI, RLI, FSI, PDI (U+2066–U+2069). */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;
/**
 * Characters that show nothing on their own: white space, format characters such as U+200B
 * and U+FEFF, other default-ignorables (U+3164 HANGUL FILLER), the blank braille pattern and
 * combining marks with nothing to combine with.
 */
const INVISIBLE = /[\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\p{M}\u2800]/gu;

/** Every problem of `value` under `rules`, each once, in Swedish. */
export function textProblems(value: string, rules: TextRules): TextProblem[] {
  const problems: TextProblem[] = [];
  const control = CONTROL.exec(value) ?? (rules.multiline ? null : LINE_BREAK_OR_TAB.exec(value));
  if (control) {
    problems.push({
      code: 'control_character',
      message:
        control[0] === '\n' || control[0] === '\r' || control[0] === '\t'
          ? `Får inte innehålla radbrytningar eller tabbar (${codePoint(control[0])}).`
          : `Innehåller ett otillåtet styrtecken (${codePoint(control[0])}).`,
    });
  }
  const surrogate = LONE_SURROGATE.exec(value);
  if (surrogate) {
    problems.push({ code: 'invalid_character', message: `Innehåller ett ogiltigt tecken (${codePoint(surrogate[0])}).` });
  }
  const bidi = rules.refuseBidi ? BIDI_CONTROL.exec(value) : null;
  if (bidi) {
    problems.push({
      code: 'bidi_control',
      message: `Innehåller ett tecken som vänder textens riktning (${codePoint(bidi[0])}); skriv texten utan det.`,
    });
  }
  if (rules.visible && value.length > 0 && value.replace(INVISIBLE, '').length === 0) {
    problems.push({ code: 'invisible_only', message: 'Består bara av osynliga tecken; skriv något som syns.' });
  }
  return problems;
}

/**
 * The rules as a zod refinement: `z.string().max(200).superRefine(refineText(LINE))`. Each
 * problem becomes a custom issue whose `params.code` is the code the API reports.
 */
export function refineText(rules: TextRules): (value: string, ctx: z.RefinementCtx) => void {
  return (value, ctx) => {
    for (const problem of textProblems(value, rules)) {
      ctx.addIssue({ code: 'custom', message: problem.message, params: { code: problem.code } });
    }
  };
}

function codePoint(character: string): string {
  return `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}
