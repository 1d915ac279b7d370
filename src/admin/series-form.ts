import type { NewSeriesInput } from '../application/series-commands.js';
import type { FieldError } from '../errors.js';
import type { Policy } from '../policy/policy-schema.js';
import { detailErrors } from './window-form.js';

/** The series form as typed, so a refused or previewed form shows it again. */
export interface SeriesForm {
  title: string;
  description: string;
  systems: string[];
  /** `weekly`, `biweekly` or `custom` (a raw RRULE). */
  repeat: string;
  /** RRULE weekday code: MO … SU. */
  weekday: string;
  rrule: string;
  /** First local date, YYYY-MM-DD. */
  dtstart: string;
  /** Local clock times HH:MM. */
  start: string;
  end: string;
  count: string;
  until: string;
}

export const WEEKDAYS: readonly { code: string; name: string }[] = [
  { code: 'MO', name: 'måndag' },
  { code: 'TU', name: 'tisdag' },
  { code: 'WE', name: 'onsdag' },
  { code: 'TH', name: 'torsdag' },
  { code: 'FR', name: 'fredag' },
  { code: 'SA', name: 'lördag' },
  { code: 'SU', name: 'söndag' },
];

export const REPEATS: readonly { value: string; label: string }[] = [
  { value: 'weekly', label: 'Varje vecka' },
  { value: 'biweekly', label: 'Varannan vecka' },
  { value: 'custom', label: 'Egen regel (RRULE enligt RFC 5545)' },
];

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;
const text = (value: unknown, max: number) => (typeof value === 'string' ? value.trim().slice(0, max) : '');

export function readSeriesForm(source: Record<string, unknown>): SeriesForm {
  const systems = source.system === undefined ? [] : [source.system].flat();
  const repeat = text(source.upprepning, 20);
  const weekday = text(source.veckodag, 2);
  return {
    title: text(source.titel, 200),
    description: typeof source.beskrivning === 'string' ? source.beskrivning.slice(0, 5000) : '',
    systems: systems.filter((s): s is string => typeof s === 'string'),
    repeat: REPEATS.some((r) => r.value === repeat) ? repeat : 'biweekly',
    weekday: WEEKDAYS.some((d) => d.code === weekday) ? weekday : 'TU',
    rrule: text(source.regel, 500),
    dtstart: text(source.forsta, 10),
    start: text(source.starttid, 5),
    end: text(source.sluttid, 5),
    count: text(source.antal, 3),
    until: text(source.sista, 10),
  };
}

/** The RRULE the choices mean: `FREQ=WEEKLY;INTERVAL=2;BYDAY=TU` for every other Tuesday. */
export function ruleOf(form: SeriesForm): string {
  if (form.repeat === 'custom') return form.rrule;
  return `FREQ=WEEKLY;INTERVAL=${form.repeat === 'biweekly' ? 2 : 1};BYDAY=${form.weekday}`;
}

/**
 * The form as the series command takes it, or the fields in error. The rule itself, the
 * slots and the notice are left to the service, so the page refuses what the API refuses.
 */
export function parseSeriesForm(form: SeriesForm, policy: Policy, dryRun: boolean): { value?: NewSeriesInput; errors: FieldError[] } {
  const errors: FieldError[] = detailErrors(form, policy);
  if (form.repeat === 'custom' && form.rrule.length < 5) {
    errors.push({ path: 'rrule', code: 'required', message: 'Skriv regeln, till exempel FREQ=WEEKLY;INTERVAL=2;BYDAY=TU.' });
  }
  if (!DATE.test(form.dtstart)) errors.push({ path: 'dtstart', code: 'required', message: 'Ange första dagen, till exempel 2027-01-05.' });
  if (!CLOCK.test(form.start)) errors.push({ path: 'start', code: 'required', message: 'Ange när driftstoppen börjar, till exempel 09:00.' });
  if (!CLOCK.test(form.end)) errors.push({ path: 'end', code: 'required', message: 'Ange när driftstoppen slutar, till exempel 11:00.' });
  const count = Number(form.count);
  if (form.count && form.until) {
    errors.push({ path: 'count', code: 'both', message: 'Ange antingen antal tillfällen eller sista dag, inte båda.' });
  } else if (!form.count && !form.until) {
    errors.push({ path: 'count', code: 'required', message: 'Ange hur många tillfällen serien har, eller dess sista dag.' });
  } else if (form.count && !(Number.isInteger(count) && count >= 1 && count <= 100)) {
    errors.push({ path: 'count', code: 'invalid', message: 'Antal tillfällen ska vara ett heltal från 1 till 100.' });
  } else if (form.until && !DATE.test(form.until)) {
    errors.push({ path: 'until', code: 'invalid', message: 'Ange sista dagen som ett datum, till exempel 2027-06-29.' });
  }
  if (errors.length > 0) return { errors };
  return {
    errors,
    value: {
      title: form.title,
      description: form.description,
      systems: form.systems,
      kind: 'minor',
      rrule: ruleOf(form),
      dtstart: form.dtstart,
      start: form.start,
      end: form.end,
      count: form.count ? count : undefined,
      until: form.until || undefined,
      dryRun,
    },
  };
}
