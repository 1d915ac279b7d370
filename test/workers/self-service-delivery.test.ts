import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkPurpose } from '../../src/links/link-tokens.js';
import { testBackends } from '../support/database.js';
import { DELIVERY_TEST_OVERLAP, soonSlot } from '../support/notice-fixtures.js';
import { oneClickUrlOf, personalToken, postForm as postFormTo } from '../support/personal-links.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

const MINUTE = 60_000;
const ZONE = 'Europe/Stockholm';

/** The ATTENDEE (address and name) of the invitation attached to a message. */
function attendeeOf(parsed: ParsedMail): { address: string; name: string } {
  const ics = parsed.attachments.find((a) => a.filename?.endsWith('.ics'))!.content.toString('utf8');
  const [attendee] = new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!.getAllProperties('attendee');
  return { address: String(attendee!.getFirstValue()), name: String(attendee!.getParameter('cn')) };
}

/**
 * The self-service decisions at the SMTP server: a deputy gets a manager's messages while
 * their range covers the day the messages go out, and one-click unsubscribe stops what has
 * not been told yet but not the update or cancellation of what was.
 */
describe.each(testBackends)('deputies and one-click unsubscribe, at the SMTP server, on $name', (backend) => {
  let stack: TestStack;

  beforeAll(async () => {
    // The reconciler runs at start only: a catch-up must come from the change that made it owed.
    stack = await startTestStack(backend, { reconcileEveryMs: 10 * MINUTE });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const addManager = async (name: string, email: string, systems: string[]) => {
    const res = await stack.api.request('POST', '/api/recipients', { body: { kind: 'manager', name, email, systems } });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };
  const link = (purpose: LinkPurpose, subject: string) => personalToken(purpose, subject);
  const postForm = (path: string, form: Record<string, string>) => postFormTo(stack.api.baseUrl, path, form);
  const createWindow = async (title: string, systems: string[], daysAhead: number) => {
    const res = await stack.api.request('POST', '/api/windows', {
      body: { title, systems, kind: 'minor', ...soonSlot(daysAhead), shortNotice: { reason: 'Säkerhetsuppdatering' }, allowOverlap: DELIVERY_TEST_OVERLAP },
    });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };
  const move = async (id: string, daysAhead: number) => {
    const later = soonSlot(daysAhead);
    const res = await stack.api.request('PATCH', `/api/windows/${id}`, {
      body: { start: later.start, end: DateTime.fromISO(later.start, { setZone: true }).plus({ hours: 1 }).toISO(), shortNotice: { reason: 'Leverantören flyttade' }, allowOverlap: DELIVERY_TEST_OVERLAP },
    });
    expect(res.status).toBe(200);
  };
  /** The messages of one kind (by subject start) about the titled window. */
  const mails = (subjectStart: string, title: string) =>
    stack.smtp.received.filter((m) => m.parsed.subject?.startsWith(subjectStart) && m.parsed.text?.includes(title));
  const received = (subjectStart: string, title: string) => mails(subjectStart, title).flatMap((m) => m.to).sort();
  const unsubscribeUrlOf = (raw: string) => oneClickUrlOf(raw, stack.api.baseUrl);
  /** Waits until no notice of the window is pending any more (those due later aside) and its deliveries are done. */
  const settled = async (id: string) => {
    await eventually(
      async () => (await stack.api.request('GET', `/api/windows/${id}`)).body,
      (w) => w.notices.every((n: any) => n.status !== 'pending' || new Date(n.dueAt).getTime() > Date.now()),
    );
  };

  it('when a deputy is set for a range covering today, then the deputy gets the messages by name and the manager none; after the range the manager does again', async () => {
    const title = 'Uppgradering av Tes under ledigheten';
    const manager = await addManager('Anna Ledig', 'anna.ledig@orebro.se', ['tes']);
    await addManager('Bo Kvar', 'bo.kvar@orebro.se', ['tes']);
    const today = DateTime.now().setZone(ZONE).toISODate()!;
    const inAWeek = DateTime.now().setZone(ZONE).plus({ days: 7 }).toISODate()!;
    const set = await postForm(`/links/settings/${link('settings', manager.id)}`, { atgard: 'ersattare', namn: 'Cecilia Ersättare', epost: 'cecilia.ersattare@orebro.se', fran: today, till: inAWeek });
    expect(set.status).toBe(303);

    const window = await createWindow(title, ['tes'], 3);
    await eventually(async () => received('Planerat driftstopp', title), (to) => to.length === 2);
    await settled(window.id);
    expect(received('Planerat driftstopp', title)).toEqual(['bo.kvar@orebro.se', 'cecilia.ersattare@orebro.se']);
    const toDeputy = mails('Planerat driftstopp', title).find((m) => m.to.includes('cecilia.ersattare@orebro.se'))!;
    const to = toDeputy.parsed.to && !Array.isArray(toDeputy.parsed.to) ? toDeputy.parsed.to.value : [];
    expect(to).toEqual([{ name: 'Cecilia Ersättare', address: 'cecilia.ersattare@orebro.se' }]);
    expect(attendeeOf(toDeputy.parsed)).toEqual({ address: 'mailto:cecilia.ersattare@orebro.se', name: 'Cecilia Ersättare' });
    // The deputy's copy unsubscribes the deputy from standing in, never the manager.
    const deputyPage = await (await fetch(unsubscribeUrlOf(toDeputy.raw))).text();
    expect(deputyPage).toContain('<h1>Ersättare för Anna Ledig</h1>');
    expect(deputyPage).not.toContain('anna.ledig@orebro.se');
    // The manager sees on their own page what went to the deputy on their behalf.
    const page = await (await fetch(`${stack.api.baseUrl}/links/settings/${link('settings', manager.id)}`)).text();
    expect(page).toContain(`Din ersättare Cecilia Ersättare (cecilia.ersattare@orebro.se)`);

    // The range has ended: as if its days had passed (the fan-out takes the day from its clock).
    const lastWeek = DateTime.now().setZone(ZONE).minus({ days: 7 }).toISODate()!;
    const yesterday = DateTime.now().setZone(ZONE).minus({ days: 1 }).toISODate()!;
    await stack.database.db.updateTable('recipients').set({ deputy_from: lastWeek, deputy_to: yesterday }).where('id', '=', manager.id).execute();

    // The manager was told (through the deputy): the update of the window goes to the manager now.
    await move(window.id, 9);
    await eventually(async () => received('Ändrad tid', title), (to) => to.length === 2);
    await settled(window.id);
    expect(received('Ändrad tid', title)).toEqual(['anna.ledig@orebro.se', 'bo.kvar@orebro.se']);
    const update = mails('Ändrad tid', title).find((m) => m.to.includes('anna.ledig@orebro.se'))!;
    expect(attendeeOf(update.parsed)).toEqual({ address: 'mailto:anna.ledig@orebro.se', name: 'Anna Ledig' });

    // A new window after the range is announced to the manager in person.
    const next = 'Uppgradering av Tes efter ledigheten';
    const second = await createWindow(next, ['tes'], 4);
    await eventually(async () => received('Planerat driftstopp', next), (to) => to.length === 2);
    await settled(second.id);
    expect(received('Planerat driftstopp', next)).toEqual(['anna.ledig@orebro.se', 'bo.kvar@orebro.se']);
    expect(stack.smtp.received.filter((m) => m.to.includes('cecilia.ersattare@orebro.se'))).toHaveLength(1);
  });

  it('when a told manager unsubscribes with one click, then no new window reaches them, the told one is still updated and cancelled, the audit has it, and starting again catches them up', async () => {
    const told = 'Byte av låsservrar före avregistrering';
    const manager = await addManager('David Klick', 'david.klick@orebro.se', ['carelock']);
    await addManager('Eva Kvar', 'eva.kvar@orebro.se', ['carelock']);
    const first = await createWindow(told, ['carelock'], 4);
    await eventually(async () => received('Planerat driftstopp', told), (to) => to.length === 2);
    await settled(first.id);

    // What a mail provider does with List-Unsubscribe and List-Unsubscribe-Post (RFC 8058).
    const unsubscribe = unsubscribeUrlOf(mails('Planerat driftstopp', told).find((m) => m.to.includes('david.klick@orebro.se'))!.raw);
    const oneClick = await fetch(unsubscribe, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
    expect(oneClick.status).toBe(200);
    const audit = await stack.api.request('GET', '/api/audit');
    expect(audit.body.items.filter((e: any) => e.details.recipientId === manager.id && e.action === 'recipient.unsubscribed')).toEqual([
      expect.objectContaining({ actor: 'mottagaren själv: David Klick', details: { recipientId: manager.id, via: 'one-click' } }),
    ]);

    const fresh = 'Byte av låsservrar efter avregistrering';
    const second = await createWindow(fresh, ['carelock'], 5);
    await eventually(async () => received('Planerat driftstopp', fresh), (to) => to.length === 1);
    await settled(second.id);
    expect(received('Planerat driftstopp', fresh)).toEqual(['eva.kvar@orebro.se']);

    // Of the window they were told of, they still hear the change and the cancellation.
    await move(first.id, 10);
    await eventually(async () => received('Ändrad tid', told), (to) => to.length === 2);
    const cancelled = await stack.api.request('POST', `/api/windows/${first.id}/cancel`, { body: { reason: 'Leverantören är inte klar' } });
    expect(cancelled.status).toBe(200);
    await eventually(async () => received('Inställt', told), (to) => to.length === 2);
    expect(received('Ändrad tid', told)).toEqual(['david.klick@orebro.se', 'eva.kvar@orebro.se']);
    expect(received('Inställt', told)).toEqual(['david.klick@orebro.se', 'eva.kvar@orebro.se']);
    expect(received('Planerat driftstopp', fresh)).toEqual(['eva.kvar@orebro.se']);

    // Starting again on the settings page: the window announced meanwhile is owed to them at once.
    const resumed = await postForm(`/links/settings/${link('settings', manager.id)}`, { atgard: 'borja' });
    expect(resumed.status).toBe(303);
    await eventually(async () => received('Planerat driftstopp', fresh), (to) => to.includes('david.klick@orebro.se'), MINUTE);
    expect(received('Planerat driftstopp', fresh)).toEqual(['david.klick@orebro.se', 'eva.kvar@orebro.se']);
  });
});
