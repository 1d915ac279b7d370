import { createHmac } from 'node:crypto';

export class WebhookError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebhookError';
    this.status = status;
  }
}

/** `sha256=<hex HMAC-SHA256 of the raw body>`, as the contract's X-Signature header. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * The Standard Webhooks headers (standardwebhooks.com): `webhook-signature` is
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed with the UTF-8 bytes of the
 * secret as configured. (The reference libraries take the key as `whsec_` + base64 of
 * those bytes; the README shows how.) The timestamp is signed with the body, so a receiver
 * that refuses old timestamps and ids it has seen cannot be fed a recorded request again.
 */
export function standardWebhookHeaders(secret: string, id: string, timestampSeconds: number, body: string): Record<string, string> {
  const signature = createHmac('sha256', secret).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': `v1,${signature}` };
}

export interface PostWebhookOptions {
  /** @defaultValue 10 seconds */
  timeoutMs?: number;
  /** The clock of `webhook-timestamp`, in milliseconds. @defaultValue Date.now */
  now?: () => number;
}

/**
 * POSTs one publication as JSON, signed. The body is built by the caller from stored
 * values only, so a retry sends the very same bytes and X-Signature; `webhook-id` is the
 * delivery's id, the same on every attempt, while `webhook-timestamp` is this attempt's.
 */
export async function postWebhook(url: string, body: string, secret: string, deliveryId: string, options: PostWebhookOptions = {}): Promise<void> {
  const { timeoutMs = 10_000, now = Date.now } = options;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'driftstopp',
        'x-signature': signBody(secret, body),
        'x-delivery-id': deliveryId,
        ...standardWebhookHeaders(secret, deliveryId, Math.floor(now() / 1000), body),
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (error) {
    throw new WebhookError(`webhook ${new URL(url).host}: ${(error as Error).message}`, undefined, { cause: error });
  }
  await response.body?.cancel();
  if (!response.ok) throw new WebhookError(`webhook ${new URL(url).host} answered ${response.status}`, response.status);
}
