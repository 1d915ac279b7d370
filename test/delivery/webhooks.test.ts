import { DateTime } from 'luxon';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../support/database.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const SECRET = 'a-webhook-secret-for-tests';
/** The receiver's key for the standardwebhooks library: whsec_ + base64 of WEBHOOK_SECRET's bytes. */
const LIBRARY_SECRET = `whsec_${Buffer.from(SECRET, 'utf8').toString('base64')}`;

function slot(daysAhead: number, hour = 9) {
  let day = DateTime.now().setZone('Europe/Stockholm').startOf('day').plus({ days: daysAhead });
  while (![2, 3].includes(day.weekday)) day = day.plus({ days: 1 });
  return { start: day.set({ hour }).toISO()!, end: day.set({ hour: hour + 2 }).toISO()! };
}

describe.each(testBackends)('publications to the intranet and public CMS on $name', (backend) => {
  let stack: TestStack;
  let intranet: WebhookReceiver;
  let publicSite: WebhookReceiver;

  beforeAll(async () => {
    intranet = await startWebhookReceiver(SECRET);
    publicSite = await startWebhookReceiver(SECRET);
    stack = await startTestStack(backend, { webhooks: { intranet: intranet.url, public: publicSite.url }, webhookSecret: SECRET });
  });
  afterAll(async () => {
    await stack?.stop();
    await intranet?.close();
    await publicSite?.close();
  });

  const kindsFor = (receiver: WebhookReceiver, windowId: string) =>
    receiver.accepted.filter((w) => w.body.window.id === windowId).map((w) => w.body.kind);

  it('when a window is registered, moved and cancelled, then each CMS receives a signed announcement, update and cancellation, once each', async () => {
    const created = await stack.api.request('POST', '/api/windows', {
      body: { title: 'Uppgradering av CareApp', systems: ['careapp'], kind: 'minor', ...slot(2), shortNotice: { reason: 'Kritisk rättning' } },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    await eventually(async () => [kindsFor(intranet, id), kindsFor(publicSite, id)], ([a, b]) => a!.length === 1 && b!.length === 1);
    const announcement = publicSite.accepted.find((w) => w.body.window.id === id)!;
    expect(announcement.signatureValid).toBe(true);
    expect(announcement.body).toMatchObject({ audience: 'public', kind: 'announcement', window: { id, title: 'Uppgradering av CareApp', status: 'scheduled', revision: 1 } });
    expect(announcement.body.window.systems).toEqual([{ id: 'careapp', name: 'CareApp' }]);
    expect(new Date(announcement.body.publishedAt).getTime()).toBeLessThanOrEqual(announcement.receivedAt);

    const moved = await stack.api.request('PATCH', `/api/windows/${id}`, { body: { ...slot(9, 10), shortNotice: { reason: 'Flyttat av leverantören' } } });
    expect(moved.status).toBe(200);
    await eventually(async () => kindsFor(publicSite, id), (kinds) => kinds.length === 2);
    const update = publicSite.accepted.filter((w) => w.body.window.id === id)[1]!;
    expect(update.body).toMatchObject({ kind: 'update', window: { revision: 2, start: moved.body.start } });

    expect((await stack.api.request('POST', `/api/windows/${id}/cancel`, { body: { reason: 'Behövs inte längre' } })).status).toBe(200);
    await eventually(async () => [kindsFor(intranet, id), kindsFor(publicSite, id)], ([a, b]) => a!.length === 3 && b!.length === 3);
    expect(kindsFor(intranet, id)).toEqual(['announcement', 'update', 'cancellation']);
    expect(kindsFor(publicSite, id)).toEqual(['announcement', 'update', 'cancellation']);
    expect(publicSite.accepted.every((w) => w.signatureValid)).toBe(true);
    const cancellation = publicSite.accepted.filter((w) => w.body.window.id === id)[2]!;
    expect(cancellation.body.window).toMatchObject({ status: 'cancelled', cancelReason: 'Behövs inte längre', revision: 3 });
  });

  it('when the CMS answers 500 for a while, then each publication still arrives exactly once, with the same signed body and webhook-id and a fresh signed timestamp', async () => {
    intranet.failNext = 3;
    const created = await stack.api.request('POST', '/api/windows', {
      body: { title: 'Byte av server för Tes', systems: ['tes'], kind: 'minor', ...slot(3), shortNotice: { reason: 'Hårdvarufel' } },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    await eventually(async () => kindsFor(intranet, id), (kinds) => kinds.length === 1, 30_000);
    expect(intranet.refused).toBeGreaterThanOrEqual(3);
    // Time for any duplicate to show up: the reconciler runs every second in the test stack.
    await new Promise((r) => setTimeout(r, 2500));
    expect(kindsFor(intranet, id)).toEqual(['announcement']);
    const accepted = intranet.accepted.find((w) => w.body.window.id === id)!;
    const retried = intranet.refusedBodies.filter((raw) => JSON.parse(raw).window.id === id);
    expect(retried.length).toBeGreaterThanOrEqual(3);
    expect(new Set(retried)).toEqual(new Set([accepted.raw]));
    const deliveries = await stack.api.request('GET', `/api/windows/${id}/deliveries`);
    const webhook = deliveries.body.items.find((d: any) => d.channel === 'webhook' && d.audience === 'intranet');
    expect(webhook).toMatchObject({ status: 'sent', recipient: { url: intranet.url } });
    expect(webhook.attempts).toBeGreaterThanOrEqual(2);

    // Replays can be refused: every attempt carries the delivery's id, and its own, fresh, signed timestamp.
    const attempts = intranet.refusedHeaders.filter((_headers, i) => JSON.parse(intranet.refusedBodies[i]!).window.id === id);
    expect(new Set([...attempts, accepted.headers].map((h) => h['webhook-id']))).toEqual(new Set([webhook.id]));
    const firstTry = Number(attempts[0]!['webhook-timestamp']);
    const lastTry = Number(accepted.headers['webhook-timestamp']);
    // Three refusals with 300 ms exponential backoff span more than two seconds.
    expect(lastTry).toBeGreaterThan(firstTry);
    expect(Math.abs(lastTry - accepted.receivedAt / 1000)).toBeLessThanOrEqual(2);
    const headers = Object.fromEntries(['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, String(accepted.headers[name])]));
    expect(new Webhook(LIBRARY_SECRET).verify(accepted.raw, headers)).toEqual(accepted.body);
  });
});
