import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { DateTime } from 'luxon';
import { renderLinkProblem } from '../links/link-pages.js';
import { verifyLink, type LinkClaims, type LinkPurpose } from '../links/link-tokens.js';

export interface LinkCheckDeps {
  linkSecret: string;
  clock: () => DateTime;
  /** Named on every link page. */
  municipality: string;
}

/**
 * Middleware for a route with `:token`: a token that is whole, unchanged, unexpired and made
 * for `purpose` puts its claims in `res.locals.link`; any other gets the Swedish page that
 * says what is wrong, with its 4xx, and the route never runs. Link pages are personal: never
 * cached, never sent as a Referer, and their forms post only back to this service.
 */
export function requireLink(deps: LinkCheckDeps, purpose: LinkPurpose): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    res.set('Cache-Control', 'no-store');
    res.set('Referrer-Policy', 'no-referrer');
    res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    const token = typeof req.params.token === 'string' ? req.params.token : '';
    const check = verifyLink(deps.linkSecret, token, purpose, deps.clock().toJSDate());
    if (!check.ok) {
      const { status, html } = renderLinkProblem(deps.municipality, check.problem);
      res.status(status).type('text/html; charset=utf-8').send(html);
      return;
    }
    res.locals.link = check.claims;
    next();
  };
}

/** The claims `requireLink` checked, in a route behind it. */
export function linkClaims(res: Response): LinkClaims {
  const claims = res.locals.link as LinkClaims | undefined;
  if (!claims) throw new Error('linkClaims used on a route without requireLink');
  return claims;
}
