import { Router, type Response } from 'express';
import { noticeImpact } from '../application/compliance-queries.js';
import { cancelWindow, changeWindow, windowToChange } from '../application/window-commands.js';
import type { FieldError } from '../errors.js';
import { REASON, textProblems } from '../rules/text-rules.js';
import type { WindowRow } from '../storage/schema.js';
import { adminOnly, sessionOf, type AdminContext } from './admin-context.js';
import { localInput, sendPage } from './admin-views.js';
import { offeredTimeFor, parseWindowForm, readWindowForm, refusalOf, type WindowForm } from './window-form.js';
import { windowFormContext, windowId, windowSummary, type WindowRefusal } from './window-form-view.js';

/**
 * Reschedule and cancel. Each page says, before anything is confirmed, who will be told:
 * audiences already told get an update or a cancellation at once, the others nothing now.
 */
export function windowChangeRoutes(ctx: AdminContext): Router {
  const router = Router();
  const { deps } = ctx;
  const { rules } = deps;
  const zone = rules.policy.timezone;

  /** The window to change: it must exist and still be scheduled. */
  const scheduledWindow = (value: unknown): Promise<WindowRow> => windowToChange(deps, windowId(value));
  const impactOf = (row: WindowRow) => noticeImpact(deps, row);

  const showReschedule = async (res: Response, row: WindowRow, form: WindowForm, errors: FieldError[], refusal?: WindowRefusal, status = 200) => {
    const path = `/admin/driftstopp/${row.id}/flytta`;
    sendPage(res, 'window-reschedule', ctx.frame(res, `${errors.length ? 'Fel i formuläret: ' : ''}Flytta ${row.title}`), {
      window: windowSummary(row, rules.policy),
      impact: await impactOf(row),
      action: path,
      ...windowFormContext({ rules, form, errors, refusal, formPath: path }),
    }, status);
  };

  router.get('/admin/driftstopp/:id/flytta', ctx.signedIn, adminOnly, async (req, res) => {
    const row = await scheduledWindow(req.params.id);
    const typed = readWindowForm(req.query as Record<string, unknown>);
    const form: WindowForm = {
      ...typed,
      start: typed.start || localInput(row.start_at, zone),
      end: typed.end || localInput(row.end_at, zone),
      acceptShortNotice: false,
      acceptOverlap: false,
      acceptBlackout: false,
    };
    await showReschedule(res, row, form, []);
  });

  router.post('/admin/driftstopp/:id/flytta', ...ctx.changes(), async (req, res) => {
    const row = await scheduledWindow(req.params.id);
    const form = readWindowForm(req.body as Record<string, unknown>);
    const parsed = parseWindowForm(form, rules.policy, { details: false });
    if (!parsed.value) {
      await showReschedule(res, row, form, parsed.errors, undefined, 422);
      return;
    }
    try {
      const { start, end, shortNotice, allowOverlap, allowBlackout } = parsed.value;
      await changeWindow(deps, row.id, { start, end, shortNotice, allowOverlap, allowBlackout }, sessionOf(res).actor);
      res.redirect(303, `/admin/driftstopp/${row.id}?klart=flyttat`);
    } catch (error) {
      const refusal = refusalOf(error);
      const draft = { kind: row.kind, systems: row.systems, start: parsed.value.start, end: parsed.value.end };
      await showReschedule(res, row, form, refusal.errors, { ...refusal, offered: offeredTimeFor(rules, draft, refusal, deps.clock()) }, 422);
    }
  });

  const showCancel = async (res: Response, row: WindowRow, reason: string, errors: string[], status = 200) => {
    sendPage(res, 'window-cancel', ctx.frame(res, `${errors.length ? 'Fel i formuläret: ' : ''}Ställ in ${row.title}`), {
      window: windowSummary(row, rules.policy),
      impact: await impactOf(row),
      action: `/admin/driftstopp/${row.id}/stall-in`,
      reason,
      errors,
      invalid: errors.length > 0,
    }, status);
  };

  router.get('/admin/driftstopp/:id/stall-in', ctx.signedIn, adminOnly, async (req, res) => {
    await showCancel(res, await scheduledWindow(req.params.id), '', []);
  });

  router.post('/admin/driftstopp/:id/stall-in', ...ctx.changes(), async (req, res) => {
    const row = await scheduledWindow(req.params.id);
    const body = req.body as Record<string, unknown>;
    const reason = typeof body.skal === 'string' ? body.skal.trim().slice(0, 1000) : '';
    if (reason.length < 3) {
      await showCancel(res, row, reason, ['Skriv varför driftstoppet ställs in (minst 3 tecken). Orsaken står i meddelandet.'], 422);
      return;
    }
    const problems = textProblems(reason, REASON);
    if (problems.length > 0) {
      await showCancel(res, row, reason, problems.map((p) => p.message), 422);
      return;
    }
    await cancelWindow(deps, row.id, reason, sessionOf(res).actor);
    res.redirect(303, `/admin/driftstopp/${row.id}?klart=installt`);
  });

  return router;
}
