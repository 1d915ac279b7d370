import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLink } from '../../src/links/link-tokens.js';
import { TEST_LINK_SECRET } from '../support/api.js';
import { testBackends } from '../support/database.js';
import { DELIVERY_TEST_OVERLAP, insertReminderDueAt, soonSlot } from '../support/notice-fixtures.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

const SECOND = 1000;
const CONFIRM_SUBJECT = 'Bekräfta din prenumeration';

/**
 * Public sign-up with double opt-in, end to end at a real SMTP server: the confirmation
 * e-mail, the link's page and button, the public notice at its due time, and the limits.
 */
describe.each(testBackends)('public sign-up with double opt-in, on $name', (backend) => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack(backend);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const url = (path: string) => `${stack.api.baseUrl}${path}`;
  const signUpJson = (body: unknown) =>
    fetch(url('/public/subscriptions'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const signUpForm = (fields: [string, string][]) =>
    fetch(url('/public/subscriptions'), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  const mailsTo = (address: string, subjectStart: string) => stack.smtp.received.filter((m) => m.to.includes(address) && m.parsed.subject?.startsWith(subjectStart));
  const confirmPath = (address: string) => {
    const text = mailsTo(address, CONFIRM_SUBJECT)[0]?.parsed.text ?? '';
    const match = /http:\/\/localhost:3000(\/links\/confirm\/[A-Za-z0-9._-]+)/.exec(text);
    if (!match) throw new Error(`no confirmation link to ${address} in ${text}`);
    return match[1]!;
  };
  const subscribers = async () => (await stack.api.request('GET', '/api/recipients?kind=subscriber')).body.items as { email: string; systems: string[] }[];

  it('when one address signs up ten times in a minute, then it gets one confirmation e-mail; unconfirmed it receives nothing, confirmed it receives the public notice at its due time', async () => {
    const title = 'Uppgradering av Tes för prenumeranter';
    const eager = 'eager.reader@example.org';
    const silent = 'silent.reader@example.org';
    const answers = await Promise.all([
      ...Array.from({ length: 5 }, () => signUpJson({ email: eager, systems: ['tes'] })),
      ...Array.from({ length: 5 }, () => signUpForm([['email', ` ${eager.toUpperCase()} `], ['systems', 'tes']])),
      signUpJson({ email: silent, systems: ['tes', 'careapp'] }),
    ]);
    expect(answers.map((a) => a.status)).toEqual(Array(11).fill(202));
    const bodies = await Promise.all(answers.map((a) => a.text()));
    // The same answer every time: nothing tells a first sign-up from a repeat.
    expect(new Set(bodies.slice(0, 5)).size).toBe(1);
    expect(new Set([...bodies.slice(5, 10)]).size).toBe(1);
    expect(JSON.parse(bodies[10]!)).toEqual(JSON.parse(bodies[0]!));
    expect(bodies[5]).toContain('Titta i din inkorg');

    await eventually(async () => mailsTo(eager, CONFIRM_SUBJECT).length + mailsTo(silent, CONFIRM_SUBJECT).length, (n) => n >= 2);
    // Two reconciler passes later still one each: the limit is in the database, not in a job.
    await stack.workers.reconcileNow();
    await stack.workers.reconcileNow();
    expect(mailsTo(eager, CONFIRM_SUBJECT)).toHaveLength(1);
    expect(mailsTo(silent, CONFIRM_SUBJECT)).toHaveLength(1);
    const confirmation = mailsTo(eager, CONFIRM_SUBJECT)[0]!.parsed;
    expect(confirmation.text).toContain('Tes');
    expect(confirmation.text).toMatch(/Länken gäller till och med \S+dag \d+ \S+ \d{4} kl\. \d\d\.\d\d/);
    expect(confirmation.html).toContain('lang="sv"');

    // Opening the link (as a mail scanner does) subscribes nobody: only the button does.
    const path = confirmPath(eager);
    const opened = await fetch(url(path));
    expect(opened.status).toBe(200);
    const page = await opened.text();
    expect(page).toContain(eager);
    expect(page).toContain('<button type="submit">Bekräfta prenumerationen</button>');
    expect(await subscribers()).toEqual([]);
    const confirmed = await fetch(url(path), { method: 'POST' });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('Prenumerationen är bekräftad');
    expect(await subscribers()).toMatchObject([{ email: eager, systems: ['tes'] }]);
    // The button pressed twice is one subscription.
    expect((await fetch(url(path), { method: 'POST' })).status).toBe(200);
    expect(await subscribers()).toHaveLength(1);

    const slots = (await stack.api.request('GET', '/api/slots?count=1')).body.items;
    const created = await stack.api.request('POST', '/api/windows', {
      body: { title, systems: ['tes'], kind: 'minor', start: slots[0].start, end: slots[0].end, allowOverlap: DELIVERY_TEST_OVERLAP },
    });
    expect(created.status).toBe(201);
    const dueAt = new Date(Date.now() + 3 * SECOND);
    const notice = await insertReminderDueAt(stack.database.db, created.body.id, dueAt, { audience: 'public', kind: 'announcement' });
    await stack.workers.scheduler.scheduleNotices([notice]);

    const [told] = await eventually(async () => mailsTo(eager, 'Planerat driftstopp'), (m) => m.length === 1, 20 * SECOND);
    expect(told!.receivedAt).toBeGreaterThanOrEqual(dueAt.getTime());
    expect(told!.parsed.text).toContain('Du som har hemtjänst eller är anhörig behöver inte göra något');
    expect(told!.parsed.text).not.toContain('2000'); // no internal-only support line
    // Like every e-mail to a person: the settings link in the footer and RFC 8058 one-click unsubscribe.
    expect(told!.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
    expect(told!.raw).toMatch(/^List-Unsubscribe:\s+<http:\/\/localhost:3000\/links\/unsubscribe\/[^>]+>\r$/m);
    expect(told!.parsed.text).toContain('Mina inställningar');
    await eventually(
      async () => stack.database.db.selectFrom('notices').select('status').where('id', '=', notice.id).executeTakeFirstOrThrow(),
      (n) => n.status === 'sent',
    );
    expect(stack.smtp.received.filter((m) => m.to.includes(silent)).map((m) => m.parsed.subject)).toEqual([mailsTo(silent, CONFIRM_SUBJECT)[0]!.parsed.subject]);
  });

  it('when a subscriber confirms after the public announcement went out, then they get it at once, and later the cancellation', async () => {
    const title = 'Byte av låsservrar för sena prenumeranter';
    const created = await stack.api.request('POST', '/api/windows', {
      body: { title, systems: ['carelock'], kind: 'minor', ...soonSlot(4), shortNotice: { reason: 'Säkerhetsuppdatering' }, allowOverlap: DELIVERY_TEST_OVERLAP },
    });
    expect(created.status).toBe(201);
    const windowNow = () => stack.api.request('GET', `/api/windows/${created.body.id}`).then((r) => r.body);
    await eventually(windowNow, (w) => w.notices.some((n: any) => n.audience === 'public' && n.kind === 'announcement' && n.status === 'sent'));

    const late = 'late.reader@example.org';
    expect((await signUpJson({ email: late, systems: ['carelock'] })).status).toBe(202);
    await eventually(async () => mailsTo(late, CONFIRM_SUBJECT), (m) => m.length === 1);
    expect((await fetch(url(confirmPath(late)), { method: 'POST' })).status).toBe(200);
    await eventually(async () => mailsTo(late, 'Planerat driftstopp').filter((m) => m.parsed.text?.includes('CareLock')), (m) => m.length === 1, 20 * SECOND);

    expect((await stack.api.request('POST', `/api/windows/${created.body.id}/cancel`, { body: { reason: 'Leverantören är inte klar' } })).status).toBe(200);
    await eventually(async () => mailsTo(late, 'Inställt'), (m) => m.length === 1, 20 * SECOND);
  });

  it('when the mail server refuses for a while, then the confirmation e-mail is retried and arrives', async () => {
    const patient = 'patient.reader@example.org';
    stack.smtp.refuseWith = 421;
    try {
      expect((await signUpJson({ email: patient, systems: ['careapp'] })).status).toBe(202);
      await eventually(
        () => stack.database.db.selectFrom('subscription_requests').select(['mail_attempts', 'mail_error']).where('email', '=', patient).executeTakeFirstOrThrow(),
        (r) => r.mail_attempts >= 2 && r.mail_error !== null,
      );
    } finally {
      stack.smtp.refuseWith = null;
    }
    await eventually(async () => mailsTo(patient, CONFIRM_SUBJECT), (m) => m.length === 1, 20 * SECOND);
  });

  it.each([
    ['a malformed address', { email: 'inte-en-adress', systems: ['tes'] }, 'email'],
    ['no address', { systems: ['tes'] }, 'email'],
    ['no system', { email: 'a@example.org', systems: [] }, 'systems'],
    ['an unknown system', { email: 'a@example.org', systems: ['tes', 'pulsen'] }, 'systems.1'],
    ['systems as a number', { email: 'a@example.org', systems: 3 }, 'systems'],
    ['an extra field', { email: 'a@example.org', systems: ['tes'], name: 'Anna' }, 'name'],
  ])('when the JSON has %s, then 400 names the field in Swedish and nothing is stored', async (_what, body, path) => {
    const before = await stack.database.db.selectFrom('subscription_requests').select('id').execute();
    const response = await signUpJson(body);
    expect(response.status).toBe(400);
    const problem = await response.json();
    expect(problem.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(problem.detail).toMatch(/har fel/);
    expect(await stack.database.db.selectFrom('subscription_requests').select('id').execute()).toHaveLength(before.length);
  });

  it('when the form has a bad address or no system, then 400 shows the form again with each error and what was written', async () => {
    const response = await signUpForm([['email', 'anna@']]);
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('Skriv en e-postadress');
    expect(html).toContain('Välj minst ett system');
    expect(html).toContain('value="anna@"');
    expect(html).toContain('aria-invalid="true"');
  });

  it.each([
    ['changed', (token: string) => `${token.slice(0, -2)}AA`, 403],
    ['cut short', (token: string) => token.split('.').slice(0, 2).join('.'), 400],
    ['expired', () => signLink(TEST_LINK_SECRET, { purpose: 'confirm-subscription', subject: crypto.randomUUID(), expiresAt: new Date(Date.now() - SECOND) }), 410],
    ['made for unsubscribing', () => signLink(TEST_LINK_SECRET, { purpose: 'unsubscribe', subject: crypto.randomUUID(), expiresAt: new Date(Date.now() + 3600 * SECOND) }), 400],
    ['for a sign-up that does not exist', () => signLink(TEST_LINK_SECRET, { purpose: 'confirm-subscription', subject: crypto.randomUUID(), expiresAt: new Date(Date.now() + 3600 * SECOND) }), 410],
  ])('when the confirmation link is %s, then GET and POST both answer a Swedish page with %i and nobody is subscribed', async (_what, make, status) => {
    const good = signLink(TEST_LINK_SECRET, { purpose: 'confirm-subscription', subject: crypto.randomUUID(), expiresAt: new Date(Date.now() + 3600 * SECOND) });
    const path = `/links/confirm/${make(good)}`;
    const before = (await subscribers()).length;
    for (const method of ['GET', 'POST']) {
      const response = await fetch(url(path), { method });
      expect(response.status).toBe(status);
      expect(await response.text()).toContain('<html lang="sv">');
    }
    expect(await subscribers()).toHaveLength(before);
  });
});
