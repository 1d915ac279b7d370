import express, { Router, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import {
  confirmSubscription,
  pendingSignUp,
  SIGN_UP_ACCEPTED,
  signUpBody,
  signUpForPublicMail,
  type SubscriptionDeps,
} from '../../application/subscription-commands.js';
import { AppError, ValidationError } from '../../errors.js';
import { renderLinkPage } from '../../links/link-pages.js';
import { systemsText } from '../../messages/notice-window.js';
import { renderSignUpForm, type SignUpFormState } from '../../publications/public-page.js';
import { publicUrl } from '../../runtime/urls.js';
import { linkClaims, requireLink } from '../link-check.js';
import { parseInput } from '../validate.js';

export interface SubscriptionRoutesDeps extends SubscriptionDeps {
  linkSecret: string;
  publicBaseUrl: string;
  /** Sign-ups per client address per hour before 429. @defaultValue 20 */
  signUpsPerClient?: number | undefined;
}

const HOUR = 60 * 60 * 1000;
const HTML = 'text/html; charset=utf-8';
/** Pages of this flow run no script; their one form posts back to this service. */
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** The form's words for what was wrong, by field; the API's own messages say the same for programs. */
const FORM_MESSAGES = {
  email: 'Skriv en e-postadress, till exempel namn@exempel.se.',
  systems: 'Välj minst ett system.',
} as const;

/**
 * Public sign-up with double opt-in: `POST /public/subscriptions` (JSON per the contract, or
 * the public page's form) answers 202 and the same words whatever the address's state, and
 * `/links/confirm/:token` shows the sign-up with a button; only the button's POST subscribes.
 * A GET never changes anything: mail scanners open links to look at them.
 */
export function subscriptionRoutes(deps: SubscriptionRoutesDeps): Router {
  const router = Router();
  const { policy } = deps;
  const municipality = policy.municipality;
  const body = signUpBody(policy);
  const isForm = (req: Request) => req.is('application/x-www-form-urlencoded') === 'application/x-www-form-urlencoded';
  const page = (res: Response, status: number, title: string, template: string, context: Record<string, unknown>) => {
    res.set('Cache-Control', 'no-store').set('Content-Security-Policy', PAGE_CSP).set('Referrer-Policy', 'no-referrer');
    res.status(status).type(HTML).send(renderLinkPage(municipality, { template, title, context }));
  };

  // Per client address, besides the per-address limit on e-mails: one client cannot sign up the whole staff list.
  const perClient = rateLimit({
    windowMs: HOUR,
    limit: deps.signUpsPerClient ?? 20,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req, res) => {
      if (isForm(req)) {
        page(res, 429, 'För många anmälningar', 'problem', { text: 'Det har kommit många anmälningar härifrån på kort tid. Vänta en stund och försök igen.' });
        return;
      }
      throw new AppError('too_many_sign_ups', 429, 'För många anmälningar från samma klient; försök igen om en stund.');
    },
  });

  router.post(
    '/public/subscriptions',
    perClient,
    express.json({ limit: '10kb', type: ['application/json', 'application/*+json'] }),
    express.urlencoded({ extended: false, limit: '10kb', parameterLimit: 50 }),
    async (req, res) => {
      if (!isForm(req)) {
        const input = parseInput(body, req.body, 'body');
        await signUpForPublicMail(deps, input);
        res.status(202).json(SIGN_UP_ACCEPTED);
        return;
      }
      const raw = (req.body ?? {}) as Record<string, unknown>;
      const state: SignUpFormState = {
        email: typeof raw.email === 'string' ? raw.email : '',
        systems: [raw.systems ?? []].flat().filter((s): s is string => typeof s === 'string'),
        errors: [],
      };
      try {
        await signUpForPublicMail(deps, parseInput(body, { email: state.email, systems: state.systems }, 'body'));
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const fields = new Set((error.errors ?? []).map((e) => (e.path.startsWith('systems') ? 'systems' : 'email') as 'email' | 'systems'));
        const errors = [...fields].map((field) => ({ field, message: field === 'systems' && state.systems.length > 0 ? 'Välj bland systemen i listan.' : FORM_MESSAGES[field] }));
        const form = renderSignUpForm(policy, { ...state, errors });
        page(res, 400, 'Anmälan kunde inte tas emot', 'signup-again', { form });
        return;
      }
      page(res, 202, 'Titta i din inkorg', 'signup-sent', { detail: SIGN_UP_ACCEPTED.detail });
    },
  );

  const link = requireLink({ linkSecret: deps.linkSecret, clock: deps.clock, municipality }, 'confirm-subscription');
  const gone = (res: Response) =>
    page(res, 410, 'Anmälan finns inte längre', 'problem', { text: 'Anmälan som länken hör till finns inte längre. Anmäl dig igen på sidan om planerade driftstopp.' });

  router.get('/links/confirm/:token', link, async (_req, res) => {
    const signUp = await pendingSignUp(deps, linkClaims(res).subject);
    if (!signUp) return gone(res);
    page(res, 200, 'Bekräfta din prenumeration', 'confirm', { email: signUp.email, systems: systemsText(policy, signUp.systems) });
  });

  router.post('/links/confirm/:token', link, async (_req, res) => {
    const requestId = linkClaims(res).subject;
    const signUp = await pendingSignUp(deps, requestId);
    if (!signUp || !(await confirmSubscription(deps, requestId))) return gone(res);
    page(res, 200, 'Prenumerationen är bekräftad', 'confirm-done', {
      email: signUp.email,
      systems: systemsText(policy, signUp.systems),
      pageUrl: publicUrl(deps.publicBaseUrl, '/public/driftstopp'),
    });
  });

  return router;
}
