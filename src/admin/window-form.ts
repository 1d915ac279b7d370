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
  /** One per form shown, so pressing "Registrera" twice registers one window. */
  idempotencyKey: string;
}

const DATETIME_LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;
const KEY = /^[0-9a-f-]{36}$/;

const text = (value: unknown, max: number) => (typeof value === 'string' ? value.trim().slice(0, max) : '');

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
    acceptShortNotice: source.kortVarsel === 'ja',
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
    if (!form.title) errors.push({ path: 'title', code: 'required', message: 'Ange en rubrik.' });
    errors.push(...textErrors('title', form.title, LINE), ...textErrors('description', form.description, PROSE));
    if (form.systems.length === 0) errors.push({ path: 'systems', code: 'required', message: 'Välj minst ett system.' });
    const unknown = form.systems.filter((s) => !Object.hasOwn(policy.systems, s));
    if (unknown.length > 0) errors.push({ path: 'systems', code: 'unknown_system', message: `Okänt system: ${unknown.join(', ')}.` });
    if (form.kind !== 'minor' && form.kind !== 'extensive') errors.push({ path: 'kind', code: 'invalid', message: 'Välj typ av driftstopp.' });
  }
  const start = localTime(form.start, zone, 'start', 'Ange när driftstoppet börjar.', errors);
  const end = localTime(form.end, zone, 'end', 'Ange när driftstoppet slutar.', errors);
  if (form.acceptShortNotice && form.reason.length < 3) {
    errors.push({ path: 'reason', code: 'required', message: 'Skriv varför det kortare varslet behövs (minst 3 tecken).' });
  } else if (form.acceptShortNotice) {
    errors.push(...textErrors('reason', form.reason, REASON));
  }
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
    },
  };
}

/** The API's refusals of a text field (rules/text-rules.ts), in the same words. */
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
const WINDOW_FIELDS: ReadonlySet<string> = new Set(['title', 'description', 'systems', 'kind', 'start', 'end', 'reason']);

export interface FormErrors {
  /** Messages per form field. */
  byField: Record<string, string[]>;
  /** Every message, each with the field it links to (for the summary at the top). */
  summary: { field: string; message: string }[];
}

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
    summary.push({ field: error.code === 'insufficient_notice' ? 'kort-varsel' : field, message });
  }
  return { byField, summary };
}

/** The field errors of a refusal from the service, or the error itself when it is no refusal. */
export function refusalOf(error: unknown): { errors: FieldError[]; earliest: string | null } {
  if (error instanceof AppError && (error.status === 422 || error.status === 400 || error.status === 409)) {
    const earliest = error.extra?.earliestCompliantStart;
    return {
      errors: error.errors ?? [{ path: 'form', code: error.code, message: error.message }],
      earliest: typeof earliest === 'string' ? earliest : null,
    };
  }
  throw error;
}

/** Refusals a different start can cure; the page then offers the earliest start that keeps every rule. */
const CURABLE = new Set(['outside_maintenance_slot', 'public_holiday', 'in_past', 'insufficient_notice', 'too_far_ahead']);

/**
 * The earliest compliant start for a refused window: the service's own when it gave one
 * (too short notice), otherwise the rule book's search from the same draft, so a window on
 * a Thursday or a holiday is offered the nearest allowed start too.
 */
export function earliestStartFor(
  rules: RuleBook,
  draft: { kind: WindowKind; systems: readonly string[]; start: DateTime; end: DateTime },
  refusal: { errors: readonly FieldError[]; earliest: string | null },
  now: DateTime,
): string | null {
  if (refusal.earliest) return refusal.earliest;
  if (!refusal.errors.some((e) => CURABLE.has(e.code)) || draft.end <= draft.start) return null;
  return findEarliestCompliantStart(rules, draft, now)?.toISO() ?? null;
}
