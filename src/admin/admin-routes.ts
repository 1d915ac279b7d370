import express, { Router, type ErrorRequestHandler } from 'express';
import type { AppDeps } from '../application/app-deps.js';
import { AppError } from '../errors.js';
import { authFailureLimiter, isSameOrigin } from '../http/auth.js';
import { notFound, toAppError } from '../http/problem.js';
import { DASHBOARD_PATH } from '../http/queue-dashboard.js';
import { adminContext, safeNext, type AdminContext } from './admin-context.js';
import { checkSignInToken, issueSignInToken } from './admin-session.js';
import { ASSETS, sendPage } from './admin-views.js';
import { disruptionPageRoutes } from './disruption-pages.js';
import { recipientPageRoutes } from './recipient-pages.js';
import { previewPageRoutes } from './preview-pages.js';
import { toldRoutes } from './told-pages.js';
import { seriesPageRoutes } from './series-pages.js';
import { windowPageRoutes } from './window-pages.js';

const TITLES: Record<number, string> = {
  400: 'Felaktig begäran',
  401: 'Inte inloggad',
  403: 'Åtkomst nekad',
  404: 'Sidan finns inte',
  409: 'Kan inte ändras',
  413: 'För stor fil',
  429: 'För många försök',
};

/**
 * The admin web page at /admin: server-rendered Swedish HTML over the same services as the
 * API. Mount at app level before the 404 handler. Every route names its own path, so the
 * queue dashboard under /admin/queues is left alone.
 */
export function adminRoutes(deps: AppDeps): Router {
  const router = Router();
  const ctx = adminContext(deps);

  router.get('/admin/assets/:name', (req, res) => {
    const asset = ASSETS.get(req.params.name);
    if (!asset) throw new AppError('not_found', 404, 'Filen finns inte.');
    // The URL carries the content hash, so a version is never changed under its address.
    const immutable = req.query.v === asset.version;
    res.set('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
    res.type(asset.contentType).send(asset.body);
  });

  // Guessing tokens on the sign-in form is slowed down per client address, like the API;
  // a refused form (401) and a forged one (403) both count as failures.
  const signInFailures = authFailureLimiter({ limit: deps.authFailureLimit, failed: (status) => status >= 400 });

  router.get('/admin/logga-in', async (req, res) => {
    if (await ctx.sessions.read(req)) {
      res.redirect(303, safeNext(req.query.next));
      return;
    }
    const token = issueSignInToken(req, res, ctx.cookies);
    const notice = req.query.utloggad === '1' ? 'Du är utloggad.' : undefined;
    sendPage(res, 'sign-in', { title: 'Logga in', session: null, csrfToken: token, notice }, { next: safeNext(req.query.next) });
  });

  router.post('/admin/logga-in', express.urlencoded({ extended: false, limit: '10kb' }), signInFailures, (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!isSameOrigin(req, ctx.cookies) || !checkSignInToken(req, body._csrf)) {
      throw new AppError('csrf_failed', 403, 'Inloggningsformuläret har gått ut eller kommer från en annan webbplats. Ladda om sidan och försök igen.');
    }
    const presented = typeof body.token === 'string' ? body.token.trim() : '';
    const principal = presented ? ctx.sessions.authenticate(presented) : null;
    if (!principal) {
      const token = issueSignInToken(req, res, ctx.cookies);
      const error = presented ? 'Token är ogiltig. Kontrollera att du har klistrat in hela.' : 'Klistra in din token.';
      sendPage(res, 'sign-in', { title: 'Logga in', session: null, csrfToken: token }, { next: safeNext(body.next), error }, 401);
      return;
    }
    ctx.sessions.start(req, res, principal);
    res.redirect(303, safeNext(body.next));
  });

  router.post('/admin/logga-ut', ...ctx.changes({ anyRole: true }), async (req, res) => {
    await ctx.sessions.end(req, res);
    res.redirect(303, '/admin/logga-in?utloggad=1');
  });

  router.use(windowPageRoutes(ctx));
  router.use(seriesPageRoutes(ctx));
  router.use(previewPageRoutes(ctx));
  router.use(toldRoutes(ctx));
  router.use(disruptionPageRoutes(ctx));
  router.use(recipientPageRoutes(ctx));

  const noPage = notFound(() => 'Det finns ingen sida på den adressen.');
  router.use('/admin', (req, res, next) => {
    // The queue dashboard is mounted after this router; its paths are not ours to answer.
    if (`/admin${req.path}`.startsWith(DASHBOARD_PATH)) {
      next();
      return;
    }
    noPage(req, res, next);
  });
  router.use(pageErrors(ctx));
  return router;
}

/** Errors on admin pages become Swedish pages, not problem+json; a stack never leaves the process. */
function pageErrors(ctx: AdminContext): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (!req.path.startsWith('/admin') || res.headersSent) {
      next(error);
      return;
    }
    // The same status the API would answer with; only the words are the page's own.
    const { status } = toAppError(error);
    if (status >= 500) (req.log ?? ctx.deps.logger).error({ err: error, path: req.path }, 'admin page failed');
    const message =
      status >= 500
        ? 'Ett oväntat fel inträffade. Händelsen är loggad.'
        : error instanceof AppError
          ? error.message
          : status === 413
            ? 'Det som skickades är för stort.'
            : 'Begäran kunde inte behandlas.';
    const title = TITLES[status] ?? 'Något gick fel';
    sendPage(res, 'message', ctx.frame(res, title), { heading: title, message, signIn: status === 401 }, status);
  };
}
