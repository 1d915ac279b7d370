import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * What a personal link may do. A token is good for its one purpose only: an
 * acknowledgement link cannot unsubscribe, a settings link cannot confirm a sign-up.
 */
export const LINK_PURPOSES = ['acknowledge', 'settings', 'unsubscribe', 'confirm-subscription'] as const;
export type LinkPurpose = (typeof LINK_PURPOSES)[number];

/** What a link is about, signed into it. */
export interface LinkClaims {
  purpose: LinkPurpose;
  /** Whose link it is: a recipient's id, or for `confirm-subscription` the pending sign-up's id. */
  subject: string;
  /** The window (acknowledgement). */
  windowId?: string | undefined;
  /** The window's revision the link was made for: a moved window asks again. */
  revision?: number | undefined;
  expiresAt: Date;
}

export type LinkProblem = 'malformed' | 'tampered' | 'expired' | 'wrong_purpose';

export type LinkCheck = { ok: true; claims: LinkClaims } | { ok: false; problem: LinkProblem };

/** The payload as signed: short keys, seconds since the epoch, so the link stays short enough for a plain-text line. */
interface Payload {
  p: LinkPurpose;
  s: string;
  w?: string;
  r?: number;
  e: number;
}

const VERSION = 'v1';
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How long each kind of link holds, from when its message is made. A confirmation link is
 * the 48 hours the sign-up promises; the others outlive the messages they are in, so that a
 * link in last month's e-mail still opens the recipient's settings or unsubscribes.
 */
export const LINK_LIFETIME_MS: Readonly<Record<LinkPurpose, number>> = {
  acknowledge: 180 * DAY_MS,
  settings: 365 * DAY_MS,
  unsubscribe: 365 * DAY_MS,
  'confirm-subscription': 2 * DAY_MS,
};

/**
 * A token for a personal link: `v1.<payload>.<signature>`, both base64url, the signature an
 * HMAC-SHA256 over the version and payload with LINK_SECRET. Safe in a URL path or query
 * without escaping.
 */
export function signLink(secret: string, claims: LinkClaims): string {
  const payload: Payload = { p: claims.purpose, s: claims.subject, e: Math.floor(claims.expiresAt.getTime() / 1000) };
  if (claims.windowId !== undefined) payload.w = claims.windowId;
  if (claims.revision !== undefined) payload.r = claims.revision;
  const body = `${VERSION}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${body}.${mac(secret, body)}`;
}

/**
 * The claims of a token, if it is whole, signed with this secret, not expired at `now` and
 * made for `purpose`. The signature is checked before anything in the payload is believed.
 */
export function verifyLink(secret: string, token: string, purpose: LinkPurpose, now: Date): LinkCheck {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION || !parts[1] || !parts[2]) return { ok: false, problem: 'malformed' };
  const body = `${parts[0]}.${parts[1]}`;
  const given = Buffer.from(parts[2], 'base64url');
  const expected = Buffer.from(mac(secret, body), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, problem: 'tampered' };
  const payload = parsePayload(parts[1]);
  if (!payload) return { ok: false, problem: 'malformed' };
  if (payload.p !== purpose) return { ok: false, problem: 'wrong_purpose' };
  if (payload.e * 1000 <= now.getTime()) return { ok: false, problem: 'expired' };
  return {
    ok: true,
    claims: { purpose: payload.p, subject: payload.s, windowId: payload.w, revision: payload.r, expiresAt: new Date(payload.e * 1000) },
  };
}

/** When a link of this purpose made at `now` expires. */
export function linkExpiry(purpose: LinkPurpose, now: Date): Date {
  return new Date(now.getTime() + LINK_LIFETIME_MS[purpose]);
}

/**
 * What the person who opened a bad link is told, and the status of the page: never a 500,
 * and never whose link it was.
 */
export const LINK_PROBLEM_PAGES: Readonly<Record<LinkProblem, { status: number; title: string; text: string }>> = {
  malformed: {
    status: 400,
    title: 'Länken är inte hel',
    text: 'Länken saknar en del. Kopiera hela länken från e-postmeddelandet, eller klicka på den i meddelandet.',
  },
  tampered: {
    status: 403,
    title: 'Länken gäller inte',
    text: 'Länken har ändrats och kan inte användas. Använd länken i ditt senaste e-postmeddelande från driftstopp.',
  },
  expired: {
    status: 410,
    title: 'Länken har gått ut',
    text: 'Länken gäller inte längre. Använd länken i ditt senaste e-postmeddelande från driftstopp.',
  },
  wrong_purpose: {
    status: 400,
    title: 'Länken gäller något annat',
    text: 'Länken hör till en annan sida i driftstopp. Använd den länk i e-postmeddelandet som hör till det du vill göra.',
  },
};

function mac(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}

function parsePayload(encoded: string): Payload | null {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const p = value as Record<string, unknown>;
  const fits =
    LINK_PURPOSES.includes(p.p as LinkPurpose) &&
    typeof p.s === 'string' &&
    p.s !== '' &&
    Number.isInteger(p.e) &&
    (p.w === undefined || typeof p.w === 'string') &&
    (p.r === undefined || Number.isInteger(p.r));
  return fits ? (p as unknown as Payload) : null;
}
