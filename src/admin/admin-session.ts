import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Revocations } from '../application/session-revocations.js';
import type { ApiToken, Role } from '../config.js';
import { tokenAuthenticator, type Principal, type SiteOptions } from '../http/auth.js';

/** Everything the admin page keeps in cookies lives under this path. */
export const ADMIN_PATH = '/admin';
export const SESSION_COOKIE = 'driftstopp_admin';
/** The double-submit token of the sign-in form, which is posted before there is a session. */
export const SIGN_IN_COOKIE = 'driftstopp_admin_login';
export const SESSION_HOURS = 8;
const HOUR_MS = 60 * 60 * 1000;

export interface AdminSession extends Principal {
  /** Random per sign-in: binds the CSRF token and lets sign-out revoke this session alone. */
  id: string;
  expiresAt: number;
}

export interface SessionKeeper {
  /** The principal of a token, or null: the same check, in constant time, as the API's. */
  authenticate(token: string): Principal | null;
  start(req: Request, res: Response, principal: Principal): AdminSession;
  read(req: Request): Promise<AdminSession | null>;
  end(req: Request, res: Response): Promise<void>;
  csrfToken(session: AdminSession): string;
  checkCsrf(session: AdminSession, presented: unknown): boolean;
}

/**
 * Signed sessions: the cookie carries role, actor and expiry, signed with HMAC-SHA256.
 * The key is derived from the configured tokens, so every replica accepts the same cookie,
 * a restart keeps people signed in, and rotating any token signs everyone out. A signed-out
 * session is remembered in `revocations`, so its cookie opens nothing anywhere afterwards.
 */
export function sessionKeeper(tokens: readonly ApiToken[], now: () => number, options: CookieOptions, revocations: Revocations): SessionKeeper {
  const material = tokens.map((t) => `${t.role}:${t.token}`).sort().join('\n');
  const key = Buffer.from(hkdfSync('sha256', material, 'driftstopp-admin', 'session cookie v1', 32));
  const authenticate = tokenAuthenticator(tokens);
  /** The role of each actor a configured token signs in as; a session of any other is void. */
  const roles = new Map<string, Role>();
  for (const { token } of tokens) {
    const principal = authenticate(token);
    if (principal) roles.set(principal.actor, principal.role);
  }
  const mac = (data: string) => createHmac('sha256', key).update(data).digest('base64url');

  const read = async (req: Request): Promise<AdminSession | null> => {
    const value = readCookie(req, SESSION_COOKIE);
    const [payload, signature, extra] = value?.split('.') ?? [];
    if (!payload || !signature || extra !== undefined || !sameText(signature, mac(payload))) return null;
    const data = parsePayload(payload);
    if (!data || data.e <= now() || roles.get(data.a) !== data.r || (await revocations.isRevoked(data.i))) return null;
    return { id: data.i, role: data.r, actor: data.a, expiresAt: data.e };
  };

  return {
    authenticate,
    start(req, res, principal) {
      const session: AdminSession = { ...principal, id: randomBytes(16).toString('base64url'), expiresAt: now() + SESSION_HOURS * HOUR_MS };
      const payload = Buffer.from(JSON.stringify({ i: session.id, r: session.role, a: session.actor, e: session.expiresAt })).toString('base64url');
      setCookie(req, res, SESSION_COOKIE, `${payload}.${mac(payload)}`, SESSION_HOURS * 3600, options);
      return session;
    },
    read,
    async end(req, res) {
      const session = await read(req);
      if (session) await revocations.revoke(session.id, session.expiresAt);
      setCookie(req, res, SESSION_COOKIE, '', 0, options);
    },
    csrfToken: (session) => mac(`csrf:${session.id}`),
    checkCsrf: (session, presented) => typeof presented === 'string' && sameText(presented, mac(`csrf:${session.id}`)),
  };
}

/** A fresh double-submit token for the sign-in form, set as a cookie and echoed in the form. */
export function issueSignInToken(req: Request, res: Response, options: CookieOptions): string {
  const token = randomBytes(24).toString('base64url');
  setCookie(req, res, SIGN_IN_COOKIE, token, 3600, options);
  return token;
}

export function checkSignInToken(req: Request, presented: unknown): boolean {
  const expected = readCookie(req, SIGN_IN_COOKIE);
  return typeof presented === 'string' && expected !== undefined && expected.length > 0 && sameText(presented, expected);
}

/** Where the service is reached from outside: it makes cookies Secure behind a TLS proxy. */
export type CookieOptions = SiteOptions;

/** Compares in constant time; only the length, which is public, may end it early. */
function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function parsePayload(payload: string): { i: string; r: Role; a: string; e: number } | null {
  try {
    const data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const { i, r, a, e } = data;
    if (typeof i !== 'string' || (r !== 'admin' && r !== 'viewer') || typeof a !== 'string' || typeof e !== 'number') return null;
    return { i, r, a, e };
  } catch {
    return null;
  }
}

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** HttpOnly, SameSite=Strict, only under /admin, and Secure whenever the page is served over HTTPS. */
function setCookie(req: Request, res: Response, name: string, value: string, maxAgeSeconds: number, options: CookieOptions): void {
  const attributes = [`${name}=${value}`, `Path=${ADMIN_PATH}`, `Max-Age=${maxAgeSeconds}`, 'HttpOnly', 'SameSite=Strict'];
  if (req.secure || options.publicBaseUrl.startsWith('https:')) attributes.push('Secure');
  res.append('Set-Cookie', attributes.join('; '));
}
