import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_LINK_SECRET } from '../support/link-secret.js';
import { loadConfig } from '../../src/config.js';
import { noticeMessages } from '../../src/delivery/notice-messages.js';
import { DEFAULT_POLICY_FILE } from '../../src/policy/load-policy.js';
import { testBackends } from '../support/database.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

const ZONE = 'Europe/Helsinki';

/** The default policy moved to Helsinki, with a fourth system. */
function helsinkiPolicyFile(dir: string): string {
  const policy = JSON.parse(readFileSync(DEFAULT_POLICY_FILE, 'utf8'));
  policy.municipality = 'Esbo stad';
  policy.timezone = ZONE;
  policy.holidays.country = 'FI';
  policy.systems.lifecare = { displayName: 'Lifecare', description: 'Patientjournalen' };
  const file = path.join(dir, 'policy.json');
  writeFileSync(file, JSON.stringify(policy));
  return file;
}

/** The next Tuesday or Wednesday at least two days ahead, 09:00–11:00 Helsinki time: short notice. */
function soonHelsinkiSlot(): DateTime[] {
  let day = DateTime.now().setZone(ZONE).startOf('day').plus({ days: 2 });
  while (![2, 3].includes(day.weekday)) day = day.plus({ days: 1 });
  return [day.set({ hour: 9 }), day.set({ hour: 11 })];
}

/** `09.00–11.00` in Helsinki is `08.00–10.00` in Stockholm: a text in the wrong zone fails every check below. */
const LOCAL_TIMES = 'kl. 09.00–11.00';

describe.each(testBackends)('a POLICY_FILE in Europe/Helsinki with a fourth system, on $name', (backend) => {
  let stack: TestStack;
  let dir: string;
  let windowId: string;
  let start: DateTime;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'driftstopp-zone-'));
    const config = loadConfig({ POLICY_FILE: helsinkiPolicyFile(dir) });
    expect(config.policy.timezone).toBe(ZONE);
    stack = await startTestStack(
      backend,
      { messages: noticeMessages({ policy: config.policy, mailFrom: config.mailFrom, publicBaseUrl: config.publicBaseUrl, linkSecret: TEST_LINK_SECRET }) },
      { policy: config.policy },
    );
    const recipient = await stack.api.request('POST', '/api/recipients', {
      body: { kind: 'manager', name: 'Aino Chef', email: 'aino@esbo.example', systems: ['lifecare'] },
    });
    expect(recipient.status).toBe(201);
    const [from, to] = soonHelsinkiSlot();
    start = from!;
    const created = await stack.api.request('POST', '/api/windows', {
      body: { title: 'Uppgradering av Lifecare', systems: ['lifecare'], kind: 'minor', start: from!.toISO(), end: to!.toISO(), shortNotice: { reason: 'Säkerhetsuppdatering' } },
    });
    expect(created.status).toBe(201);
    windowId = created.body.id;
    await eventually(
      async () => (await stack.api.request('GET', `/api/windows/${windowId}`)).body,
      (w: any) => ['managers', 'public'].every((a) => w.notices.find((n: any) => n.audience === a).status === 'sent'),
    );
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the window is registered, then the API writes its instants with the Helsinki offset', async () => {
    const window = (await stack.api.request('GET', `/api/windows/${windowId}`)).body;
    expect(window.start).toBe(start.toISO({ suppressMilliseconds: true }));
    expect(window.start).toMatch(/T09:00:00\+0[23]:00$/);
  });

  it('when the notice is e-mailed, then its subject and text give Helsinki local times and the invitation carries a Europe/Helsinki VTIMEZONE', async () => {
    const mail = stack.smtp.received.find((m) => m.to.includes('aino@esbo.example'))!;
    expect(mail.parsed.subject).toContain('Lifecare');
    expect(mail.parsed.subject).toContain(LOCAL_TIMES);
    expect(mail.parsed.text).toContain(LOCAL_TIMES);

    const attachment = mail.parsed.attachments.find((a) => a.filename?.endsWith('.ics'))!;
    const calendar = new ICAL.Component(ICAL.parse(attachment.content.toString('utf8')));
    const vtimezone = calendar.getFirstSubcomponent('vtimezone')!;
    expect(vtimezone.getFirstPropertyValue('tzid')).toBe(ZONE);
    const offsets = vtimezone.getAllSubcomponents().map((c) => String(c.getFirstPropertyValue('tzoffsetto')));
    expect(offsets.sort()).toEqual(['+02:00', '+03:00']);
    const event = calendar.getFirstSubcomponent('vevent')!;
    const dtstart = event.getFirstProperty('dtstart')!;
    expect(dtstart.getParameter('tzid')).toBe(ZONE);
    const time = dtstart.getFirstValue() as ICAL.Time;
    time.zone = new ICAL.Timezone(vtimezone);
    expect(time.hour).toBe(9);
    expect(time.toJSDate().toISOString()).toBe(start.toJSDate().toISOString());
  });

  it('when the public page and feeds are read, then they give Helsinki local times and name the fourth system', async () => {
    const page = await fetch(`${stack.api.baseUrl}/public/driftstopp`).then((r) => r.text());
    expect(page).toContain(LOCAL_TIMES);
    expect(page).toContain('Lifecare');

    const atom = await fetch(`${stack.api.baseUrl}/public/driftstopp.atom`).then((r) => r.text());
    expect(atom).toContain(LOCAL_TIMES);
    expect(atom).toContain('Tes, CareApp, CareLock och Lifecare');

    const json = await fetch(`${stack.api.baseUrl}/public/driftstopp.json`).then((r) => r.json());
    expect(json.items[0].start).toBe(start.toISO({ suppressMilliseconds: true }));

    const ics = await fetch(`${stack.api.baseUrl}/public/driftstopp.ics`).then((r) => r.text());
    const feed = new ICAL.Component(ICAL.parse(ics));
    expect(feed.getFirstSubcomponent('vtimezone')!.getFirstPropertyValue('tzid')).toBe(ZONE);
    const feedStart = feed.getFirstSubcomponent('vevent')!.getFirstProperty('dtstart')!;
    expect(feedStart.getParameter('tzid')).toBe(ZONE);
    expect((feedStart.getFirstValue() as ICAL.Time).hour).toBe(9);
  });
});
