import { randomUUID } from 'node:crypto';
import { Router, type Response } from 'express';
import { DateTime } from 'luxon';
import { complianceReport } from '../application/compliance-queries.js';
import { windowAcknowledgements, type ReadyItem } from '../application/acknowledgement-queries.js';
import { createWindow } from '../application/window-commands.js';
import { compliantSlots, windowListPage, windowPlan } from '../application/window-queries.js';
import { swedishList } from '../messages/notice-window.js';
import type { Policy } from '../policy/policy-schema.js';
import { listContext, listTabs, readListRequest } from './window-lists.js';
import type { FieldError } from '../errors.js';
import { calendarWeeks, flaggedWindows } from './admin-calendar.js';
import { NOTICE_KIND, NOTICE_STATUS, audienceName } from './admin-labels.js';
import { adminOnly, confirmation, sessionOf, type AdminContext } from './admin-context.js';
import { deadline, sendPage, when } from './admin-views.js';
import { offeredTimeFor, parseWindowForm, readWindowForm, refusalOf, type WindowForm } from './window-form.js';
import { windowChangeRoutes } from './window-change-pages.js';
import { windowFormContext, windowId, windowSummary, type WindowRefusal } from './window-form-view.js';

/** The chase among the notices: a reminder only to those who have not confirmed. */
const CHASE_KIND = 'Påminnelse att bekräfta';

/** "Förberedda enheter" on the window page: the count, then who has confirmed and who has not. */
function acknowledgementsContext(items: readonly ReadyItem[], policy: Policy) {
  const zone = policy.timezone;
  const confirmed = items.filter((i) => i.acknowledgedAt !== null).length;
  const audiences = policy.acknowledgement.audiences.map((a) => audienceName(policy, a));
  return {
    asked: items.length,
    confirmed,
    none:
      audiences.length === 0
        ? 'Policyn ber ingen bekräfta att enheten är förberedd.'
        : `Ingen har ombetts att bekräfta ännu. Frågan ställs i meddelandet till ${swedishList(audiences)} när det har gått ut.`,
    rows: [...items]
      // Those not yet confirmed first: they are whom the administrator may want to call.
      .sort((a, b) => Number(a.acknowledgedAt !== null) - Number(b.acknowledgedAt !== null) || a.recipient.name.localeCompare(b.recipient.name, 'sv'))
      .map(({ recipient, acknowledgedAt }) => ({
        name: recipient.name,
        unit: recipient.unit ?? '',
        email: recipient.email,
        confirmed: acknowledgedAt !== null,
        at: when(acknowledgedAt, zone),
      })),
  };
}

/** Compliant slots offered above the register form. */
const OFFERED_SLOTS = 6;

/** Weeks on the calendar page: six cover the routine's longest lead (four weeks for extensive windows) with room. */
export const CALENDAR_WEEKS = 6;

