import { randomUUID } from 'node:crypto';
import { Router, type Response } from 'express';
import { disruptionCompliance, whoWasToldOfDisruption } from '../application/compliance-queries.js';
import { addDisruptionUpdate, createDisruption, disruptionDetail, listDisruptions, type DisruptionView } from '../application/disruption-commands.js';
import { AppError, zodIssuesToFieldErrors, type FieldError } from '../errors.js';
import { createDisruptionBody, disruptionUpdateBody } from '../http/api-schemas.js';
import { DISRUPTION_STATUS_LABELS, DISRUPTION_STATUSES, OPEN_DISRUPTION_STATUSES } from '../rules/disruption-status.js';
import { TEXT_PROBLEM_CODES } from '../rules/text-rules.js';
import { confirmation, sessionOf, type AdminContext } from './admin-context.js';
import { audienceName, systemText } from './admin-labels.js';
import { sendPage, when } from './admin-views.js';
import { deliveriesCsv, deliveryRows, judgement, sendCsv } from './told-pages.js';
import { formErrors } from './window-form.js';

/** A disruption's messages as the page names them. */
const DISRUPTION_NOTICE_KIND: Record<string, string> = { announcement: 'Meddelande', update: 'Uppdatering' };

const NEW_FIELDS: ReadonlySet<string> = new Set(['title', 'systems', 'description', 'status']);
const UPDATE_FIELDS: ReadonlySet<string> = new Set(['status', 'message']);

/** Swedish words for the schema's complaints, by field; the text rules' own messages are kept. */
const FIELD_MESSAGES: Record<string, string> = {
  title: 'Ange en rubrik på en rad.',
  systems: 'Välj minst ett system.',
  description: 'Beskriv vad användarna märker.',
  status: 'Välj ett läge.',
  message: 'Skriv vad som är nytt.',
};

