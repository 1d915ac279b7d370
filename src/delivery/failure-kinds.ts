import { PermanentDeliveryError } from '../errors.js';
import { WebhookError } from './webhook-sender.js';

/**
 * What a delivery failure is, and so what becomes of it:
 * - `transient`: the other side may take it later (a connection refused or reset, a timeout,
 *   DNS, SMTP 4xx, a webhook 5xx, 408 or 429): given back and retried with backoff.
 * - `permanent`: the other side refuses this message for good (SMTP 5xx for an address, a
 *   webhook 4xx): that delivery ends as failed at once.
 * - `programming`: anything else (a TypeError, a template that does not render, an invitation
 *   that cannot be built). Retrying cannot help and would hide it for hours: the batch ends
 *   at once (BullMQ's UnrecoverableError), logged at error level and counted.
 */
export type FailureKind = 'transient' | 'permanent' | 'programming';

export const FAILURE_KINDS: readonly FailureKind[] = ['transient', 'permanent', 'programming'];

interface FailureShape {
  responseCode?: unknown;
  code?: unknown;
  name?: unknown;
}

/**
 * Node, undici and nodemailer codes of a connection or a server that may work later. Wrong
 * credentials and a failed TLS handshake (EAUTH, ENOAUTH, ETLS) are an operator's mistake on
 * the mail server's side: keep retrying while they fix it.
 */
const TRANSIENT_CODES = new Set([
  'ECONNECTION', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ESOCKET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH',
  'EDNS', 'ENOTFOUND', 'EAI_AGAIN', 'EPROTOCOL', 'EAUTH', 'ENOAUTH', 'ETLS', 'EMAXLIMIT',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
]);

const webhookStatus = (error: unknown) => (error instanceof WebhookError ? error.status : undefined);
const smtpCode = (error: unknown) => {
  const code = (error as FailureShape | null)?.responseCode;
  return typeof code === 'number' ? code : undefined;
};

/**
 * The classification, in one table: the first row that matches decides. Anything no row
 * matches is a programming error, so nothing unknown is retried for hours.
 */
const TABLE: readonly { kind: FailureKind; what: string; matches: (error: unknown) => boolean }[] = [
  { kind: 'permanent', what: 'refused by our own rules (PermanentDeliveryError)', matches: (e) => e instanceof PermanentDeliveryError },
  { kind: 'transient', what: 'SMTP authentication failed (an operator fixes it)', matches: (e) => smtpCode(e) !== undefined && codeOf(e) === 'EAUTH' },
  { kind: 'transient', what: 'SMTP 4xx: try again later (421, 450, 451, 452)', matches: (e) => inRange(smtpCode(e), 400, 499) },
  { kind: 'permanent', what: 'SMTP 5xx: the server says never (550, 553, 554)', matches: (e) => inRange(smtpCode(e), 500, 599) },
  { kind: 'transient', what: 'webhook 408, 429 or 5xx', matches: (e) => [408, 429].includes(webhookStatus(e) ?? 0) || inRange(webhookStatus(e), 500, 599) },
  { kind: 'permanent', what: 'webhook 4xx: the CMS refuses the request itself', matches: (e) => inRange(webhookStatus(e), 400, 499) },
  { kind: 'transient', what: 'webhook without an answer (refused, reset, timed out, DNS)', matches: (e) => e instanceof WebhookError && e.status === undefined && isNetworkFailure(e.cause) },
  { kind: 'transient', what: 'a connection that may work later', matches: (e) => TRANSIENT_CODES.has(codeOf(e) ?? '') },
];

export function classifyFailure(error: unknown): FailureKind {
  return TABLE.find((row) => row.matches(error))?.kind ?? 'programming';
}

function inRange(value: number | undefined, low: number, high: number): boolean {
  return value !== undefined && value >= low && value <= high;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as FailureShape | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** fetch reports a failed connection as TypeError('fetch failed') with the socket's error as cause; a timeout as TimeoutError. */
function isNetworkFailure(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const { name } = e as FailureShape;
    if (name === 'TimeoutError' || name === 'AbortError') return true;
    if (TRANSIENT_CODES.has(codeOf(e) ?? '')) return true;
  }
  return false;
}

export function describeFailure(error: unknown): string {
  const e = error as { response?: string; message?: string; name?: string } | null;
  const text = e?.response ?? (e?.message ? `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}` : String(error));
  return text.replace(/\s+/g, ' ').slice(0, 500);
}
