import { DateTime } from 'luxon';
import { AppError, type FieldError } from '../errors.js';
import type { Policy } from '../policy/policy-schema.js';
import type { RuleBook, WindowKind } from '../rules/notice-plan.js';
import { LINE, PROSE, REASON, textProblems, type TextRules } from '../rules/text-rules.js';
import { findEarliestCompliantStart } from '../rules/window-rules.js';

/** The fields of the register and reschedule forms as typed, so a refused form shows them again. */
export interface WindowForm {
  title: string;
  description: string;
  systems: string[];
  kind: string;
  start: string;
  end: string;
  /** Why short notice is accepted; only asked for after the service refused for notice. */
  reason: string;
  acceptShortNotice: boolean;
  /** Why an overlap with other windows on the same systems is accepted; asked for after an overlap refusal. */
  overlapReason: string;
  acceptOverlap: boolean;
  /** Why an extensive window may start in a blackout period; asked for after a blackout refusal. */
  blackoutReason: string;
  acceptBlackout: boolean;
  /** One per form shown, so pressing "Registrera" twice registers one window. */
  idempotencyKey: string;
}

const DATETIME_LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;
const KEY = /^[0-9a-f-]{36}$/;

const text = (value: unknown, max: number) => (typeof value === 'string' ? value.trim().slice(0, max) : '');
/** A yes from a button or a hidden field; both may be sent at once, which a form posts as two values. */
const yes = (value: unknown) => [value].flat().includes('ja');

/** The form as posted (urlencoded) or as linked (query string); anything missing is empty. */
export function readWindowForm(source: Record<string, unknown>): WindowForm {
  const systems = source.system === undefined ? [] : [source.system].flat();
  return {
    title: text(source.titel, 200),
    description: typeof source.beskrivning === 'string' ? source.beskrivning.slice(0, 5000) : '',
    systems: systems.filter((s): s is string => typeof s === 'string'),
    kind: text(source.typ, 20) || 'minor',
    start: text(source.start, 30),
    end: text(source.slut, 30),
    reason: text(source.skal, 1000),
    acceptShortNotice: yes(source.kortVarsel),
    overlapReason: text(source.krockSkal, 1000),
    acceptOverlap: yes(source.tillatKrock),
    blackoutReason: text(source.sparrSkal, 1000),
    acceptBlackout: yes(source.tillatSparr),
    idempotencyKey: KEY.test(text(source.nyckel, 40)) ? text(source.nyckel, 40) : '',
  };
}

export interface ParsedWindow {
  title: string;
  description: string;
  systems: string[];
  kind: WindowKind;
  start: DateTime;
  end: DateTime;
  shortNotice: { reason: string } | undefined;
  allowOverlap: { reason: string } | undefined;
  allowBlackout: { reason: string } | undefined;
}

/**
 * The form's values as the window service takes them, or the fields in error. What the
 * service itself checks (slot, holiday, notice, order of start and end) is left to it, so
 * the page refuses exactly what the API refuses, in the same words.
 */
export function parseWindowForm(form: WindowForm, policy: Policy, parts: { details: boolean }): { value?: ParsedWindow; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const zone = policy.timezone;
  if (parts.details) {
    errors.push(...detailErrors(form, policy));
    if (form.kind !== 'minor' && form.kind !== 'extensive') errors.push({ path: 'kind', code: 'invalid', message: 'Välj typ av driftstopp.' });
  }
  const start = localTime(form.start, zone, 'start', 'Ange när driftstoppet börjar.', errors);
  const end = localTime(form.end, zone, 'end', 'Ange när driftstoppet slutar.', errors);
  if (form.acceptShortNotice && form.reason.length < 3) {
    errors.push({ path: 'reason', code: 'required', message: 'Skriv varför det kortare varslet behövs (minst 3 tecken).' });
  } else if (form.acceptShortNotice) {
    errors.push(...textErrors('reason', form.reason, REASON));
  }
  allowanceErrors(form.acceptOverlap, form.overlapReason, 'overlapReason', 'Skriv varför driftstoppet ändå ska krocka (minst 3 tecken).', errors);
  allowanceErrors(form.acceptBlackout, form.blackoutReason, 'blackoutReason', 'Skriv varför driftstoppet ändå ska ligga i spärrperioden (minst 3 tecken).', errors);
  if (errors.length > 0 || !start || !end) return { errors };
  return {
    errors,
    value: {
      title: form.title,
      description: form.description,
      systems: form.systems,
      kind: form.kind as WindowKind,
      start,
      end,
      shortNotice: form.acceptShortNotice ? { reason: form.reason } : undefined,
      allowOverlap: form.acceptOverlap ? { reason: form.overlapReason } : undefined,
      allowBlackout: form.acceptBlackout ? { reason: form.blackoutReason } : undefined,
    },
  };
}

/** An accepted exception needs its reason, held to the same text rules as the API's. */
function allowanceErrors(accepted: boolean, reason: string, path: string, missing: string, errors: FieldError[]): void {
  if (!accepted) return;
  if (reason.length < 3) errors.push({ path, code: 'required', message: missing });
  else errors.push(...textErrors(path, reason, REASON));
}

/** The API's refusals of a text field (rules/text-rules.ts), in the same words. */
/** The details a window and a series share: a title, a description, and systems the policy knows. */
export function detailErrors(form: { title: string; description: string; systems: readonly string[] }, policy: Policy): FieldError[] {
  const errors: FieldError[] = [];
  if (!form.title) errors.push({ path: 'title', code: 'required', message: 'Ange en rubrik.' });
  errors.push(...textErrors('title', form.title, LINE), ...textErrors('description', form.description, PROSE));
  if (form.systems.length === 0) errors.push({ path: 'systems', code: 'required', message: 'Välj minst ett system.' });
  const unknown = form.systems.filter((s) => !Object.hasOwn(policy.systems, s));
  if (unknown.length > 0) errors.push({ path: 'systems', code: 'unknown_system', message: `Okänt system: ${unknown.join(', ')}.` });
  return errors;
}

