import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postWebhook, standardWebhookHeaders } from '../../src/delivery/webhook-sender.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

/** Not ASCII on purpose: the key is the secret's UTF-8 bytes, which the library must be given as such. */
const SECRET = 'hemlig-nyckel-för-webhooks-åäö';
/** How a receiver hands our WEBHOOK_SECRET to the Standard Webhooks library (README). */
const LIBRARY_SECRET = `whsec_${Buffer.from(SECRET, 'utf8').toString('base64')}`;
const BODY = JSON.stringify({ audience: 'public', kind: 'announcement', window: { id: 'w1', title: 'Uppgradering av Tes' } });

const headersOf = (received: { headers: Record<string, unknown> }) => ({
  'webhook-id': String(received.headers['webhook-id']),
  'webhook-timestamp': String(received.headers['webhook-timestamp']),
  'webhook-signature': String(received.headers['webhook-signature']),
});

describe('postWebhook with the Standard Webhooks headers', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver(SECRET);
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it('when a publication is posted, then the official standardwebhooks library verifies it with whsec_ + base64 of the secret', async () => {
    await postWebhook(receiver.url, BODY, SECRET, 'delivery-1');
    const received = receiver.accepted.at(-1)!;
    expect(received.signatureValid).toBe(true);
    expect(received.headers['webhook-id']).toBe('delivery-1');
    expect(received.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(LIBRARY_SECRET).verify(received.raw, headersOf(received))).toEqual(JSON.parse(BODY));
    // The library's raw format works too when given the bytes, not the string (which it reads as UTF-16 code units).
    expect(() => new Webhook(Buffer.from(SECRET, 'utf8'), { format: 'raw' }).verify(received.raw, headersOf(received))).not.toThrow();
  });

  it('when the body, the id or the timestamp is changed on the way, or another secret is used, then the library refuses it', async () => {
    await postWebhook(receiver.url, BODY, SECRET, 'delivery-2');
    const received = receiver.accepted.at(-1)!;
    const headers = headersOf(received);
    const verifier = new Webhook(LIBRARY_SECRET);
    expect(() => verifier.verify(received.raw.replace('Tes', 'CareApp'), headers)).toThrow(WebhookVerificationError);
    expect(() => verifier.verify(received.raw, { ...headers, 'webhook-id': 'delivery-3' })).toThrow(WebhookVerificationError);
    expect(() => verifier.verify(received.raw, { ...headers, 'webhook-timestamp': String(Number(headers['webhook-timestamp']) - 1) })).toThrow(
      WebhookVerificationError,
    );
    const otherSecret = `whsec_${Buffer.from('en-annan-nyckel-1234', 'utf8').toString('base64')}`;
    expect(() => new Webhook(otherSecret).verify(received.raw, headers)).toThrow(WebhookVerificationError);
  });

  it('when an attempt is made, then webhook-timestamp is the unix seconds of that attempt by the clock given', async () => {
    const before = Math.floor(Date.now() / 1000);
    await postWebhook(receiver.url, BODY, SECRET, 'delivery-4');
    const fresh = Number(receiver.accepted.at(-1)!.headers['webhook-timestamp']);
    expect(fresh).toBeGreaterThanOrEqual(before);
    expect(fresh).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));

    await postWebhook(receiver.url, BODY, SECRET, 'delivery-4', { now: () => Date.parse('2027-03-30T07:00:00.900Z') });
    expect(receiver.accepted.at(-1)!.headers['webhook-timestamp']).toBe(String(Date.parse('2027-03-30T07:00:00Z') / 1000));
  });

  it('when a recorded request is replayed ten minutes later, then the library refuses it as too old', async () => {
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
    const headers = standardWebhookHeaders(SECRET, 'delivery-5', tenMinutesAgo, BODY);
    expect(() => new Webhook(LIBRARY_SECRET).verify(BODY, headers)).toThrow('Message timestamp too old');
  });
});