function inSwedish(errors: readonly FieldError[]): FieldError[] {
  return errors.map((e) => {
    const field = e.path.split('.')[0]!;
    const own = e.code === 'unknown_system' || e.code === 'resolved_at_registration' || TEXT_PROBLEM_CODES.has(e.code);
    return own || !FIELD_MESSAGES[field] ? { ...e, path: field } : { ...e, path: field, message: FIELD_MESSAGES[field]! };
  });
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
function disruptionId(value: unknown): string {
  if (typeof value !== 'string' || !ID.test(value)) throw new AppError('not_found', 404, 'Driftstörningen finns inte.');
  return value;
}

interface NewForm {
  title: string;
  systems: string[];
  description: string;
  status: string;
  key: string;
}

/**
 * Disruptions on the admin page: the list with a form to register one, and each disruption with
 * its updates, a form for the next, and who was told of it (the told page's tables).
 */
export function disruptionPageRoutes(ctx: AdminContext): Router {
  const router = Router();
  const { policy } = ctx.deps.rules;
  const zone = policy.timezone;
  const field = (errors: ReturnType<typeof formErrors>, name: string) => ({ errors: errors.byField[name] ?? [], invalid: (errors.byField[name]?.length ?? 0) > 0 });
  const statusChoices = (statuses: readonly string[], chosen: string) =>
    statuses.map((value) => ({ value, label: DISRUPTION_STATUS_LABELS[value as keyof typeof DISRUPTION_STATUS_LABELS], checked: chosen === value }));
  const summary = (d: DisruptionView) => ({
    id: d.id,
    title: d.title,
    systems: systemText(policy, d.systems),
    status: d.status,
    statusLabel: DISRUPTION_STATUS_LABELS[d.status as keyof typeof DISRUPTION_STATUS_LABELS],
    registered: when(new Date(d.createdAt), zone),
    updated: when(new Date(d.updatedAt), zone),
    resolved: d.resolvedAt ? when(new Date(d.resolvedAt), zone) : '',
  });

  const showList = async (res: Response, state: { form?: NewForm; errors?: FieldError[]; notice?: string }, status = 200) => {
    const form = state.form ?? { title: '', systems: [], description: '', status: 'investigating', key: randomUUID() };
    const errors = formErrors(state.errors ?? [], NEW_FIELDS);
    const all = await listDisruptions(ctx.deps, {});
    const title = state.errors?.length ? 'Fel i formuläret: Driftstörningar' : 'Driftstörningar';
    sendPage(res, 'disruptions', ctx.frame(res, title, 'disruptions', state.notice), {
      open: all.filter((d) => d.status !== 'resolved').map(summary),
      closed: all.filter((d) => d.status === 'resolved').map(summary),
      form,
      errors,
      hasErrors: errors.summary.length > 0,
      fields: { title: field(errors, 'title'), systems: field(errors, 'systems'), description: field(errors, 'description'), status: field(errors, 'status') },
      systems: Object.entries(policy.systems).map(([id, s]) => ({ id, name: s.displayName, checked: form.systems.includes(id) })),
      statuses: statusChoices(OPEN_DISRUPTION_STATUSES, form.status),
    }, status);
  };

  const showOne = async (res: Response, id: string, state: { form?: { status: string; message: string }; errors?: FieldError[]; notice?: string }, status = 200) => {
    const [disruption, compliance, deliveries] = await Promise.all([
      disruptionDetail(ctx.deps, id),
      disruptionCompliance(ctx.app, id),
      whoWasToldOfDisruption(ctx.app, id),
    ]);
    const errors = formErrors(state.errors ?? [], UPDATE_FIELDS);
    const form = state.form ?? { status: disruption.status === 'resolved' ? 'resolved' : disruption.status, message: '' };
    const messages = compliance.messages.map((m) => ({
      audience: audienceName(policy, m.audience),
      kind: m.catchUp ? 'Meddelande till ny mottagare' : (DISRUPTION_NOTICE_KIND[m.kind] ?? m.kind),
      revision: m.revision,
      due: when(m.dueAt, zone),
      sent: when(m.sentAt, zone),
      after: m.reachedAfterMs === null ? '' : seconds(m.reachedAfterMs),
      ...judgement(m),
    }));
    sendPage(res, 'disruption', ctx.frame(res, `${state.errors?.length ? 'Fel i formuläret: ' : ''}Driftstörning: ${disruption.title}`, 'disruptions', state.notice), {
      disruption: { ...summary(disruption), description: disruption.description },
      isOpen: disruption.status !== 'resolved',
      updates: [...disruption.updates].reverse().map((u) => ({
        sequence: u.sequence,
        statusLabel: DISRUPTION_STATUS_LABELS[u.status as keyof typeof DISRUPTION_STATUS_LABELS],
        message: u.message,
        at: when(new Date(u.at), zone),
        by: u.by,
      })),
      reached: compliance.audiences.map((a) => ({ audience: audienceName(policy, a.audience), at: when(a.reachedAt, zone), after: a.reachedAfterMs === null ? '' : seconds(a.reachedAfterMs) })),
      messages,
      alarmingCount: messages.filter((m) => m.alarming).length,
      ...deliveryRows(deliveries, policy, DISRUPTION_NOTICE_KIND),
      csvHref: `/admin/driftstorningar/${id}/besked.csv`,
      form,
      errors,
      hasErrors: errors.summary.length > 0,
      fields: { status: field(errors, 'status'), message: field(errors, 'message') },
      statuses: statusChoices(DISRUPTION_STATUSES, form.status),
    }, status);
  };

  router.get('/admin/driftstorningar', ctx.signedIn, async (req, res) => {
    await showList(res, { notice: confirmation(req) });
  });

  router.post('/admin/driftstorningar', ...ctx.changes(), async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const str = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : '');
    const form: NewForm = {
      title: str('rubrik').trim(),
      systems: [body.system ?? []].flat().filter((s): s is string => typeof s === 'string'),
      description: str('beskrivning'),
      status: str('lage') || 'investigating',
      key: ID.test(str('nyckel')) ? str('nyckel') : randomUUID(),
    };
    const parsed = createDisruptionBody.safeParse({ title: form.title, systems: form.systems, description: form.description, status: form.status });
    if (!parsed.success) {
      await showList(res, { form, errors: inSwedish(zodIssuesToFieldErrors(parsed.error)) }, 422);
      return;
    }
    try {
      // The form's own key: a double click or a reload after a slow answer registers it once.
      const created = await createDisruption(ctx.deps, parsed.data, sessionOf(res).actor, `admin:${form.key}`);
      res.redirect(303, `/admin/driftstorningar/${created.id}?klart=storning-registrerad`);
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 422) throw error;
      await showList(res, { form, errors: inSwedish(error.errors ?? []) }, 422);
    }
  });

  router.get('/admin/driftstorningar/:id', ctx.signedIn, async (req, res) => {
    await showOne(res, disruptionId(req.params.id), { notice: confirmation(req) });
  });

  router.post('/admin/driftstorningar/:id/uppdateringar', ...ctx.changes(), async (req, res) => {
    const id = disruptionId(req.params.id);
    const body = req.body as Record<string, unknown>;
    const form = { status: typeof body.lage === 'string' ? body.lage : '', message: typeof body.meddelande === 'string' ? body.meddelande : '' };
    const parsed = disruptionUpdateBody.safeParse(form);
    if (!parsed.success) {
      await showOne(res, id, { form, errors: inSwedish(zodIssuesToFieldErrors(parsed.error)) }, 422);
      return;
    }
    await addDisruptionUpdate(ctx.deps, id, parsed.data, sessionOf(res).actor);
    res.redirect(303, `/admin/driftstorningar/${id}?klart=storning-uppdaterad`);
  });

  router.get('/admin/driftstorningar/:id/besked.csv', ctx.signedIn, async (req, res) => {
    const id = disruptionId(req.params.id);
    sendCsv(res, `driftstorning-${id}-besked.csv`, deliveriesCsv(await whoWasToldOfDisruption(ctx.app, id), policy, DISRUPTION_NOTICE_KIND));
  });

  return router;
}

/** `4,2 s`, as a Swedish reader writes a decimal. */
function seconds(ms: number): string {
  return `${(Math.round(ms / 100) / 10).toLocaleString('sv-SE')} s`;
}
