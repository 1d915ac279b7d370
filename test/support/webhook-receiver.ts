import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

export interface ReceivedWebhook {
  body: any;
  raw: string;
  signatureValid: boolean;
  deliveryId: string | undefined;
  /** Every request header as received, lower-case names (the Standard Webhooks headers among them). */
  headers: http.IncomingHttpHeaders;
  receivedAt: number;
}

export interface WebhookReceiver {
  url: string;
  /** Publications it accepted (answered 2xx). */
  accepted: ReceivedWebhook[];
  /** Raw bodies of the requests it refused on purpose. */
  refusedBodies: string[];
  /** The headers of the requests it refused on purpose, in the same order. */
  refusedHeaders: http.IncomingHttpHeaders[];
  refused: number;
  /** While above zero, each request is answered 500 and the count goes down. */
  failNext: number;
  close(): Promise<void>;
}

/** A real HTTP receiver like a CMS would run: verifies X-Signature over the raw body. */
export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const state: WebhookReceiver = { url: '', accepted: [], refusedBodies: [], refusedHeaders: [], refused: 0, failNext: 0, close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (state.failNext > 0) {
        state.failNext -= 1;
        state.refused += 1;
        state.refusedBodies.push(Buffer.concat(chunks).toString('utf8'));
        state.refusedHeaders.push(req.headers);
        res.writeHead(500).end('CMS unavailable');
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
      const given = Buffer.from(String(req.headers['x-signature'] ?? ''));
      state.accepted.push({
        body: JSON.parse(raw),
        raw,
        signatureValid: given.length === expected.length && timingSafeEqual(given, expected),
        deliveryId: req.headers['x-delivery-id'] as string | undefined,
        headers: req.headers,
        receivedAt: Date.now(),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  state.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks/driftstopp`;
  state.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
