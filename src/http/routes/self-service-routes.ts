import express, { Router, type Request, type Response } from 'express';
import {
  changeMySystems,
  deputyView,
  mySettings,
  removeMyDeputy,
  resumeMyMessages,
  setMyDeputy,
  settingsLinkToken,
  stopBeingDeputy,
  stopMyMessages,
  type DeputyInput,
  type MySettings,
  type SelfServiceDeps,
} from '../../application/self-service-commands.js';
import { AppError, type FieldError } from '../../errors.js';
import { readLinkSubject } from '../../links/deputy-links.js';
import { renderLinkPage } from '../../links/link-pages.js';
import { linkClaims, requireLink, type LinkCheckDeps } from '../link-check.js';

export type SelfServiceRouteDeps = SelfServiceDeps & LinkCheckDeps;

/** What each settings form is, by its `atgard` field, and what the page says once it is done. */
const DONE: Record<string, string> = {
  system: 'Dina system är sparade.',
  ersattare: 'Ersättaren är sparad.',
  'ersattare-borttagen': 'Ersättaren är borttagen. Dina meddelanden går till dig igen.',
  slutat: 'Du tar inte längre emot meddelanden.',
  borjat: 'Du tar emot meddelanden igen.',
  'inte-ersattare': 'Du är inte längre ersättare.',
};

const DEPUTY_FIELDS = ['name', 'email', 'from', 'to'] as const;
const EMPTY_DEPUTY: DeputyInput = { name: '', email: '', from: '', to: '' };

/** Forms are small; a mail provider's one-click POST is one field. */
const FORM_LIMIT = '10kb';

/**
 * "Mina inställningar" (`/links/settings/:token`, the footer link of every e-mail) and one-click
 * unsubscribe (`/links/unsubscribe/:token`, the List-Unsubscribe URL). The link's subject is the
 * recipient: nothing here ever shows or changes anyone else. A GET never changes anything (mail
 * scanners fetch links); every form posts back to its own URL, token and all.
 */
