/**
 * Which delivery failures are worth retrying. One table, so the policy is in one place:
 * a permanent failure ends the delivery as failed at once; a transient one is retried with
 * exponential backoff until the attempts run out.
 */
export type FailureKind = 'permanent' | 'transient';

/** Node and nodemailer error codes of a connection that may work later. */
const TRANSIENT_CODES = new Set([
  'ECONNECTION',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EPROTOCOL',
  // Wrong credentials are an operator's mistake: keep retrying while they fix it.
  'EAUTH',
]);

export function classifyFailure(error: unknown): FailureKind {
  const e = error as { responseCode?: number; code?: string; status?: number; permanent?: boolean };
  if (e?.permanent === true) return 'permanent';
  if (typeof e?.responseCode === 'number') {
    // SMTP: 4xx try again later (421, 450, 451, 452), 5xx the server says never (550, 553, 554).
    return e.responseCode >= 500 && e.code !== 'EAUTH' ? 'permanent' : 'transient';
  }
  if (typeof e?.status === 'number') {
    // Webhooks: the CMS refusing the request itself (400, 401, 403, 404, 410, 413, 422) will not change by retrying.
    return e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429 ? 'permanent' : 'transient';
  }
  if (e?.code && TRANSIENT_CODES.has(e.code)) return 'transient';
  return 'transient';
}

export function describeFailure(error: unknown): string {
  const e = error as { response?: string; message?: string; responseCode?: number; status?: number };
  const text = e?.response ?? e?.message ?? String(error);
  return text.replace(/\s+/g, ' ').slice(0, 500);
}
