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
 * POSTs one publication as JSON, signed. The body is built by the caller from stored
 * values only, so a retry sends the very same bytes and signature.
 */
export async function postWebhook(url: string, body: string, secret: string, deliveryId: string, timeoutMs = 10_000): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'driftstopp',
        'x-signature': signBody(secret, body),
        'x-delivery-id': deliveryId,
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
