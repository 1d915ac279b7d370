import { Router, type Request, type Response } from 'express';
import {
  createRecipient,
  findRecipients,
  importRecipients,
  removeRecipient,
  type ImportReport,
  type RecipientListQuery,
} from '../application/recipient-commands.js';
import { AppError, zodIssuesToFieldErrors, type FieldError } from '../errors.js';
import { ADDED_KINDS, createRecipientBody, RECIPIENT_KINDS } from '../recipients/recipient-schemas.js';
import { confirmation, sessionOf, type AdminContext } from './admin-context.js';
import { RECIPIENT_KIND } from './admin-labels.js';
import { sendPage } from './admin-views.js';
import { recipientEditRoutes } from './recipient-edit-pages.js';
import { inSwedish, RECIPIENT_FIELDS, recipientRow } from './recipient-view.js';
export { inSwedish } from './recipient-view.js';
import { formErrors } from './window-form.js';

interface RecipientForm {
  kind: string;
  name: string;
  email: string;
  systems: string[];
  unit: string;
}

const EMPTY: RecipientForm = { kind: 'manager', name: '', email: '', systems: [], unit: '' };

const rows = (n: number) => `${n} ${n === 1 ? 'rad' : 'rader'}`;

export function importSummary(report: ImportReport): string {
  const refused = report.refused.length;
  return report.dryRun
    ? `Provkörning: ${rows(report.imported)} skulle importeras och ${rows(refused)} avvisas. Inget har sparats.`
    : `${report.imported} mottagare importerades, ${rows(refused)} avvisades.`;
}

const one = (value: unknown) => (typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : '');

/** The search in the address (`?sok=väster&system=tes&typ=manager&sida=2`); anything unknown is left out, never refused. */
export function readRecipientSearch(query: Record<string, unknown>, systems: readonly string[]): RecipientListQuery & { page: number } {
  const kind = one(query.typ);
  const system = one(query.system);
  const page = Number.parseInt(one(query.sida), 10);
  return {
    q: one(query.sok).trim().slice(0, 100) || undefined,
    kind: (RECIPIENT_KINDS as readonly string[]).includes(kind) ? (kind as RecipientListQuery['kind']) : undefined,
    system: systems.includes(system) ? system : undefined,
    page: Number.isSafeInteger(page) && page > 0 ? page : 1,
  };
}

/**
 * Recipients: the register first (searched, filtered, paged, each row leading to its own page),
 * then adding one and importing a CSV list; removing from the list.
 */
export function recipientPageRoutes(ctx: AdminContext): Router {
  const router = Router();
  const { policy } = ctx.deps.rules;
  const systemIds = Object.keys(policy.systems);

  const show = async (
    req: Request,
    res: Response,
    state: { form?: RecipientForm; errors?: FieldError[]; csv?: string; importErrors?: FieldError[]; report?: ImportReport; notice?: string },
    status = 200,
  ) => {
    const form = state.form ?? EMPTY;
    const errors = formErrors(state.errors ?? [], RECIPIENT_FIELDS);
    const field = (name: string) => ({ errors: errors.byField[name] ?? [], invalid: (errors.byField[name]?.length ?? 0) > 0 });
    const search = readRecipientSearch(req.query as Record<string, unknown>, systemIds);
    let found = await findRecipients(ctx.app, search);
    if (search.page > found.pages) found = await findRecipients(ctx.app, { ...search, page: found.pages });
    const managersStopped = (await findRecipients(ctx.app, { kind: 'manager' })).items.filter((r) => r.unsubscribedAt !== null).length;
    const href = (page: number) => {
      const params = new URLSearchParams();
      if (search.q) params.set('sok', search.q);
      if (search.system) params.set('system', search.system);
      if (search.kind) params.set('typ', search.kind);
      if (page > 1) params.set('sida', String(page));
      const text = params.toString();
      return `/admin/mottagare${text ? `?${text}` : ''}`;
    };
    const filtered = Boolean(search.q || search.system || search.kind);
    const count = found.total === 1 ? '1 mottagare' : `${found.total} mottagare`;
    sendPage(res, 'recipients', ctx.frame(res, state.errors?.length ? 'Fel i formuläret: Mottagare' : 'Mottagare', 'recipients', state.notice), {
      recipients: found.items.map((r) => recipientRow(r, policy)),
      search: {
        q: search.q ?? '',
        systems: systemIds.map((id) => ({ id, name: policy.systems[id]!.displayName, selected: search.system === id })),
        kinds: RECIPIENT_KINDS.map((value) => ({ value, label: RECIPIENT_KIND[value], selected: search.kind === value })),
        filtered,
        countText: filtered ? `${count} matchar sökningen.` : `${count} i registret.`,
        page: found.page,
        pages: found.pages,
        previous: found.page > 1 ? href(found.page - 1) : null,
        next: found.page < found.pages ? href(found.page + 1) : null,
      },
      managersStopped,
      managersStoppedText: managersStopped === 1 ? '1 chef har slutat ta emot meddelanden' : `${managersStopped} chefer har slutat ta emot meddelanden`,
      form,
      errors,
      hasErrors: errors.summary.length > 0,
      fields: { kind: field('kind'), name: field('name'), email: field('email'), systems: field('systems'), unit: field('unit') },
      kinds: ADDED_KINDS.map((value) => ({ value, label: RECIPIENT_KIND[value], checked: form.kind === value })),
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
    await show(req, res, { notice: confirmation(req) });
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
      await show(req, res, { form, errors: inSwedish(zodIssuesToFieldErrors(parsed.error)) }, 422);
      return;
    }
    try {
      await createRecipient(ctx.app, parsed.data, sessionOf(res).actor);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      const errors = error.status === 409 ? [{ path: 'email', code: 'duplicate', message: error.message }] : (error.errors ?? []);
      await show(req, res, { form, errors: inSwedish(errors) }, 422);
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
      await show(req, res, { csv, importErrors: [{ path: 'csv', code: 'required', message: 'Klistra in CSV-filens innehåll eller välj en fil.' }] }, 422);
      return;
    }
    try {
      const report = await importRecipients(ctx.app, csv, { dryRun: body.provkor === 'ja' }, sessionOf(res).actor);
      await show(req, res, { csv: report.dryRun ? csv : '', report });
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 400) throw error;
      await show(req, res, { csv, importErrors: [{ path: 'csv', code: error.code, message: error.message }] }, 422);
    }
  });

  router.use(recipientEditRoutes(ctx));
  return router;
}
