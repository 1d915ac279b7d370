import { Router, type Response } from 'express';
import { changeRecipient, recipientDetail, recipientHistory, type RecipientView } from '../application/recipient-commands.js';
import { AppError, zodIssuesToFieldErrors, type FieldError } from '../errors.js';
import { formatDateTime } from '../messages/swedish-time.js';
import { patchRecipientBody } from '../recipients/recipient-schemas.js';
import { adminOnly, confirmation, sessionOf, type AdminContext } from './admin-context.js';
import { systemText } from './admin-labels.js';
import { sendPage } from './admin-views.js';
import { inSwedish, RECIPIENT_FIELDS, recipientRow } from './recipient-view.js';
import { formErrors } from './window-form.js';

/** What each entry of a recipient's audit trail did, in the page's words. */
const EVENT_TEXT: Record<string, string> = {
  'recipient.created': 'Lades till i registret',
  'recipient.removed': 'Togs bort ur registret',
  'recipient.changed': 'Ändrades',
  'recipient.systems_changed': 'Ändrade system',
  'recipient.deputy_set': 'Angav ersättare',
  'recipient.deputy_removed': 'Tog bort ersättare',
  'recipient.unsubscribed': 'Slutade ta emot meddelanden',
  'recipient.resubscribed': 'Började ta emot meddelanden igen',
};
const FIELD_WORDS: Record<string, string> = { name: 'namn', unit: 'enhet', email: 'e-post', systems: 'system' };

interface EditForm {
  name: string;
  email: string;
  unit: string;
  systems: string[];
}

const isId = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f-]{36}$/i.test(value);

/**
 * One recipient's page: what they follow and whether messages reach them (their own choices
 * included: stopped, a deputy), the administrator's form to change name, unit, address and
 * systems, and every change on record, whoever made it.
 */
export function recipientEditRoutes(ctx: AdminContext): Router {
  const router = Router();
  const { policy } = ctx.deps.rules;
  const zone = policy.timezone;

  const describe = (details: Record<string, unknown>): string => {
    const parts = Object.entries(details).flatMap(([key, value]) => {
      const change = value as { before?: unknown; after?: unknown } | null;
      if (!FIELD_WORDS[key] || typeof change !== 'object' || change === null || !('after' in change)) return [];
      const shown = (v: unknown) => (Array.isArray(v) ? systemText(policy, v as string[]) : v === null || v === '' || v === undefined ? '–' : String(v));
      return [`${FIELD_WORDS[key]}: ${shown(change.before)} → ${shown(change.after)}`];
    });
    return parts.join('; ');
  };

  const show = async (res: Response, recipient: RecipientView, form: EditForm, errors: FieldError[], notice?: string, status = 200) => {
    const formState = formErrors(errors, RECIPIENT_FIELDS);
    const field = (name: string) => ({ errors: formState.byField[name] ?? [], invalid: (formState.byField[name]?.length ?? 0) > 0 });
    const row = recipientRow(recipient, policy);
    const history = await recipientHistory(ctx.app, recipient.id);
    sendPage(res, 'recipient', ctx.frame(res, `${errors.length ? 'Fel i formuläret: ' : ''}${row.shownName}`, 'recipients', notice), {
      recipient: row,
      action: `/admin/mottagare/${recipient.id}`,
      form,
      errors: formState,
      hasErrors: formState.summary.length > 0,
      fields: { name: field('name'), email: field('email'), systems: field('systems'), unit: field('unit') },
      systems: Object.entries(policy.systems).map(([id, s]) => ({ id, name: s.displayName, checked: form.systems.includes(id) })),
      history: history
        .map((e) => ({ at: formatDateTime(e.at, zone), what: EVENT_TEXT[e.action] ?? e.action, change: describe(e.details), by: e.actor }))
        .reverse(),
    }, status);
  };

  const formOf = (r: RecipientView): EditForm => ({ name: r.name, email: r.email, unit: r.unit ?? '', systems: r.systems });

  router.get('/admin/mottagare/:id', ctx.signedIn, async (req, res) => {
    if (!isId(req.params.id)) throw new AppError('not_found', 404, 'Mottagaren finns inte.');
    const recipient = await recipientDetail(ctx.app, req.params.id);
    await show(res, recipient, formOf(recipient), [], confirmation(req));
  });

  router.post('/admin/mottagare/:id', ...ctx.changes(), adminOnly, async (req, res) => {
    if (!isId(req.params.id)) throw new AppError('not_found', 404, 'Mottagaren finns inte.');
    const id = req.params.id;
    const recipient = await recipientDetail(ctx.app, id);
    const body = req.body as Record<string, unknown>;
    const str = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : '');
    const form: EditForm = {
      name: str('namn').trim(),
      email: str('epost').trim(),
      unit: str('enhet').trim(),
      systems: [body.system ?? []].flat().filter((s): s is string => typeof s === 'string'),
    };
    // A subscriber has no name of their own (the public sign-up asks none): an empty one stays empty.
    const change = { ...(form.name || recipient.kind !== 'subscriber' ? { name: form.name } : {}), email: form.email, unit: form.unit || null, systems: form.systems };
    const parsed = patchRecipientBody.safeParse(change);
    if (!parsed.success) {
      await show(res, recipient, form, inSwedish(zodIssuesToFieldErrors(parsed.error)), undefined, 422);
      return;
    }
    try {
      await changeRecipient(ctx.app, id, parsed.data, sessionOf(res).actor);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500 || error.status === 404) throw error;
      const errors = error.status === 409 ? [{ path: 'email', code: 'duplicate', message: error.message }] : (error.errors ?? []);
      await show(res, recipient, form, inSwedish(errors), undefined, 422);
      return;
    }
    res.redirect(303, `/admin/mottagare/${id}?klart=mottagare-andrad`);
  });

  return router;
}
