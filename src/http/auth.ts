import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { ApiToken, Role } from '../config.js';
import { AppError } from '../errors.js';

export interface Principal {
  role: Role;
  /**
   * Names the token in the audit trail without revealing it: `Anna (admin)` for a named
   * token (just `admin` for the generated one, whose name is its role), else the role and
   * the start of the token's hash, `admin:7c674a72`.
   */
  actor: string;
}

/** The audit trail's name for a token. */
export function actorOf(token: { role: Role; name?: string | undefined }, digestHex: string): string {
  if (token.name === undefined) return `${token.role}:${digestHex.slice(0, 8)}`;
  return token.name === token.role ? token.name : `${token.name} (${token.role})`;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The role of a bearer token, comparing in constant time against every known token. */
export function tokenAuthenticator(tokens: readonly ApiToken[]) {
  const known = tokens.map((t) => ({ ...t, digest: digest(t.token) }));
  return (presented: string): Principal | null => {
    const candidate = digest(presented);
    let match: (typeof known)[number] | null = null;
    for (const token of known) {
      if (timingSafeEqual(candidate, token.digest)) match = token;
    }
    return match ? { role: match.role, actor: actorOf(match, match.digest.toString('hex')) } : null;
  };
}

/**
 * The token of a request: `Authorization: Bearer <token>`, or, for pages a browser opens
 * (the queue dashboard), HTTP Basic with the token as password.
 */
export function presentedToken(header: string): string | null {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return bearer[1]!;
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!basic) return null;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  return decoded.includes(':') ? decoded.slice(decoded.indexOf(':') + 1) : null;
}

export function requireToken(authenticate: (token: string) => Principal | null, options: { basicRealm?: boolean } = {}): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const token = presentedToken(req.get('authorization') ?? '');
    const principal = token ? authenticate(token) : null;
    if (!principal) {
      res.set('WWW-Authenticate', options.basicRealm ? 'Basic realm="driftstopp", charset="UTF-8"' : 'Bearer realm="driftstopp"');
      throw new AppError('unauthorized', 401, token ? 'Token är ogiltig.' : 'Ange en token: Authorization: Bearer <token>.');
    }
    req.principal = principal;
    next();
  };
}

export const requireAdmin: RequestHandler = (req, _res, next) => {
  if (req.principal?.role !== 'admin') throw new AppError('forbidden', 403, 'Kräver en admin-token.');
  next();
};

/** Viewers may read; only admins may change anything. */
export const requireAdminForWrites: RequestHandler = (req, _res, next) => {
  if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method) && req.principal?.role !== 'admin') {
    throw new AppError('forbidden', 403, 'Rollen viewer får bara läsa; ändringar kräver en admin-token.');
  }
  next();
};

export function principalOf(req: Request): Principal {
  if (!req.principal) throw new AppError('unauthorized', 401, 'Ingen inloggning.');
  return req.principal;
}

/** How long failed authentications of one client address are remembered. */
const AUTH_FAILURE_WINDOW_MS = 15 * 60 * 1000;

/**
 * Slows down guessing tokens, per client address: after `limit` failures in 15 minutes the
 * client gets 429 until the window has passed. Only failures count, so a busy client with a
 * good token is never limited. The API and the admin sign-in form each mount one.
 */
export function authFailureLimiter(options: {
  /** @defaultValue 50 */
  limit?: number | undefined;
  /** Whether the answer given means the authentication failed. */
  failed: (status: number) => boolean;
}): RequestHandler {
  return rateLimit({
    windowMs: AUTH_FAILURE_WINDOW_MS,
    limit: options.limit ?? 50,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => !options.failed(res.statusCode),
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: () => {
      throw new AppError('too_many_failures', 429, 'För många misslyckade inloggningar; försök igen om en stund.');
    },
  });
}

export interface SiteOptions {
  /**
   * Where the service is reached from outside. Behind a TLS proxy that is not on loopback the
   * request itself looks like plain HTTP; this address still makes cookies Secure and is an
   * origin a form may come from.
   */
  publicBaseUrl: string;
}

/**
 * A change must come from a page of this service: a browser says where a request comes from
 * in Sec-Fetch-Site and Origin, and either one naming another site refuses it. Old browsers
 * send neither; the CSRF token still protects them.
 */
export function isSameOrigin(req: Request, options: SiteOptions): boolean {
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = req.get('origin');
  return origin === undefined || origin === `${req.protocol}://${req.host}` || origin === new URL(options.publicBaseUrl).origin;
}
