import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkPurpose } from '../../src/links/link-tokens.js';
import { testBackends } from '../support/database.js';
import { oneClickUrlOf, personalToken, postForm as postFormTo } from '../support/personal-links.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

const MINUTE = 60_000;
const ZONE = 'Europe/Stockholm';
const CONFIRM_SUBJECT = 'Bekräfta din prenumeration';

/**
 * A disruption's e-mails go through the same fan-out as a window's, at a real SMTP server:
 * a manager's deputy gets them while the range covers the day, an unsubscribed manager gets
 * no announcement, a confirmed public subscriber gets the public audience's messages, and
 * every copy carries the recipient's settings link and the RFC 8058 headers; one-click
 * unsubscribing from a disruption's e-mail still leaves the updates of that disruption.
 */
describe.each(testBackends)('a disruption to deputies, the unsubscribed and public subscribers, on $name', (backend) => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack(backend, { reconcileEveryMs: 10 * MINUTE });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const url = (path: string) => `${stack.api.baseUrl}${path}`;
  const addManager = async (name: string, email: string, systems: string[]) => {
    const res = await stack.api.request('POST', '/api/recipients', { body: { kind: 'manager', name, email, systems } });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };
  const link = (purpose: LinkPurpose, subject: string) => personalToken(purpose, subject);
  const postForm = (path: string, form: Record<string, string>) => postFormTo(stack.api.baseUrl, path, form);
  const mails = (subjectStart: string, title: string) =>
    stack.smtp.received.filter((m) => m.parsed.subject?.startsWith(subjectStart) && m.parsed.subject.includes(title));
  const received = (subjectStart: string, title: string) => mails(subjectStart, title).flatMap((m) => m.to).sort();
  const mailTo = (address: string, subjectStart: string, title: string) => mails(subjectStart, title).find((m) => m.to.includes(address))!;
  const unsubscribeUrlOf = (raw: string) => oneClickUrlOf(raw, stack.api.baseUrl);

  it('when a disruption is registered and updated, then the deputy, the told unsubscriber and the confirmed public subscriber get it as the told rule says, each with their own links', async () => {
    const title = 'CareLock öppnar inte dörrarna';
    const away = await addManager('Anna Borta', 'anna.borta.storning@orebro.se', ['carelock']);
    const quit = await addManager('Bo Slutat', 'bo.slutat.storning@orebro.se', ['carelock']);
    await addManager('Cecilia Kvar', 'cecilia.kvar.storning@orebro.se', ['carelock']);
    const today = DateTime.now().setZone(ZONE).toISODate()!;
    const inAWeek = DateTime.now().setZone(ZONE).plus({ days: 7 }).toISODate()!;
    const deputy = await postForm(`/links/settings/${link('settings', away.id)}`, { atgard: 'ersattare', namn: 'David Ersättare', epost: 'david.ersattare.storning@orebro.se', fran: today, till: inAWeek });
    expect(deputy.status).toBe(303);
    const stopped = await postForm(`/links/unsubscribe/${link('unsubscribe', quit.id)}`, { 'List-Unsubscribe': 'One-Click' });
    expect(stopped.status).toBe(200);

    // A reader signs up on the public page and confirms; another signs up and never confirms.
    const reader = 'lasare.storning@example.org';
    const silent = 'tyst.storning@example.org';
    for (const email of [reader, silent]) {
      const signUp = await fetch(url('/public/subscriptions'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, systems: ['carelock'] }) });
      expect(signUp.status).toBe(202);
    }
    await eventually(async () => stack.smtp.received.filter((m) => m.parsed.subject?.startsWith(CONFIRM_SUBJECT)).length, (n) => n === 2);
    const confirmation = stack.smtp.received.find((m) => m.to.includes(reader) && m.parsed.subject?.startsWith(CONFIRM_SUBJECT))!;
    const confirmPath = /http:\/\/localhost:3000(\/links\/confirm\/[A-Za-z0-9._-]+)/.exec(confirmation.parsed.text ?? '')![1]!;
    expect((await fetch(url(confirmPath), { method: 'POST' })).status).toBe(200);

    const created = await stack.api.request('POST', '/api/disruptions', { body: { title, systems: ['carelock'], description: 'Dörrarna går inte att låsa upp med appen.' } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const told = ['cecilia.kvar.storning@orebro.se', 'david.ersattare.storning@orebro.se', reader];
    await eventually(async () => received('Driftstörning:', title), (to) => to.length >= 3);
    // Settled: the reconciler would have sent anything still owed.
    await stack.workers.reconcileNow();
    expect(received('Driftstörning:', title)).toEqual(told);

    // The deputy's copy is addressed to the deputy by name; its links are the deputy's own.
    const toDeputy = mailTo('david.ersattare.storning@orebro.se', 'Driftstörning:', title);
    const to = toDeputy.parsed.to && !Array.isArray(toDeputy.parsed.to) ? toDeputy.parsed.to.value : [];
    expect(to).toEqual([{ name: 'David Ersättare', address: 'david.ersattare.storning@orebro.se' }]);
    expect(await (await fetch(unsubscribeUrlOf(toDeputy.raw))).text()).toContain('<h1>Ersättare för Anna Borta</h1>');
    // Every copy carries the footer's settings link and the RFC 8058 headers; no acknowledgement link.
    for (const address of told) {
      const mail = mailTo(address, 'Driftstörning:', title);
      expect(mail.parsed.text).toMatch(/http:\/\/localhost:3000\/links\/settings\/[A-Za-z0-9._-]+/);
      expect(mail.parsed.text).not.toContain('/links/acknowledge/');
      unsubscribeUrlOf(mail.raw);
    }
    // The public subscriber gets the public audience's text: no internal advice for staff.
    expect(mailTo(reader, 'Driftstörning:', title).parsed.text).toContain('Dörrarna går inte att låsa upp med appen.');

    // Cecilia unsubscribes with one click from the disruption's e-mail: she was told, so its updates still reach her.
    const oneClick = await fetch(unsubscribeUrlOf(mailTo('cecilia.kvar.storning@orebro.se', 'Driftstörning:', title).raw), {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(oneClick.status).toBe(200);
    const update = await stack.api.request('POST', `/api/disruptions/${id}/updates`, { body: { status: 'resolved', message: 'Låsen fungerar igen.' } });
    expect(update.status).toBe(200);
    await eventually(async () => received('Löst:', title), (to) => to.length >= 3);
    await stack.workers.reconcileNow();
    expect(received('Löst:', title)).toEqual(told);
    expect(stack.smtp.received.filter((m) => m.to.includes('anna.borta.storning@orebro.se') || m.to.includes('bo.slutat.storning@orebro.se') || m.to.includes(silent))).toHaveLength(
      // The silent sign-up's confirmation e-mail, and nothing else.
      1,
    );
  });
});