/** The calendar of the coming weeks, the register form, and a window's own page with its notice plan. */
export function windowPageRoutes(ctx: AdminContext): Router {
  const router = Router();
  const { deps } = ctx;
  const { rules, clock } = deps;
  const zone = rules.policy.timezone;

  const showForm = async (res: Response, form: WindowForm, errors: FieldError[], refusal?: WindowRefusal, status = 200) => {
    const context = windowFormContext({
      rules,
      form,
      errors,
      refusal,
      formPath: '/admin/driftstopp/ny',
      // Free on the systems chosen: a slot another window holds on them is not offered.
      slots: await compliantSlots(deps, OFFERED_SLOTS, { systems: form.systems.length > 0 ? form.systems : undefined }),
    });
    sendPage(res, 'window-new', ctx.frame(res, errors.length ? 'Fel i formuläret: Registrera driftstopp' : 'Registrera driftstopp', 'new'), context, status);
  };

  router.get('/admin', ctx.signedIn, async (req, res) => {
    const now = clock().setZone(zone);
    const listRequest = readListRequest(req.query as Record<string, unknown>);
    const viewTabs = listTabs(listRequest?.name ?? null);
    if (listRequest) {
      const list = listContext(listRequest, await windowListPage(deps, listRequest.query, now.toJSDate()), rules.policy);
      const page = list.page > 1 ? `, sida ${list.page}` : '';
      sendPage(res, 'window-list', ctx.frame(res, `${list.title} driftstopp${page}`, 'calendar', confirmation(req)), { list, viewTabs });
      return;
    }
    const asked = typeof req.query.fran === 'string' ? DateTime.fromISO(req.query.fran, { zone }) : null;
    const firstMonday = (asked?.isValid ? asked : now).startOf('week');
    const until = firstMonday.plus({ weeks: CALENDAR_WEEKS });
    const windows = await complianceReport(ctx.app, { from: firstMonday.toJSDate(), to: until.toJSDate() }, now.toJSDate());
    // Enough slots to reach past the page: two a week, a few lost to holidays or notice.
    const offered = (await compliantSlots(deps, CALENDAR_WEEKS * 3, { from: firstMonday, now })).filter((slot) => slot.start < until);
    const weeks = calendarWeeks({ rules, now, firstMonday, weeks: CALENDAR_WEEKS, windows, offered });
    const flagged = flaggedWindows(windows, zone);
    sendPage(res, 'calendar', ctx.frame(res, 'Kalender', 'calendar', confirmation(req)), {
      viewTabs,
      weeks,
      flagged: flagged.length,
      flaggedWindows: flagged,
      windowCount: windows.length,
      earlier: `/admin?fran=${firstMonday.minus({ weeks: CALENDAR_WEEKS }).toISODate()}`,
      later: `/admin?fran=${until.toISODate()}`,
      isCurrent: firstMonday.hasSame(now, 'week'),
      range: `${firstMonday.setLocale('sv').toFormat('d LLLL yyyy')} – ${until.minus({ days: 1 }).setLocale('sv').toFormat('d LLLL yyyy')}`,
    });
  });

  router.get('/admin/driftstopp/ny', ctx.signedIn, adminOnly, async (req, res) => {
    const form = readWindowForm(req.query as Record<string, unknown>);
    await showForm(res, { ...form, acceptShortNotice: false, acceptOverlap: false, acceptBlackout: false, idempotencyKey: randomUUID() }, []);
  });

  router.post('/admin/driftstopp/ny', ...ctx.changes(), async (req, res) => {
    const form = readWindowForm(req.body as Record<string, unknown>);
    if (!form.idempotencyKey) form.idempotencyKey = randomUUID();
    const parsed = parseWindowForm(form, rules.policy, { details: true });
    if (!parsed.value) {
      await showForm(res, form, parsed.errors, undefined, 422);
      return;
    }
    try {
      const window = await createWindow(deps, parsed.value, sessionOf(res).actor, `admin:${form.idempotencyKey}`);
      const done = window.shortNotice ? 'kort-varsel' : 'registrerat';
      res.redirect(303, `/admin/driftstopp/${window.id}?klart=${done}`);
    } catch (error) {
      const refusal = refusalOf(error);
      // The one 409 here: this form was sent before with other values (a key is per form shown).
      const errors = refusal.errors.map((e) =>
        e.code === 'conflict' ? { ...e, message: 'Formuläret har redan skickats med andra uppgifter. Öppna formuläret på nytt.' } : e,
      );
      const offered = offeredTimeFor(rules, parsed.value, refusal, clock());
      await showForm(res, { ...form, idempotencyKey: randomUUID() }, errors, { ...refusal, offered }, 422);
    }
  });

  router.get('/admin/driftstopp/:id', ctx.signedIn, async (req, res) => {
    const id = windowId(req.params.id);
    const [{ window: row, notices }, ready] = await Promise.all([windowPlan(deps, id), windowAcknowledgements(deps, id)]);
    const summary = windowSummary(row, rules.policy);
    sendPage(res, 'window', ctx.frame(res, `${row.title}`, undefined, confirmation(req)), {
      window: summary,
      canChange: sessionOf(res).role === 'admin' && summary.scheduled,
      notices: notices.map((n) => ({
        audience: audienceName(rules.policy, n.audience),
        kind: n.chase ? CHASE_KIND : (NOTICE_KIND[n.kind] ?? n.kind),
        revision: n.revision,
        due: when(n.due_at, zone),
        requiredBy: n.kind === 'announcement' ? deadline(n.required_by, zone) : '',
        status: NOTICE_STATUS[n.status] ?? n.status,
        statusCode: n.status,
        sent: when(n.sent_at, zone),
        late: n.late,
      })),
      acknowledgements: acknowledgementsContext(ready, rules.policy),
    });
  });

  router.use(windowChangeRoutes(ctx));
  return router;
}