export function textErrors(path: string, value: string, rules: TextRules): FieldError[] {
  return textProblems(value, rules).map((problem) => ({ path, ...problem }));
}

/**
 * `datetime-local` is wall-clock time without an offset; it means Swedish time. A time that
 * does not exist that day (the hour skipped in March) is refused rather than moved.
 */
function localTime(value: string, zone: string, path: string, missing: string, errors: FieldError[]): DateTime | null {
  if (!value) {
    errors.push({ path, code: 'required', message: missing });
    return null;
  }
  const parsed = DATETIME_LOCAL.test(value) ? DateTime.fromISO(value, { zone }) : null;
  if (!parsed?.isValid) {
    errors.push({ path, code: 'invalid_format', message: 'Ange datum och klockslag, till exempel 2027-03-30 09:00.' });
    return null;
  }
  if (parsed.toFormat("yyyy-MM-dd'T'HH:mm") !== value.slice(0, 16)) {
    errors.push({ path, code: 'nonexistent_time', message: 'Den tiden finns inte den dagen (klockan ställs fram till sommartid).' });
    return null;
  }
  return parsed;
}

/** Fields the window forms have; any other path of a service error is shown above the form. */
const WINDOW_FIELDS: ReadonlySet<string> = new Set(['title', 'description', 'systems', 'kind', 'start', 'end', 'reason', 'overlapReason', 'blackoutReason']);

export interface FormErrors {
  /** Messages per form field. */
  byField: Record<string, string[]>;
  /** Every message, each with the field it links to (for the summary at the top). */
  summary: { field: string; message: string }[];
}

/** Refusals answered by a part of the form of their own, which the summary links to. */
const ANSWERED_IN: Readonly<Record<string, string>> = {
  insufficient_notice: 'kort-varsel',
  overlapping_window: 'krock',
  blackout_period: 'sparrperiod',
};

/** A service refusal in the page's words: insufficient notice gets its earliest start separately. */
export function formErrors(errors: readonly FieldError[], fields = WINDOW_FIELDS): FormErrors {
  const byField: Record<string, string[]> = {};
  const summary: { field: string; message: string }[] = [];
  for (const error of errors) {
    const head = error.path.split('.')[0]!;
    const field = fields.has(head) ? head : 'form';
    // The page offers the earliest start as a link of its own, so the rule's brief words suffice.
    const message = error.brief ?? error.message;
    (byField[field] ??= []).push(message);
    // The answer to too short notice is the short-notice part of the form, so the summary links there.
    summary.push({ field: ANSWERED_IN[error.code] ?? field, message });
  }
  return { byField, summary };
}

/** A window a refused one would overlap, as the 422 lists it. */
export interface Conflict {
  id: string;
  title: string;
  start: string;
  end: string;
}

export interface Refusal {
  errors: FieldError[];
  earliest: string | null;
  /** The compliant slot nearest to the one asked for (ISO instants), when the service suggests one. */
  suggestion: { start: string; end: string } | null;
  conflicts: Conflict[];
  blackout: { reason: string } | null;
}

/** The field errors of a refusal from the service, with what it suggests, or the error itself when it is no refusal. */
export function refusalOf(error: unknown): Refusal {
  if (error instanceof AppError && (error.status === 422 || error.status === 400 || error.status === 409)) {
    const extra = error.extra ?? {};
    const str = (value: unknown) => (typeof value === 'string' ? value : null);
    const start = str(extra.suggestedStart);
    const end = str(extra.suggestedEnd);
    const blackout = extra.blackout as { reason?: unknown } | undefined;
    return {
      errors: error.errors ?? [{ path: 'form', code: error.code, message: error.message }],
      earliest: str(extra.earliestCompliantStart),
      suggestion: start && end ? { start, end } : null,
      conflicts: Array.isArray(extra.conflicts) ? (extra.conflicts as Conflict[]) : [],
      blackout: typeof blackout?.reason === 'string' ? { reason: blackout.reason } : null,
    };
  }
  throw error;
}

/** Refusals a different start can cure; the page then offers the nearest start that keeps every rule. */
const CURABLE = new Set(['outside_maintenance_slot', 'public_holiday', 'in_past', 'insufficient_notice', 'too_far_ahead', 'blackout_period', 'overlapping_window']);

/** A time the page offers in place of the refused one (ISO instants). */
export interface OfferedTime {
  start: string;
  end: string;
}

/**
 * The time to offer for a refused window: the service's own suggestion (the compliant slot
 * nearest to the one asked for) when it gave one, otherwise the rule book's earliest start
 * of the same length, so a refusal that suggests no slot still offers a time.
 */
export function offeredTimeFor(
  rules: RuleBook,
  draft: { kind: WindowKind; systems: readonly string[]; start: DateTime; end: DateTime },
  refusal: Refusal,
  now: DateTime,
): OfferedTime | null {
  if (refusal.suggestion) return refusal.suggestion;
  if (!refusal.errors.some((e) => CURABLE.has(e.code)) || draft.end <= draft.start) return null;
  const earliest = refusal.earliest ? DateTime.fromISO(refusal.earliest, { setZone: true }) : findEarliestCompliantStart(rules, draft, now);
  if (!earliest?.isValid) return null;
  return { start: earliest.toISO()!, end: earliest.plus(draft.end.diff(draft.start)).toISO()! };
}
