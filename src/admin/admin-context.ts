import express, { type Request, type RequestHandler, type Response } from 'express';
import type { AppDeps } from '../application/app-deps.js';
import type { ComplianceDeps } from '../application/compliance-queries.js';
import type { PreviewDeps } from '../application/preview.js';
import type { RecipientDeps } from '../application/recipient-commands.js';
import { sessionRevocations } from '../application/session-revocations.js';
import { AppError } from '../errors.js';
import { isSameOrigin } from '../http/auth.js';
import { sessionKeeper, type AdminSession, type CookieOptions, type SessionKeeper } from './admin-session.js';
import type { PageFrame } from './admin-views.js';

/** What every admin page module needs: the service's dependencies and the session guards. */
export interface AdminContext {
  deps: AppDeps;
  /** The same dependencies with the policy at hand, as the recipient, preview and compliance queries take them. */
  app: RecipientDeps & PreviewDeps & ComplianceDeps;
  sessions: SessionKeeper;
  cookies: CookieOptions;
  /** For pages: a signed-in session of either role, or a redirect to the sign-in page. */
  signedIn: RequestHandler;
  /**
   * For every change: a form body, a session, a valid CSRF token from this site, and the
   * admin role (signing out needs no role).
   */
  changes: (options?: { bodyLimit?: string; anyRole?: boolean }) => RequestHandler[];
  frame(res: Response, title: string, nav?: PageFrame['nav'], notice?: string): PageFrame;
}

export function sessionOf(res: Response): AdminSession {
  const session = res.locals.adminSession as AdminSession | undefined;
  if (!session) throw new AppError('unauthorized', 401, 'Du är inte inloggad.');
  return session;
}

/** `/admin…` paths only, so a `next` parameter can never send anyone to another site. */
export function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/admin(\/[\w\-/.?=&%:+,]*)?$/.test(value) && !value.includes('//') ? value : '/admin';
}

export function adminContext(deps: AppDeps): AdminContext {
  const cookies = { publicBaseUrl: deps.publicBaseUrl };
  const sessions = sessionKeeper(deps.tokens, () => deps.clock().toMillis(), cookies, sessionRevocations(deps));

  const signedIn: RequestHandler = async (req, res, next) => {
    const session = await sessions.read(req);
    if (!session) {
      if (req.method === 'GET' || req.method === 'HEAD') {
        res.redirect(303, `/admin/logga-in?next=${encodeURIComponent(safeNext(req.originalUrl))}`);
        return;
      }
      throw new AppError('unauthorized', 401, 'Du är inte inloggad, eller så har inloggningen gått ut. Logga in igen.');
    }
    res.locals.adminSession = session;
    next();
  };

  /**
   * The CSRF token is checked before the role: a forged request learns nothing, not even
   * whether the victim may change things.
   */
  const checked: RequestHandler = (req: Request, res, next) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!isSameOrigin(req, cookies) || !sessions.checkCsrf(sessionOf(res), body._csrf)) {
      throw new AppError('csrf_failed', 403, 'Begäran saknar giltig säkerhetstoken eller kommer från en annan webbplats. Ladda om sidan och försök igen.');
    }
    next();
  };

  return {
    deps,
    app: { db: deps.db, policy: deps.rules.policy, clock: deps.clock, publicBaseUrl: deps.publicBaseUrl, templatesDir: deps.templatesDir, onCommitted: deps.onCommitted, webhooks: deps.webhooks },
    sessions,
    cookies,
    signedIn,
    changes: (options = {}) => [
      express.urlencoded({ extended: false, limit: options.bodyLimit ?? '100kb' }),
      signedIn,
      checked,
      ...(options.anyRole ? [] : [adminOnly]),
    ],
    frame(res, title, nav, notice) {
      const session = (res.locals.adminSession as AdminSession | undefined) ?? null;
      return { title, session, csrfToken: session ? sessions.csrfToken(session) : null, nav, notice };
    },
  };
}

/** Only admins reach the forms that change things; a viewer gets a page saying why. */
export const adminOnly: RequestHandler = (_req, res, next) => {
  if (sessionOf(res).role !== 'admin') {
    throw new AppError('forbidden', 403, 'Du har läsbehörighet och kan inte ändra något. Ändringar kräver en admin-token.');
  }
  next();
};

/** Confirmations after a change, by a fixed key in the redirect, so no text travels in the URL. */
export const CONFIRMATIONS: Record<string, string> = {
  registrerat: 'Driftstoppet är registrerat. Meddelandena är planerade.',
  'kort-varsel': 'Driftstoppet är registrerat med kort varsel. Försenade meddelanden skickas nu och markeras som sena.',
  flyttat: 'Driftstoppet har fått ny tid. De som redan informerats får ett meddelande om ändringen.',
  serie: 'Serien är registrerad. Meddelandena för varje tillfälle är planerade.',
  installt: 'Driftstoppet är inställt. De som redan informerats får ett meddelande om det.',
  'mottagare-tillagd': 'Mottagaren är tillagd.',
  'mottagare-borttagen': 'Mottagaren är borttagen.',
  'mottagare-andrad': 'Ändringarna är sparade.',
  'storning-registrerad': 'Driftstörningen är registrerad. Beskedet skickas nu till alla berörda.',
  'storning-uppdaterad': 'Uppdateringen är sparad. Den skickas nu till dem som har fått besked om driftstörningen.',
};

export function confirmation(req: Request): string | undefined {
  const key = req.query.klart;
  return typeof key === 'string' ? CONFIRMATIONS[key] : undefined;
}
