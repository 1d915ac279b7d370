import { Router, type Response } from 'express';
import { createRecipient, importRecipients, listRecipients, removeRecipient, type ImportReport } from '../application/recipient-commands.js';
import { AppError, zodIssuesToFieldErrors, type FieldError } from '../errors.js';
import { createRecipientBody } from '../recipients/recipient-schemas.js';
import { TEXT_PROBLEM_CODES } from '../rules/text-rules.js';
import { confirmation, sessionOf, type AdminContext } from './admin-context.js';
import { RECIPIENT_KIND, systemText } from './admin-labels.js';
import { sendPage } from './admin-views.js';
import { formErrors } from './window-form.js';

interface RecipientForm {
  kind: string;
  name: string;
  email: string;
  systems: string[];
  unit: string;
}

const RECIPIENT_FIELDS: ReadonlySet<string> = new Set(['kind', 'name', 'email', 'systems', 'unit']);
const EMPTY: RecipientForm = { kind: 'manager', name: '', email: '', systems: [], unit: '' };

/** Swedish words for the schema's complaints, by field; other messages are Swedish already. */
const FIELD_MESSAGES: Record<string, string> = {
  kind: 'Välj chef eller extern utförare.',
  name: 'Ange ett namn.',
  email: 'Ange en giltig e-postadress.',
  systems: 'Välj minst ett system.',
  unit: 'Enheten får vara högst 200 tecken.',
};

export function inSwedish(errors: readonly FieldError[]): FieldError[] {
  return errors.map((e) => {
    const field = e.path.split('.')[0]!;
    const ownWords = e.code === 'unknown_system' || e.code === 'duplicate' || TEXT_PROBLEM_CODES.has(e.code);
    const swedish = ownWords ? undefined : FIELD_MESSAGES[field];
    return swedish ? { ...e, path: field, message: swedish } : e;
  });
}

const rows = (n: number) => `${n} ${n === 1 ? 'rad' : 'rader'}`;

export function importSummary(report: ImportReport): string {
  const refused = report.refused.length;
  return report.dryRun
    ? `Provkörning: ${rows(report.imported)} skulle importeras och ${rows(refused)} avvisas. Inget har sparats.`
    : `${report.imported} mottagare importerades, ${rows(refused)} avvisades.`;
}

/** Recipients: the list, one added or removed at a time, and a CSV import with its per-row report. */
export function recipientPageRoutes(ctx: AdminContext): Router {
  const router = Router();
  const { policy } = ctx.deps.rules;

  const show = async (
    res: Response,
    state: { form?: RecipientForm; errors?: FieldError[]; csv?: string; importErrors?: FieldError[]; report?: ImportReport; notice?: string },
    status = 200,
  ) => {
    const form = state.form ?? EMPTY;
    const errors = formErrors(state.errors ?? [], RECIPIENT_FIELDS);
    const field = (name: string) => ({ errors: errors.byField[name] ?? [], invalid: (errors.byField[name]?.length ?? 0) > 0 });
    const recipients = await listRecipients(ctx.app, {});
    sendPage(res, 'recipients', ctx.frame(res, state.errors?.length ? 'Fel i formuläret: Mottagare' : 'Mottagare', 'recipients', state.notice), {
      recipients: recipients.map((r) => ({
        ...r,
        kindLabel: RECIPIENT_KIND[r.kind] ?? r.kind,
        systemsText: systemText(policy, r.systems),
      })),
      count: recipients.length,
      form,
      errors,
      hasErrors: errors.summary.length > 0,
      fields: { kind: field('kind'), name: field('name'), email: field('email'), systems: field('systems'), unit: field('unit') },
      kinds: Object.entries(RECIPIENT_KIND).map(([value, label]) => ({ value, label, checked: form.kind === value })),
      systems: Object.entries(policy.systems).map(([id, s]) => ({ id, name: s.displayName, checked: form.systems.includes(id) })),
      csv: state.csv ?? '',
      importErrors: (state.importErrors ?? []).map((e) => e.message),
      importInvalid: (state.importErrors?.length ?? 0) > 0,
      report: state.report
        ? {
            ...state.report,
            summary: importSummary(state.report),
            refused: state.report.refused.map((r) => ({ row: r.row, email: r.email ?? '', messages: inSwedish(r.errors).map((e) => e.message) })),
          }
        : null,
    }, status);
  };

  router.get('/admin/mottagare', ctx.signedIn, async (req, res) => {
    await show(res, { notice: confirmation(req) });
  });

  router.post('/admin/mottagare', ...ctx.changes(), async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const str = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : '');
    const form: RecipientForm = {
      kind: str('typ'),
      name: str('namn').trim(),
      email: str('epost').trim(),
      systems: [body.system ?? []].flat().filter((s): s is string => typeof s === 'string'),
      unit: str('enhet').trim(),
    };
    const parsed = createRecipientBody.safeParse({ ...form, unit: form.unit || null });
    if (!parsed.success) {
      await show(res, { form, errors: inSwedish(zodIssuesToFieldErrors(parsed.error)) }, 422);
      return;
    }
    try {
      await createRecipient(ctx.app, parsed.data, sessionOf(res).actor);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      const errors = error.status === 409 ? [{ path: 'email', code: 'duplicate', message: error.message }] : (error.errors ?? []);
      await show(res, { form, errors: inSwedish(errors) }, 422);
      return;
    }
    res.redirect(303, '/admin/mottagare?klart=mottagare-tillagd');
  });

  router.post('/admin/mottagare/:id/ta-bort', ...ctx.changes(), async (req, res) => {
    const id = req.params.id;
    if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) throw new AppError('not_found', 404, 'Mottagaren finns inte.');
    await removeRecipient(ctx.app, id, sessionOf(res).actor);
    res.redirect(303, '/admin/mottagare?klart=mottagare-borttagen');
  });

  router.post('/admin/mottagare/import', ...ctx.changes({ bodyLimit: '2mb' }), async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const csv = typeof body.csv === 'string' ? body.csv : '';
    if (!csv.trim()) {
      await show(res, { csv, importErrors: [{ path: 'csv', code: 'required', message: 'Klistra in CSV-filens innehåll eller välj en fil.' }] }, 422);
      return;
    }
    try {
      const report = await importRecipients(ctx.app, csv, { dryRun: body.provkor === 'ja' }, sessionOf(res).actor);
      await show(res, { csv: report.dryRun ? csv : '', report });
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 400) throw error;
      await show(res, { csv, importErrors: [{ path: 'csv', code: error.code, message: error.message }] }, 422);
    }
  });

  return router;
}
