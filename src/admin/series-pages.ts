import { Router, type Response } from 'express';
import { DateTime } from 'luxon';
import { createSeries, type SeriesView, type SkippedOccurrence } from '../application/series-commands.js';
import { AppError, type FieldError } from '../errors.js';
import { adminOnly, sessionOf, type AdminContext } from './admin-context.js';
import { sendPage, span } from './admin-views.js';
import { readSeriesForm, parseSeriesForm, REPEATS, WEEKDAYS, type SeriesForm } from './series-form.js';
import { formErrors, refusalOf } from './window-form.js';
import { slotRule } from './window-form-view.js';

const SERIES_FIELDS: ReadonlySet<string> = new Set(['title', 'description', 'systems', 'rrule', 'dtstart', 'start', 'end', 'count', 'until']);

const PATH = '/admin/serier/ny';

/**
 * Register a recurring series: fill in the rule, preview which occurrences are registered
 * and which are skipped (and why, with the nearest time that keeps the rules), then create.
 * The preview is the service's own dry run, so it shows exactly what creating would do.
 */
export function seriesPageRoutes(ctx: AdminContext): Router {
  const router = Router();
  const { deps } = ctx;
  const zone = deps.rules.policy.timezone;

  const show = (res: Response, form: SeriesForm, errors: readonly FieldError[], preview: ReturnType<typeof previewOf> | null, status = 200) => {
    const byField = formErrors(errors, SERIES_FIELDS);
    const field = (name: string) => ({ errors: byField.byField[name] ?? [], invalid: (byField.byField[name]?.length ?? 0) > 0 });
    const title = `${errors.length ? 'Fel i formuläret: ' : preview ? 'Förhandsgranskning: ' : ''}Registrera serie`;
    sendPage(res, 'series-new', ctx.frame(res, title, 'series'), {
      form,
      errors: byField,
      hasErrors: byField.summary.length > 0,
      formErrors: byField.byField.form ?? [],
      fields: Object.fromEntries([...SERIES_FIELDS].map((name) => [name, field(name)])),
      systems: Object.entries(deps.rules.policy.systems).map(([id, system]) => ({ id, name: system.displayName, checked: form.systems.includes(id) })),
      repeats: REPEATS.map((r) => ({ ...r, checked: r.value === form.repeat })),
      weekdays: WEEKDAYS.map((d) => ({ ...d, selected: d.code === form.weekday })),
      slotRule: slotRule(deps.rules.policy),
      preview,
    }, status);
  };

  /** Registered and skipped occurrences in date order, as the preview table lists them. */
  const previewOf = (view: Pick<SeriesView, 'windows' | 'skipped'>) => {
    const rows = [
      ...view.windows.map((w) => ({ sort: w.start, when: span(new Date(w.start), new Date(w.end), zone), registered: true, reason: null, suggestion: null })),
      ...view.skipped.map((s: SkippedOccurrence) => ({
        sort: DateTime.fromISO(s.date, { zone }).toISO()!,
        when: DateTime.fromISO(s.date, { zone }).setLocale('sv').toFormat('cccc d LLLL yyyy'),
        registered: false,
        reason: s.message,
        suggestion: s.suggestedStart && s.suggestedEnd ? span(new Date(s.suggestedStart), new Date(s.suggestedEnd), zone) : null,
      })),
    ].sort((a, b) => Date.parse(a.sort) - Date.parse(b.sort));
    const count = (n: number) => (n === 1 ? '1 tillfälle' : `${n} tillfällen`);
    return { rows, canCreate: view.windows.length > 0, registered: count(view.windows.length), skipped: view.skipped.length > 0 ? count(view.skipped.length) : null };
  };

  router.get(PATH, ctx.signedIn, adminOnly, (req, res) => {
    show(res, readSeriesForm(req.query as Record<string, unknown>), [], null);
  });

  router.post(PATH, ...ctx.changes(), async (req, res) => {
    const form = readSeriesForm(req.body as Record<string, unknown>);
    const create = (req.body as Record<string, unknown>).steg === 'registrera';
    const parsed = parseSeriesForm(form, deps.rules.policy, !create);
    if (!parsed.value) {
      show(res, form, parsed.errors, null, 422);
      return;
    }
    try {
      const view = await createSeries(deps, parsed.value, sessionOf(res).actor);
      if (!create) {
        show(res, form, [], previewOf(view));
        return;
      }
      res.redirect(303, `/admin?lista=kommande&sok=${encodeURIComponent(form.title)}&klart=serie`);
    } catch (error) {
      // No occurrence keeps the rules: the preview still shows why each was skipped.
      const skipped = error instanceof AppError && Array.isArray(error.extra?.skipped) ? (error.extra.skipped as SkippedOccurrence[]) : null;
      show(res, form, refusalOf(error).errors, skipped ? previewOf({ windows: [], skipped }) : null, 422);
    }
  });

  return router;
}
