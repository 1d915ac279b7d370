import { DateTime } from 'luxon';
import { AppError, type FieldError } from '../errors.js';
import type { Policy } from '../policy/policy-schema.js';
import type { RuleBook } from '../rules/notice-plan.js';
import type { Slot } from '../rules/slots.js';
import type { WindowRow } from '../storage/schema.js';
import { WINDOW_KIND, WINDOW_STATUS, systemText } from './admin-labels.js';
import { localInput, span, when } from './admin-views.js';
import { formErrors, type Conflict, type OfferedTime, type WindowForm } from './window-form.js';

/** What a refused form shows beside its errors. */
export type WindowRefusal = NonNullable<Parameters<typeof windowFormContext>[0]['refusal']>;

/** What the register and reschedule forms show: the values typed, the errors, the offers. */
export function windowFormContext(input: {
  rules: RuleBook;
  form: WindowForm;
  errors: readonly FieldError[];
  /** After a refusal: the time offered instead, the windows it overlaps, the blackout period it hit. */
  refusal?: { offered: OfferedTime | null; conflicts: readonly Conflict[]; blackout: { reason: string } | null } | undefined;
  /** Where the form links to be prefilled (the same page, as a GET). */
  formPath: string;
  slots?: readonly Slot[];
}) {
  const { rules, form } = input;
  const { policy, calendar } = rules;
  const zone = policy.timezone;
  const errors = formErrors(input.errors);
  const refusedForNotice = input.errors.some((e) => e.code === 'insufficient_notice');
  const shortNoticeAsked = refusedForNotice || (form.acceptShortNotice && input.errors.length > 0);
  const prefill = (start: DateTime, end: DateTime) =>
    `${input.formPath}?${prefillQuery({ ...form, start: localInput(start, zone), end: localInput(end, zone) })}`;

  let offered: { text: string; href: string } | null = null;
  if (input.refusal?.offered) {
    const start = DateTime.fromISO(input.refusal.offered.start, { setZone: true });
    const end = DateTime.fromISO(input.refusal.offered.end, { setZone: true });
    offered = { text: span(start.toJSDate(), end.toJSDate(), zone), href: prefill(start, end) };
  }
  const overlapAsked = input.errors.some((e) => e.code === 'overlapping_window') || (form.acceptOverlap && input.errors.length > 0);
  const conflicts = (input.refusal?.conflicts ?? []).map((c) => ({
    title: c.title,
    when: span(new Date(c.start), new Date(c.end), zone),
    href: `/admin/driftstopp/${c.id}`,
  }));
  const blackoutHit = input.errors.some((e) => e.code === 'blackout_period');
  // Only an extensive window may be registered in a blackout period, and only with a reason.
  const blackoutAllowed = form.kind === 'extensive' && (blackoutHit || (form.acceptBlackout && input.errors.length > 0));
  const field = (name: string) => ({ errors: errors.byField[name] ?? [], invalid: (errors.byField[name]?.length ?? 0) > 0 });

  return {
    form,
    errors,
    hasErrors: errors.summary.length > 0,
    formErrors: errors.byField.form ?? [],
    fields: {
      title: field('title'),
      description: field('description'),
      systems: field('systems'),
      kind: field('kind'),
      start: field('start'),
      end: field('end'),
      reason: field('reason'),
      overlapReason: field('overlapReason'),
      blackoutReason: field('blackoutReason'),
    },
    systems: Object.entries(policy.systems).map(([id, system]) => ({
      id,
      name: system.displayName,
      description: system.description,
      checked: form.systems.includes(id),
    })),
    kinds: Object.entries(WINDOW_KIND).map(([value, label]) => ({ value, label, checked: form.kind === value })),
    slotRule: slotRule(policy),
    slots: (input.slots ?? []).map((slot) => ({
      text: span(slot.start.toJSDate(), slot.end.toJSDate(), zone),
      weekday: calendar.local(slot.start).setLocale('sv').toFormat('cccc'),
      href: prefill(slot.start, slot.end),
    })),
    offered,
    shortNotice: shortNoticeAsked ? {} : null,
    overlap: overlapAsked ? { conflicts } : null,
    blackout: blackoutHit || blackoutAllowed ? { reason: input.refusal?.blackout?.reason ?? null, allowed: blackoutAllowed } : null,
  };
}

/** The form's values as a query string, so a link can fill the form in again. */
export function prefillQuery(form: WindowForm): string {
  const params = new URLSearchParams();
  if (form.title) params.set('titel', form.title);
  if (form.description) params.set('beskrivning', form.description);
  for (const system of form.systems) params.append('system', system);
  if (form.kind) params.set('typ', form.kind);
  params.set('start', form.start);
  params.set('slut', form.end);
  return params.toString();
}

export function slotRule(policy: Policy): string {
  const names = ['måndagar', 'tisdagar', 'onsdagar', 'torsdagar', 'fredagar', 'lördagar', 'söndagar'];
  const days = policy.minorWindow.weekdays.map((d) => names[d - 1]).join(' eller ');
  const { earliestStart, latestEnd } = policy.minorWindow;
  return `${days} ${earliestStart.replace(':', '.')}–${latestEnd.replace(':', '.')}`;
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A window id from the path, or the 404 page: a malformed id names no window. */
export function windowId(value: unknown): string {
  if (typeof value !== 'string' || !ID.test(value)) throw new AppError('not_found', 404, 'Driftstoppet finns inte.');
  return value;
}

/** A window's facts in the page's words, for the detail, reschedule and cancel pages. */
export function windowSummary(row: WindowRow, policy: Policy) {
  const zone = policy.timezone;
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    when: span(row.start_at, row.end_at, zone),
    systems: systemText(policy, row.systems),
    kind: WINDOW_KIND[row.kind] ?? row.kind,
    status: row.status,
    statusLabel: WINDOW_STATUS[row.status] ?? row.status,
    scheduled: row.status === 'scheduled',
    revision: row.revision,
    shortNoticeReason: row.short_notice_reason,
    overlapReason: row.overlap_reason,
    blackoutReason: row.blackout_reason,
    cancelReason: row.cancel_reason,
    createdBy: row.created_by,
    createdAt: when(row.created_at, zone),
    href: `/admin/driftstopp/${row.id}`,
  };
}
