import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../support/database.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const SECRET = 'a-webhook-secret-for-disruptions';
const LIBRARY_SECRET = `whsec_${Buffer.from(SECRET, 'utf8').toString('base64')}`;
const MINUTE = 60_000;
/** The done-when bound: generous on a loaded machine, and still "at once" for a reader. */
const AT_ONCE_MS = 10_000;

/**
 * Issue 14's done-when, at the SMTP server and two real CMS receivers: a disruption registered
 * reaches every subscribed manager and provider and both webhooks within 10 seconds; two status
 * updates reach exactly those told: a recipient removed after being told still hears them, one
 * added later gets the announcement (as the disruption is then), never an update, and one added
 * after the resolution gets nothing.
 */
describe.each(testBackends)('a disruption broadcast, at the SMTP server and the CMS, on $name', (backend) => {
  let stack: TestStack;
  let intranet: WebhookReceiver;
  let publicSite: WebhookReceiver;

  beforeAll(async () => {
    intranet = await startWebhookReceiver(SECRET);
    publicSite = await startWebhookReceiver(SECRET);
    // The reconciler runs at start only: each catch-up must come from the change that made it owed.
    stack = await startTestStack(backend, {
      webhooks: { intranet: intranet.url, public: publicSite.url },
      webhookSecret: SECRET,
      reconcileEveryMs: 10 * MINUTE,
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await intranet?.close();
    await publicSite?.close();
  });

  const addRecipient = async (kind: 'manager' | 'provider', name: string, email: string, systems: string[]) => {
    const res = await stack.api.request('POST', '/api/recipients', { body: { kind, name, email, systems } });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };
  /** Addresses that received a message about the titled disruption whose subject starts so, sorted, repeats kept. */
  const received = (subjectStart: string, title: string) =>
    stack.smtp.received
      .filter((m) => m.parsed.subject?.startsWith(subjectStart) && m.parsed.subject.includes(title))
      .flatMap((m) => m.to)
      .sort();
  const mailTo = (address: string, subjectStart: string, title: string) =>
    stack.smtp.received.filter((m) => m.to.includes(address) && m.parsed.subject?.startsWith(subjectStart) && m.parsed.subject.includes(title));
  const hooks = (receiver: WebhookReceiver, id: string) => receiver.accepted.filter((w) => w.body.disruption?.id === id);

  it('when a disruption is registered and updated twice, then it reaches the subscribed at once and its updates exactly those told', async () => {
    const title = 'Det går inte att logga in i Tes';
    await addRecipient('manager', 'Anna Chef', 'anna.storning@orebro.se', ['tes']);
    // CareApp depends on Tes in the default policy: its subscribers are affected too.
    const bertil = await addRecipient('manager', 'Bertil Chef', 'bertil.storning@orebro.se', ['careapp']);
    await addRecipient('provider', 'Omsorg AB', 'info@omsorg-storning.example', ['tes']);
    await addRecipient('manager', 'Cecilia Chef', 'cecilia.storning@orebro.se', ['carelock']);

    const registeredAt = Date.now();
    const created = await stack.api.request('POST', '/api/disruptions', {
      body: { title, systems: ['tes'], description: 'Inloggningen i Tes svarar inte. CareApp visar inga besök.' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title, systems: ['tes'], status: 'investigating' });
    expect(created.body.updates).toEqual([
      expect.objectContaining({ status: 'investigating', message: 'Inloggningen i Tes svarar inte. CareApp visar inga besök.', at: expect.any(String) }),
    ]);
    const id = created.body.id as string;

    const told = ['anna.storning@orebro.se', 'bertil.storning@orebro.se', 'info@omsorg-storning.example'];
    await eventually(
      async () => [received('Driftstörning:', title), hooks(intranet, id).length, hooks(publicSite, id).length] as const,
      ([to, a, b]) => to.length === 3 && a === 1 && b === 1,
      AT_ONCE_MS,
    );
    const reached = Math.max(
      ...stack.smtp.received.filter((m) => m.parsed.subject?.includes(title)).map((m) => m.receivedAt),
      hooks(intranet, id)[0]!.receivedAt,
      hooks(publicSite, id)[0]!.receivedAt,
    );
    expect(reached - registeredAt).toBeLessThan(AT_ONCE_MS);
    expect(received('Driftstörning:', title)).toEqual(told);
    const announcement = mailTo('anna.storning@orebro.se', 'Driftstörning:', title)[0]!;
    expect(announcement.parsed.subject).toBe(`Driftstörning: Tes (och därmed CareApp) – ${title}`);
    expect(announcement.parsed.text).toContain('Felsökning pågår');
    expect(announcement.parsed.text).toContain('CareApp visar inga besök.');
    expect(announcement.parsed.html).toContain('Kommunsupport');
    // Who to call at the moment it went out (the support-now answer for staff).
    expect(announcement.parsed.text).toContain('Vem ringer jag nu?');
    // No calendar invitation: it is happening now.
    expect(announcement.parsed.attachments).toEqual([]);
    const hook = hooks(publicSite, id)[0]!;
    expect(hook.signatureValid).toBe(true);
    expect(() => new Webhook(LIBRARY_SECRET).verify(hook.raw, hook.headers as Record<string, string>)).not.toThrow();
    expect(hook.body).toMatchObject({ audience: 'public', kind: 'announcement', disruption: { id, title, status: 'investigating', systems: [{ id: 'tes', name: 'Tes' }] } });
    expect(hook.body.publishedAt).toEqual(expect.any(String));

    // Bertil is told and then removed; David subscribes after the announcement went out.
    expect((await stack.api.request('DELETE', `/api/recipients/${bertil.id}`)).status).toBe(204);
    await addRecipient('manager', 'David Chef', 'david.storning@orebro.se', ['tes']);
    await eventually(async () => received('Driftstörning:', title), (to) => to.includes('david.storning@orebro.se'), MINUTE);
    told.push('david.storning@orebro.se');

    const identified = await stack.api.request('POST', `/api/disruptions/${id}/updates`, {
      body: { status: 'identified', message: 'Felet sitter i leverantörens inloggningstjänst.' },
    });
    expect(identified.status).toBe(200);
    expect(identified.body.status).toBe('identified');
    await eventually(async () => [received('Nytt besked:', title), hooks(intranet, id).length, hooks(publicSite, id).length] as const, ([to, a, b]) => to.length === 4 && a === 2 && b === 2);

    // Erik subscribes after the first update: he is owed the announcement, as the disruption is now.
    await addRecipient('manager', 'Erik Chef', 'erik.storning@orebro.se', ['tes']);
    await eventually(async () => received('Driftstörning:', title), (to) => to.includes('erik.storning@orebro.se'), MINUTE);
    const erikFirst = mailTo('erik.storning@orebro.se', 'Driftstörning:', title)[0]!;
    expect(erikFirst.parsed.text).toContain('Orsaken är känd');
    expect(erikFirst.parsed.text).toContain('Felet sitter i leverantörens inloggningstjänst.');
    told.push('erik.storning@orebro.se');

    const resolved = await stack.api.request('POST', `/api/disruptions/${id}/updates`, { body: { status: 'resolved', message: 'Inloggningen fungerar igen.' } });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', resolvedAt: expect.any(String) });
    await eventually(async () => [received('Löst:', title), hooks(intranet, id).length, hooks(publicSite, id).length] as const, ([to, a, b]) => to.length === 5 && a === 3 && b === 3);

    // Resolved closes it: nothing more may be added, and newcomers are owed nothing.
    const after = await stack.api.request('POST', `/api/disruptions/${id}/updates`, { body: { status: 'monitoring', message: 'Vi bevakar.' } });
    expect(after.status).toBe(409);
    expect(after.body.detail).toMatch(/löst/);
    await addRecipient('manager', 'Fredrik Chef', 'fredrik.storning@orebro.se', ['tes']);
    await stack.workers.reconcileNow();
    await stack.workers.reconcileNow();
    await eventually(
      async () => (await stack.api.request('GET', `/api/disruptions/${id}`)).body.notices,
      (notices: any[]) => notices.every((n) => n.status !== 'pending'),
    );

    expect(received('Driftstörning:', title)).toEqual(told.slice().sort());
    expect(received('Nytt besked:', title)).toEqual(['anna.storning@orebro.se', 'bertil.storning@orebro.se', 'david.storning@orebro.se', 'info@omsorg-storning.example']);
    expect(received('Löst:', title)).toEqual(told.slice().sort());
    expect(stack.smtp.received.filter((m) => m.parsed.subject?.includes(title)).flatMap((m) => m.to)).not.toContain('cecilia.storning@orebro.se');
    expect(stack.smtp.received.flatMap((m) => m.to)).not.toContain('fredrik.storning@orebro.se');
    for (const receiver of [intranet, publicSite]) {
      expect(hooks(receiver, id).map((w) => [w.body.kind, w.body.disruption.status])).toEqual([
        ['announcement', 'investigating'],
        ['update', 'identified'],
        ['update', 'resolved'],
      ]);
    }
    // The record: each audience reached within the bound from the registration, every message with its own time.
    const compliance = await stack.api.request('GET', '/api/compliance');
    const record = compliance.body.disruptions.find((d: any) => d.disruptionId === id);
    expect(record.audiences.map((a: any) => a.audience)).toEqual(['managers', 'intranet', 'public', 'egetval']);
    for (const a of record.audiences) expect(a.reachedAfterSeconds).toBeLessThan(AT_ONCE_MS / 1000);
    expect(record.messages.filter((m: any) => m.kind === 'update').map((m: any) => m.revision).sort()).toEqual([2, 2, 2, 2, 3, 3, 3, 3]);
    expect(record.messages.every((m: any) => m.verdict === 'on_time')).toBe(true);
    const csv = await stack.api.request('GET', '/api/compliance?format=csv');
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const csvRows = (csv.body as string).split('\r\n').filter((line) => line.startsWith(id));
    expect(csvRows).toHaveLength(record.messages.length);
    expect(csvRows.every((line) => line.includes(';driftstörning;'))).toBe(true);
    const audit = await stack.api.request('GET', `/api/audit?disruptionId=${id}`);
    expect(audit.body.items.map((e: any) => e.action)).toEqual(['disruption.created', 'disruption.updated', 'disruption.updated']);

    const list = await stack.api.request('GET', '/api/disruptions?status=resolved');
    expect(list.body.items.map((d: any) => [d.id, d.status, d.updates.map((u: any) => u.status)])).toEqual([[id, 'resolved', ['investigating', 'identified', 'resolved']]]);
  });
});
