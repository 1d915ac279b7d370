import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobId } from '../../src/queues/queues.js';
import { BusinessCalendar } from '../../src/rules/business-calendar.js';
import { loadPolicy } from '../../src/policy/load-policy.js';
import { signInOverHttp } from '../support/admin-session.js';
import { VIEWER_TOKEN } from '../support/api.js';
import { testBackends } from '../support/database.js';
import { DELIVERY_TEST_OVERLAP, soonSlot } from '../support/notice-fixtures.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

const SECOND = 1000;
const policy = loadPolicy();
const calendar = new BusinessCalendar(policy);
const CHASE_SUBJECT = 'Bekräfta att enheten är förberedd:';

/**
 * Issue 13's acknowledgement end to end, at the SMTP server: the link in a manager's
 * announcement, the page it opens, the API, the admin page and the compliance CSV, the one
 * chase of those who have not confirmed, and a move that asks again.
 */
describe.each(testBackends)('acknowledgements at the SMTP server, on $name', (backend) => {
  let stack: TestStack;

  beforeAll(async () => {
    // The reconciler runs when the test says: "exactly once" must hold across its passes.
    stack = await startTestStack(backend, { reconcileEveryMs: 10 * 60 * SECOND });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const addManager = async (name: string, email: string, unit: string) => {
    const res = await stack.api.request('POST', '/api/recipients', { body: { kind: 'manager', name, email, unit, systems: ['carelock'] } });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const messagesTo = (email: string, subjectStart: string, title: string) =>
    stack.smtp.received.filter((m) => m.to.includes(email) && m.parsed.subject?.startsWith(subjectStart) && m.parsed.text?.includes(title));
  /** The path of the acknowledgement link in a message's plain text (the links point at PUBLIC_BASE_URL). */
  const ackPath = (text: string) => new URL(/^http\S+\/links\/acknowledge\/\S+$/m.exec(text)![0]).pathname;
  const page = async (path: string, form?: Record<string, string>) => {
    const res = await fetch(`${stack.api.baseUrl}${path}`, form ? { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() } : {});
    return { status: res.status, html: await res.text() };
  };
  const acknowledgements = async (id: string) => {
    const res = await stack.api.request('GET', `/api/windows/${id}/acknowledgements`, { token: VIEWER_TOKEN });
    expect(res.status).toBe(200);
    return res.body.items as { name: string; unit: string; revision: number; acknowledgedAt: string | null }[];
  };
  const chaseOf = async (id: string) => {
    const window = (await stack.api.request('GET', `/api/windows/${id}`)).body;
    return window.notices.filter((n: any) => n.chase && n.revision === window.revision);
  };
  /** The policy's time: 08:00 on the business day `chaseBusinessDaysBefore` before the start date. */
  const chaseTimeFor = (start: string) =>
    calendar.at(calendar.businessDaysBefore(calendar.startOfDay(DateTime.fromISO(start)), policy.acknowledgement.chaseBusinessDaysBefore!), policy.sendTime).toMillis();
  /**
   * Brings the chase's instant to a few seconds from now, as the clock reaching 08:00 that
   * day would: its row is due then, and its delayed job (days ahead) is replaced by one for then.
   */
  const chaseNow = async (chase: { id: string; revision: number }) => {
    await stack.database.db.updateTable('notices').set({ due_at: new Date(Date.now() + 2 * SECOND) }).where('id', '=', chase.id).execute();
    await (await stack.workers.queues.notices.getJob(jobId.notice(chase.id, chase.revision)))?.remove();
    await stack.workers.reconcileNow();
  };

  it('when a manager confirms through the link and another does not, then the API, the admin page and the CSV show it, only the other is chased, once, and a move asks both again', async () => {
    const title = 'Byte av låsservern, bekräftelseprov';
    const anna = 'anna.ack@orebro.se';
    const bo = 'bo.ack@orebro.se';
    await addManager('Anna Ack', anna, 'Hemtjänst Norr');
    await addManager('Bo Ack', bo, 'Hemtjänst Söder');
    // Short notice: the announcement goes out now; the start is far enough ahead that the chase is still to come.
    const slot = soonSlot(8);
    const created = await stack.api.request('POST', '/api/windows', {
      body: { title, systems: ['carelock'], kind: 'minor', ...slot, shortNotice: { reason: 'Leverantörens tidsplan' }, allowOverlap: DELIVERY_TEST_OVERLAP },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    // The announcement: a personal acknowledgement link, and RFC 8058's two header lines.
    await eventually(async () => [...messagesTo(anna, 'Planerat driftstopp', title), ...messagesTo(bo, 'Planerat driftstopp', title)], (m) => m.length === 2);
    const [toAnna] = messagesTo(anna, 'Planerat driftstopp', title);
    expect(toAnna!.parsed.text).toContain('Bekräfta att enheten är förberedd:');
    expect(toAnna!.parsed.html).toContain('>Bekräfta att enheten är förberedd</a>');
    expect(toAnna!.raw).toMatch(/^List-Unsubscribe:\s*<http:\/\/localhost:3000\/links\/unsubscribe\/v1\.[\w-]+\.[\w-]+>\r?$/m);
    expect(toAnna!.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    const annasLink = ackPath(toAnna!.parsed.text!);
    expect(annasLink).not.toBe(ackPath(messagesTo(bo, 'Planerat driftstopp', title)[0]!.parsed.text!));

    // Nobody has confirmed yet; the chase is planned at the policy's time. The list holds those
    // told, and a delivery counts as told once it is marked sent, a moment after the SMTP server took it.
    const asked = await eventually(() => acknowledgements(id), (items) => items.length === 2);
    expect(asked.map((i) => [i.name, i.acknowledgedAt])).toEqual([['Anna Ack', null], ['Bo Ack', null]]);
    const [chase] = await chaseOf(id);
    expect(chase).toMatchObject({ audience: 'managers', kind: 'reminder', status: 'pending' });
    expect(new Date(chase.dueAt).getTime()).toBe(chaseTimeFor(slot.start));
    expect(DateTime.fromISO(chase.dueAt).setZone(policy.timezone).toFormat('HH:mm')).toBe('08:00');

    // Anna follows her link: the page shows the window and the checklist; GET changes nothing.
    const shown = await page(annasLink);
    expect(shown.status).toBe(200);
    expect(shown.html).toContain(title);
    expect(shown.html).toContain(policy.acknowledgement.checklist[1]);
    expect(shown.html).toContain('Anna Ack, Hemtjänst Norr');
    expect(shown.html).not.toContain('Bo Ack');
    expect((await acknowledgements(id)).every((i) => i.acknowledgedAt === null)).toBe(true);
    const confirmed = await page(annasLink, { revision: '1' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.html).toContain('Tack, enheten är förberedd');
    const again = await page(annasLink, { revision: '1' });
    expect(again.html).toMatch(/Redan bekräftat \p{L}+dag \d+ \p{L}+ \d{4} kl\. \d\d\.\d\d/u);

    const items = await acknowledgements(id);
    expect(items.map((i) => [i.name, i.unit, i.revision, i.acknowledgedAt !== null])).toEqual([
      ['Anna Ack', 'Hemtjänst Norr', 1, true],
      ['Bo Ack', 'Hemtjänst Söder', 1, false],
    ]);
    const admin = await fetch(`${stack.api.baseUrl}/admin/driftstopp/${id}`, { headers: { cookie: await signInOverHttp(stack.api, 'admin-token-for-tests-0123456789') } });
    const adminHtml = await admin.text();
    expect(adminHtml).toContain('<strong>1 av 2</strong> har bekräftat');
    expect(adminHtml).toMatch(/Anna Ack<\/th>[\s\S]*?Bekräftat<\/span>/);
    expect(adminHtml).toMatch(/Bo Ack<\/th>[\s\S]*?Inte bekräftat/);
    const from = DateTime.fromISO(slot.start).startOf('day').toISODate();
    const csv = await stack.api.request('GET', `/api/compliance?from=${from}&to=${DateTime.fromISO(slot.start).plus({ days: 1 }).toISODate()}&format=csv`);
    expect(csv.body).toContain('bekräftat förberedda;andel bekräftade');
    const rowsOfWindow = csv.body.split('\r\n').filter((line: string) => line.includes(title));
    expect(rowsOfWindow.length).toBeGreaterThan(0);
    expect(rowsOfWindow.every((line: string) => line.endsWith(';1 av 2;50 %'))).toBe(true);
    const audit = await stack.api.request('GET', `/api/audit?windowId=${id}`);
    expect(audit.body.items.map((e: any) => e.details?.text).filter(Boolean)).toEqual(['bekräftat av Anna Ack']);

    // The policy's time comes: Bo, told and not confirmed, gets one chase; Anna none.
    await chaseNow(chase);
    await eventually(async () => messagesTo(bo, CHASE_SUBJECT, title), (m) => m.length === 1, 15 * SECOND);
    const [chaseMail] = messagesTo(bo, CHASE_SUBJECT, title);
    expect(chaseMail!.parsed.text).toContain('Du har ännu inte bekräftat att din enhet är förberedd');
    expect(ackPath(chaseMail!.parsed.text!)).toMatch(/^\/links\/acknowledge\//);
    // Reconciler passes and a restart-like re-add of the job send nothing more.
    await stack.workers.reconcileNow();
    await stack.workers.scheduler.scheduleNotices([{ id: chase.id, revision: chase.revision, due_at: new Date() }]);
    await stack.workers.reconcileNow();
    await eventually(() => chaseOf(id), ([c]) => c.status === 'sent');
    expect(messagesTo(bo, CHASE_SUBJECT, title)).toHaveLength(1);
    expect(messagesTo(anna, CHASE_SUBJECT, title)).toEqual([]);

    // The window moves: both are told the new time with a new link; confirmations of the old time no longer count.
    const later = soonSlot(15);
    const moved = await stack.api.request('PATCH', `/api/windows/${id}`, { body: { ...later, shortNotice: { reason: 'Leverantören flyttade' }, allowOverlap: DELIVERY_TEST_OVERLAP } });
    expect(moved.status).toBe(200);
    await eventually(async () => [...messagesTo(anna, 'Ändrad tid', title), ...messagesTo(bo, 'Ändrad tid', title)], (m) => m.length === 2);
    expect((await acknowledgements(id)).map((i) => [i.name, i.revision, i.acknowledgedAt])).toEqual([['Anna Ack', 2, null], ['Bo Ack', 2, null]]);
    const [newChase] = await chaseOf(id);
    expect(newChase).toMatchObject({ revision: 2, status: 'pending' });
    expect(new Date(newChase.dueAt).getTime()).toBe(chaseTimeFor(later.start));
    // Anna's old link says the time changed and asks about the new one; the new link confirms it.
    const old = await page(annasLink);
    expect(old.html).toContain('Tiden för driftstoppet har ändrats');
    const newLink = ackPath(messagesTo(anna, 'Ändrad tid', title)[0]!.parsed.text!);
    expect(newLink).not.toBe(annasLink);
    expect((await page(newLink, { revision: '2' })).html).toContain('Tack, enheten är förberedd');
    expect((await acknowledgements(id)).map((i) => [i.name, i.acknowledgedAt !== null])).toEqual([['Anna Ack', true], ['Bo Ack', false]]);
  });
});
