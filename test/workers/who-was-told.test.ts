import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../support/database.js';
import { DELIVERY_TEST_OVERLAP, insertManagers, soonSlot } from '../support/notice-fixtures.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

const MINUTE = 60_000;

/**
 * The told rule end to end, at the SMTP server: a late subscriber gets the announcement, never
 * an update; a change reaches exactly those told; an unsubscribed one is still untold.
 */
describe.each(testBackends)('who was told, at the SMTP server, on $name', (backend) => {
  let stack: TestStack;

  beforeAll(async () => {
    // The reconciler runs at start only: a newcomer's catch-up must come from the change that made it owed.
    stack = await startTestStack(backend, { reconcileEveryMs: 10 * MINUTE });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const addRecipient = async (body: Record<string, unknown>) => {
    const res = await stack.api.request('POST', '/api/recipients', { body });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };
  /** Every message of one kind (by subject start) about the titled window, per address. */
  const received = (subjectStart: string, title: string) =>
    stack.smtp.received
      .filter((m) => m.parsed.subject?.startsWith(subjectStart) && m.parsed.text?.includes(title))
      .flatMap((m) => m.to)
      .sort();
  const windowOf = async (id: string) => (await stack.api.request('GET', `/api/windows/${id}`)).body;
  const noticeOf = (window: any, audience: string, kind: string) => window.notices.filter((n: any) => n.audience === audience && n.kind === kind);

  it('when a provider is added after the Eget Val announcement went out to nobody, then they get that announcement, late; a move then updates exactly those told', async () => {
    const title = 'Uppgradering av Tes för sena mottagare';
    await addRecipient({ kind: 'manager', name: 'Anna Chef', email: 'anna.late@orebro.se', systems: ['tes'] });
    const created = await stack.api.request('POST', '/api/windows', {
      body: { title, systems: ['tes'], kind: 'minor', ...soonSlot(3), shortNotice: { reason: 'Säkerhetsuppdatering' }, allowOverlap: DELIVERY_TEST_OVERLAP },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    // Eget Val's announcement goes out to nobody: no provider subscribes to Tes yet.
    await eventually(() => windowOf(id), (w) => noticeOf(w, 'egetval', 'announcement').every((n: any) => n.status === 'sent'));
    await eventually(async () => received('Planerat driftstopp', title), (to) => to.length === 1);
    expect(received('Planerat driftstopp', title)).toEqual(['anna.late@orebro.se']);

    const addedAt = Date.now();
    await addRecipient({ kind: 'provider', name: 'Omsorg AB', email: 'info@omsorg-late.example', systems: ['tes'] });
    await eventually(async () => received('Planerat driftstopp', title), (to) => to.includes('info@omsorg-late.example'), MINUTE);
    expect(Date.now() - addedAt).toBeLessThan(MINUTE);
    const caughtUp = await eventually(() => windowOf(id), (w) => noticeOf(w, 'egetval', 'announcement').some((n: any) => n.catchUp && n.status === 'sent'));
    const catchUp = noticeOf(caughtUp, 'egetval', 'announcement').find((n: any) => n.catchUp);
    // Sent after the rule's deadline (the window is on short notice): the record says late.
    expect(catchUp).toMatchObject({ late: true, status: 'sent' });
    expect(new Date(catchUp.sentAt).getTime()).toBeGreaterThan(new Date(catchUp.requiredBy).getTime());

    const later = soonSlot(9);
    const moved = await stack.api.request('PATCH', `/api/windows/${id}`, {
      body: { start: later.start, end: DateTime.fromISO(later.start, { setZone: true }).plus({ hours: 1 }).toISO(), shortNotice: { reason: 'Leverantören flyttade' }, allowOverlap: DELIVERY_TEST_OVERLAP },
    });
    expect(moved.status).toBe(200);
    // A manager who joins after the move is owed the announcement (with the new time), not an update.
    await addRecipient({ kind: 'manager', name: 'Bo Chef', email: 'bo.late@orebro.se', systems: ['tes'] });
    await eventually(async () => received('Ändrad tid', title), (to) => to.length >= 2);
    await eventually(async () => received('Planerat driftstopp', title), (to) => to.includes('bo.late@orebro.se'), MINUTE);
    await eventually(() => windowOf(id), (w) => w.notices.every((n: any) => n.status !== 'pending' || new Date(n.dueAt).getTime() > Date.now()));

    expect(received('Ändrad tid', title)).toEqual(['anna.late@orebro.se', 'info@omsorg-late.example']);
    expect(received('Planerat driftstopp', title)).toEqual(['anna.late@orebro.se', 'bo.late@orebro.se', 'info@omsorg-late.example']);
  });

  it('when a told manager unsubscribes and the window is cancelled, then they get the cancellation; one who subscribes after it gets nothing', async () => {
    const title = 'Byte av låsservrar som ställs in';
    const told = await addRecipient({ kind: 'manager', name: 'Cecilia Chef', email: 'cecilia.untold@orebro.se', systems: ['carelock'] });
    const created = await stack.api.request('POST', '/api/windows', {
      body: { title, systems: ['carelock'], kind: 'minor', ...soonSlot(4), shortNotice: { reason: 'Leverantörens tidsplan' }, allowOverlap: DELIVERY_TEST_OVERLAP },
    });
    expect(created.status).toBe(201);
    await eventually(async () => received('Planerat driftstopp', title), (to) => to.length === 1);
    expect((await stack.api.request('DELETE', `/api/recipients/${told.id}`)).status).toBe(204);

    const cancelled = await stack.api.request('POST', `/api/windows/${created.body.id}/cancel`, { body: { reason: 'Leverantören är inte klar' } });
    expect(cancelled.status).toBe(200);
    await eventually(async () => received('Inställt', title), (to) => to.length === 1);
    expect(received('Inställt', title)).toEqual(['cecilia.untold@orebro.se']);

    await addRecipient({ kind: 'manager', name: 'David Chef', email: 'david.after@orebro.se', systems: ['carelock'] });
    // Two reconciler passes: whatever would be owed to the newcomer would be planned by now.
    await stack.workers.reconcileNow();
    await stack.workers.reconcileNow();
    const window = await windowOf(created.body.id);
    expect(window.notices.filter((n: any) => n.catchUp)).toEqual([]);
    const toDavid = await stack.database.db.selectFrom('deliveries').select('id').where('target', '=', 'david.after@orebro.se').execute();
    expect(toDavid).toEqual([]);
    expect(stack.smtp.received.flatMap((m) => m.to)).not.toContain('david.after@orebro.se');
  });

  it('when a recipient appears in the register without the API, then the reconciler plans their catch-up', async () => {
    const title = 'Uppgradering av CareApp utan API';
    const created = await stack.api.request('POST', '/api/windows', {
      body: { title, systems: ['careapp'], kind: 'minor', ...soonSlot(5), shortNotice: { reason: 'Säkerhetsuppdatering' }, allowOverlap: DELIVERY_TEST_OVERLAP },
    });
    expect(created.status).toBe(201);
    await eventually(() => windowOf(created.body.id), (w) => noticeOf(w, 'managers', 'announcement').every((n: any) => n.status === 'sent'));
    const [email] = await insertManagers(stack.database.db, 1, { systems: ['careapp'], tag: 'reconciled' });
    expect(received('Planerat driftstopp', title)).toEqual([]);
    await stack.workers.reconcileNow();
    await eventually(async () => received('Planerat driftstopp', title), (to) => to.length === 1);
    expect(received('Planerat driftstopp', title)).toEqual([email]);
  });
});