export function selfServiceRoutes(deps: SelfServiceRouteDeps): Router {
  const router = Router();
  const page = (res: Response, status: number, template: string, title: string, context: Record<string, unknown>) =>
    res.status(status).type('text/html; charset=utf-8').send(renderLinkPage(deps.municipality, { template, title, context }));
  const unknown = (res: Response) => page(res, 404, 'unknown-recipient', 'Vi hittar inte dina uppgifter', {});
  /** Runs a change; an unknown (or removed) recipient gets the 404 page instead. Whether it ran. */
  const orUnknown = async (res: Response, change: () => Promise<void>): Promise<boolean> => {
    try {
      await change();
      return true;
    } catch (error) {
      if (!(error instanceof AppError && error.status === 404)) throw error;
      unknown(res);
      return false;
    }
  };
  const settingsUrl = (subject: string) => `/links/settings/${settingsLinkToken(deps, subject)}`;

  const showSettings = async (
    req: Request,
    res: Response,
    state: { done?: string | null; errors?: FieldError[]; deputyForm?: DeputyInput } = {},
    status = 200,
  ) => {
    const me = await mySettings(deps, linkClaims(res).subject);
    if (!me) return unknown(res);
    const errors = state.errors ?? [];
    const first = (field: string) => errors.find((e) => e.path === field)?.message ?? null;
    page(res, status, 'settings', errors.length > 0 ? 'Fel i formuläret: Mina inställningar' : 'Mina inställningar', {
      me,
      action: req.baseUrl + req.path,
      done: state.done ?? null,
      errors: errors.map((e) => ({ field: e.path === 'systems' ? 'systems' : e.path, message: e.message })),
      systemsError: first('systems'),
      fields: Object.fromEntries(DEPUTY_FIELDS.map((f) => [f, first(f)])),
      deputyForm: state.deputyForm ?? deputyFormOf(me),
    });
  };

  /** A deputy's link opens a page of the deputy's own (src/links/deputy-links.ts), with one button. */
  const showDeputy = async (req: Request, res: Response, form: { field: string; value: string; button: string }, done: string | null = null) => {
    const view = await deputyView(deps, readLinkSubject(linkClaims(res).subject));
    if (!view) return unknown(res);
    page(res, 200, 'deputy', view.current ? `Ersättare för ${view.recipientName}` : 'Du är inte längre ersättare', {
      view,
      action: req.baseUrl + req.path,
      done,
      ...form,
    });
  };
  const STOP_DEPUTY = { field: 'atgard', value: 'sluta-som-ersattare', button: 'Sluta vara ersättare' };
  const isDeputyLink = (res: Response) => readLinkSubject(linkClaims(res).subject).deputyAddressHash !== null;

  router.get('/links/settings/:token', requireLink(deps, 'settings'), async (req, res) => {
    const done = typeof req.query.klart === 'string' ? (DONE[req.query.klart] ?? null) : null;
    if (isDeputyLink(res)) return showDeputy(req, res, STOP_DEPUTY, done);
    await showSettings(req, res, { done });
  });

  router.post('/links/settings/:token', requireLink(deps, 'settings'), express.urlencoded({ extended: false, limit: FORM_LIMIT }), async (req, res) => {
    const subject = linkClaims(res).subject;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const str = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : '');
    const action = str('atgard');
    if (isDeputyLink(res)) {
      // A deputy's link can do one thing: stop standing in.
      if (action !== STOP_DEPUTY.value) {
        page(res, 400, 'bad-request', 'Formuläret känns inte igen', { text: 'Inget har ändrats. Ladda om sidan och försök igen.', back: req.baseUrl + req.path });
        return;
      }
      if (!(await orUnknown(res, () => stopBeingDeputy(deps, readLinkSubject(subject), 'settings')))) return;
      res.redirect(303, `${req.baseUrl + req.path}?klart=inte-ersattare`);
      return;
    }
    const deputyForm: DeputyInput = { name: str('namn'), email: str('epost'), from: str('fran'), to: str('till') };
    let done: string;
    try {
      switch (action) {
        case 'system':
          await changeMySystems(deps, subject, [body.system ?? []].flat().filter((s): s is string => typeof s === 'string'));
          done = 'system';
          break;
        case 'ersattare':
          await setMyDeputy(deps, subject, deputyForm);
          done = 'ersattare';
          break;
        case 'ta-bort-ersattare':
          await removeMyDeputy(deps, subject);
          done = 'ersattare-borttagen';
          break;
        case 'sluta':
          await stopMyMessages(deps, subject, 'settings');
          done = 'slutat';
          break;
        case 'borja':
          await resumeMyMessages(deps, subject);
          done = 'borjat';
          break;
        default:
          await showSettings(req, res, { errors: [{ path: 'meddelanden', code: 'unknown_action', message: 'Formuläret känns inte igen. Ladda om sidan och försök igen.' }] }, 400);
          return;
      }
    } catch (error) {
      if (error instanceof AppError && error.status === 404) return unknown(res);
      if (!(error instanceof AppError) || error.status !== 400) throw error;
      await showSettings(req, res, { errors: error.errors ?? [], deputyForm: action === 'ersattare' ? deputyForm : undefined }, 400);
      return;
    }
    // Post, then redirect, then get: a reload does not post again. Same origin, so CSP's form-action allows it.
    res.redirect(303, `${req.baseUrl + req.path}?klart=${done}`);
  });

  router.get('/links/unsubscribe/:token', requireLink(deps, 'unsubscribe'), async (req, res) => {
    if (isDeputyLink(res)) return showDeputy(req, res, { field: 'List-Unsubscribe', value: 'One-Click', button: 'Sluta ta emot meddelanden som ersättare' });
    const me = await mySettings(deps, linkClaims(res).subject);
    if (!me) return unknown(res);
    const subscribed = me.subscribed && !me.removed;
    page(res, 200, 'unsubscribe', subscribed ? 'Sluta ta emot meddelanden' : 'Du tar inte emot meddelanden', {
      subscribed,
      email: me.email,
      action: req.baseUrl + req.path,
      settingsUrl: settingsUrl(me.id),
    });
  });

  // RFC 8058: the mail provider POSTs `List-Unsubscribe=One-Click`, as multipart/form-data or
  // urlencoded, without cookies, and may not follow a redirect: the answer is a 200 at once.
  router.post(
    '/links/unsubscribe/:token',
    requireLink(deps, 'unsubscribe'),
    express.raw({ type: () => true, limit: FORM_LIMIT }),
    async (req, res) => {
      const subject = linkClaims(res).subject;
      if (!(await isOneClick(req))) {
        page(res, 400, 'bad-request', 'Avregistreringen saknar bekräftelse', {
          text: 'Inget har ändrats. Använd knappen på sidan för att sluta ta emot meddelanden.',
          back: req.baseUrl + req.path,
        });
        return;
      }
      if (isDeputyLink(res)) {
        // The deputy unsubscribes from standing in, never the recipient from their own messages.
        if (!(await orUnknown(res, () => stopBeingDeputy(deps, readLinkSubject(subject), 'one-click')))) return;
        return showDeputy(req, res, STOP_DEPUTY, 'Klart. Du får inga fler meddelanden som ersättare.');
      }
      if (!(await orUnknown(res, () => stopMyMessages(deps, subject, 'one-click')))) return;
      const me = await mySettings(deps, subject);
      page(res, 200, 'unsubscribed', 'Du får inga fler meddelanden', { email: me?.email ?? '', settingsUrl: settingsUrl(subject) });
    },
  );

  return router;
}

/** The form as the page shows it: the stored deputy, or empty. */
function deputyFormOf(me: MySettings): DeputyInput {
  return me.deputy ? { name: me.deputy.name, email: me.deputy.email, from: me.deputy.from, to: me.deputy.to } : EMPTY_DEPUTY;
}

/**
 * Whether the body says `List-Unsubscribe=One-Click`, in either encoding RFC 8058 allows; the
 * platform's own form parser (undici) reads both, so no multipart library is needed.
 */
async function isOneClick(req: Request): Promise<boolean> {
  const type = req.get('content-type') ?? '';
  if (!Buffer.isBuffer(req.body) || !/^(multipart\/form-data|application\/x-www-form-urlencoded)\b/i.test(type)) return false;
  try {
    const form = await new globalThis.Response(new Uint8Array(req.body), { headers: { 'content-type': type } }).formData();
    return form.get('List-Unsubscribe') === 'One-Click';
  } catch {
    return false;
  }
}
