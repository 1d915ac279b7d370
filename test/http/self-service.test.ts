import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deputyLinkSubject } from '../../src/links/deputy-links.js';
import { signLink, type LinkPurpose } from '../../src/links/link-tokens.js';
import { startTestApi, TEST_LINK_SECRET, type TestApi } from '../support/api.js';
import { testBackends, type TestDatabase } from '../support/database.js';

/** Tuesday 16 March 2027, 09:00 in Stockholm: "today" for the date checks is 2027-03-16. */
const NOW = '2027-03-16T08:00:00Z';
const LATER = new Date('2027-06-01T00:00:00Z');

const token = (subject: string, purpose: LinkPurpose = 'settings', expiresAt = LATER) => signLink(TEST_LINK_SECRET, { purpose, subject, expiresAt });

/**
 * "Mina inställningar" and one-click unsubscribe over HTTP: every form a recipient may post,
 * right and wrong, and what each does to their entry and the audit trail.
 */
describe.each(testBackends)('self-service pages on $name', (backend) => {
  let database: TestDatabase;
  let api: TestApi;

  beforeAll(async () => {
    database = await backend.open();
    api = await startTestApi(database.db, { now: NOW });
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  let counter = 0;
  const addManager = async (systems = ['tes']) => {
    counter += 1;
    const res = await api.request('POST', '/api/recipients', {
      body: { kind: 'manager', name: `Anna Chef ${counter}`, email: `anna.${counter}@orebro.se`, systems, unit: 'Hemtjänst Väster' },
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; name: string; email: string };
  };
  const page = async (path: string) => {
    const response = await fetch(`${api.baseUrl}${path}`, { redirect: 'manual' });
    return { status: response.status, html: await response.text(), headers: response.headers };
  };
  const post = async (path: string, form: Record<string, string | string[]>, contentType = 'application/x-www-form-urlencoded') => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(form)) for (const v of [value].flat()) params.append(key, v);
    const response = await fetch(`${api.baseUrl}${path}`, { method: 'POST', body: params.toString(), headers: { 'content-type': contentType }, redirect: 'manual' });
    return { status: response.status, html: await response.text(), location: response.headers.get('location') };
  };
  const row = (id: string) => database.db.selectFrom('recipients').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const auditOf = async (id: string) =>
    (await database.db.selectFrom('audit_events').selectAll().orderBy('id').execute()).filter((e) => e.details.recipientId === id && e.action !== 'recipient.created');

  it('when a recipient opens their settings link, then the page shows what is stored about them and nobody else', async () => {
    const me = await addManager(['tes', 'careapp']);
    const other = await addManager();
    const { status, html, headers } = await page(`/links/settings/${token(me.id)}`);
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    expect(html).toContain('<h1>Mina inställningar</h1>');
    for (const text of [me.name, me.email, 'Hemtjänst Väster', 'Tes och CareApp', 'Du tar emot meddelanden', 'Vi har inte skickat något till dig ännu']) {
      expect(html).toContain(text);
    }
    expect(html).not.toContain(other.email);
    expect(html).not.toContain(other.name);
  });

  it('when the systems form is posted, then the systems change, the page says so after a redirect, and the audit names the recipient as the actor', async () => {
    const me = await addManager(['tes']);
    const path = `/links/settings/${token(me.id)}`;
    const saved = await post(path, { atgard: 'system', system: ['careapp', 'carelock'] });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe(`${path}?klart=system`);
    expect((await row(me.id)).systems).toEqual(['careapp', 'carelock']);
    expect((await page(saved.location!)).html).toContain('Dina system är sparade.');
    const [entry] = await auditOf(me.id);
    expect(entry).toMatchObject({ actor: `mottagaren själv: ${me.name}`, action: 'recipient.systems_changed', details: { from: ['tes'], to: ['careapp', 'carelock'] } });
  });

  it.each([
    ['no system', {}, 'Välj minst ett system'],
    ['a system the policy does not have', { system: ['tes', 'sap'] }, 'Välj bland systemen på sidan'],
  ])('when the systems form has %s, then 400 re-renders the form in Swedish and nothing changes', async (_name, form, message) => {
    const me = await addManager(['tes']);
    const res = await post(`/links/settings/${token(me.id)}`, { atgard: 'system', ...form });
    expect(res.status).toBe(400);
    expect(res.html).toContain(message);
    expect(res.html).toContain('Inget har ändrats.');
    expect((await row(me.id)).systems).toEqual(['tes']);
    expect(await auditOf(me.id)).toEqual([]);
  });

  it('when a deputy is set for a range, then it is stored and shown, the audit has it, and removing it is audited too', async () => {
    const me = await addManager();
    const path = `/links/settings/${token(me.id)}`;
    const saved = await post(path, { atgard: 'ersattare', namn: ' Bo Kollega ', epost: 'Bo.Kollega@Orebro.se', fran: '2027-03-16', till: '2027-03-26' });
    expect(saved.status).toBe(303);
    expect(await row(me.id)).toMatchObject({ deputy_name: 'Bo Kollega', deputy_email: 'bo.kollega@orebro.se', deputy_from: '2027-03-16', deputy_to: '2027-03-26' });
    const shown = (await page(saved.location!)).html;
    expect(shown).toContain('Ersättaren är sparad.');
    expect(shown).toContain('Just nu får <strong>Bo Kollega</strong> (bo.kollega@orebro.se) dina meddelanden i stället för dig, till och med fredag 26 mars 2027.');

    const removed = await post(path, { atgard: 'ta-bort-ersattare' });
    expect(removed.status).toBe(303);
    expect(await row(me.id)).toMatchObject({ deputy_name: null, deputy_email: null, deputy_from: null, deputy_to: null });
    expect((await auditOf(me.id)).map((e) => [e.action, e.actor])).toEqual([
      ['recipient.deputy_set', `mottagaren själv: ${me.name}`],
      ['recipient.deputy_removed', `mottagaren själv: ${me.name}`],
    ]);
  });

  it.each([
    ['no name', { namn: '', epost: 'bo@orebro.se', fran: '2027-03-17', till: '2027-03-18' }, 'name', 'Ange ersättarens namn.'],
    ['a name of control characters', { namn: 'Bo\u0007', epost: 'bo@orebro.se', fran: '2027-03-17', till: '2027-03-18' }, 'name', 'styrtecken'],
    ['no address', { namn: 'Bo', epost: '', fran: '2027-03-17', till: '2027-03-18' }, 'email', 'Ange ersättarens e-postadress'],
    ['a malformed address', { namn: 'Bo', epost: 'bo@', fran: '2027-03-17', till: '2027-03-18' }, 'email', 'Ange ersättarens e-postadress'],
    ['their own address', { namn: 'Bo', epost: 'OWN', fran: '2027-03-17', till: '2027-03-18' }, 'email', 'annan e-postadress än din egen'],
    ['no first day', { namn: 'Bo', epost: 'bo@orebro.se', fran: '', till: '2027-03-18' }, 'from', 'Ange första dagen som ett datum'],
    ['a day that does not exist', { namn: 'Bo', epost: 'bo@orebro.se', fran: '2027-02-30', till: '2027-03-18' }, 'from', 'Ange första dagen som ett datum'],
    ['a Swedish-written date', { namn: 'Bo', epost: 'bo@orebro.se', fran: '17/3 2027', till: '2027-03-18' }, 'from', 'Ange första dagen som ett datum'],
    ['a last day before the first', { namn: 'Bo', epost: 'bo@orebro.se', fran: '2027-03-20', till: '2027-03-18' }, 'to', 'Sista dagen får inte vara före första dagen.'],
    ['a first day in the past', { namn: 'Bo', epost: 'bo@orebro.se', fran: '2027-03-15', till: '2027-03-18' }, 'from', 'Första dagen får inte ha passerat.'],
    ['a last day in the past', { namn: 'Bo', epost: 'bo@orebro.se', fran: '2027-03-16', till: '2027-03-15' }, 'to', 'Sista dagen får inte ha passerat.'],
    ['a last day years ahead', { namn: 'Bo', epost: 'bo@orebro.se', fran: '2027-03-16', till: '2029-03-15' }, 'to', 'högst ett år fram'],
  ])('when the deputy form has %s, then 400 names the field in Swedish, keeps what was typed and changes nothing', async (_name, form, field, message) => {
    const me = await addManager();
    const typed = { ...form, epost: form.epost === 'OWN' ? me.email.toUpperCase() : form.epost };
    const res = await post(`/links/settings/${token(me.id)}`, { atgard: 'ersattare', ...typed });
    expect(res.status).toBe(400);
    expect(res.html).toContain('<title>Fel i formuläret: Mina inställningar');
    expect(res.html).toContain(`<a href="#${field}">`);
    expect(res.html).toContain(message);
    expect(res.html).toContain(`id="${field}"`);
    expect(res.html).toMatch(new RegExp(`id="${field}"[^>]*aria-invalid="true"`));
    if (typed.namn && !/\p{Cc}/u.test(typed.namn)) expect(res.html).toContain(`value="${typed.namn}"`);
    expect(await row(me.id)).toMatchObject({ deputy_name: null, deputy_email: null });
    expect(await auditOf(me.id)).toEqual([]);
  });

  it('when a running deputy range is extended, then its first day may lie in the past', async () => {
    const me = await addManager();
    await database.db.updateTable('recipients').set({ deputy_name: 'Bo', deputy_email: 'bo@orebro.se', deputy_from: '2027-03-10', deputy_to: '2027-03-17' }).where('id', '=', me.id).execute();
    const res = await post(`/links/settings/${token(me.id)}`, { atgard: 'ersattare', namn: 'Bo', epost: 'bo@orebro.se', fran: '2027-03-10', till: '2027-03-24' });
    expect(res.status).toBe(303);
    expect(await row(me.id)).toMatchObject({ deputy_from: '2027-03-10', deputy_to: '2027-03-24' });
  });

  it('when a recipient stops and starts their messages on the settings page, then both are stored and audited once each, however often posted', async () => {
    const me = await addManager();
    const path = `/links/settings/${token(me.id)}`;
    expect((await post(path, { atgard: 'sluta' })).status).toBe(303);
    expect((await post(path, { atgard: 'sluta' })).status).toBe(303);
    expect((await row(me.id)).unsubscribed_at).toEqual(new Date(NOW));
    expect((await page(path)).html).toContain('Du tar inte emot meddelanden sedan tisdag 16 mars 2027 kl. 09.00');
    expect((await post(path, { atgard: 'borja' })).status).toBe(303);
    expect((await row(me.id)).unsubscribed_at).toBeNull();
    expect((await auditOf(me.id)).map((e) => [e.action, e.details.via ?? null])).toEqual([
      ['recipient.unsubscribed', 'settings'],
      ['recipient.resubscribed', null],
    ]);
  });

  it('when an unknown form is posted, then 400 and nothing changes', async () => {
    const me = await addManager();
    const res = await post(`/links/settings/${token(me.id)}`, { atgard: 'radera-allt' });
    expect(res.status).toBe(400);
    expect(res.html).toContain('Formuläret känns inte igen');
    expect(await auditOf(me.id)).toEqual([]);
  });

  it('when the unsubscribe link is opened (GET), then a confirmation page with a button shows and nothing changes', async () => {
    const me = await addManager();
    const { status, html } = await page(`/links/unsubscribe/${token(me.id, 'unsubscribe')}`);
    expect(status).toBe(200);
    expect(html).toContain('<input type="hidden" name="List-Unsubscribe" value="One-Click">');
    expect(html).toContain('Ja, sluta skicka meddelanden till mig');
    expect((await row(me.id)).unsubscribed_at).toBeNull();
    expect(await auditOf(me.id)).toEqual([]);
  });

  it.each([
    ['urlencoded', 'application/x-www-form-urlencoded', () => 'List-Unsubscribe=One-Click'],
    ['multipart/form-data', undefined, (): FormData => {
      const form = new FormData();
      form.append('List-Unsubscribe', 'One-Click');
      return form;
    }],
  ] as [string, string | undefined, () => string | FormData][])('when the mail provider POSTs List-Unsubscribe=One-Click (%s), then 200 at once, unsubscribed, audited once, and a repeat changes nothing', async (_name, type, body) => {
    const me = await addManager();
    const url = `${api.baseUrl}/links/unsubscribe/${token(me.id, 'unsubscribe')}`;
    for (let i = 0; i < 2; i++) {
      const response = await fetch(url, { method: 'POST', body: body(), headers: type ? { 'content-type': type } : {}, redirect: 'manual' });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('Du får inga fler meddelanden');
    }
    expect((await row(me.id)).unsubscribed_at).toEqual(new Date(NOW));
    expect((await auditOf(me.id)).map((e) => [e.action, e.actor, e.details.via])).toEqual([['recipient.unsubscribed', `mottagaren själv: ${me.name}`, 'one-click']]);
  });

  it.each([
    ['no body', undefined, undefined],
    ['another value', 'application/x-www-form-urlencoded', 'List-Unsubscribe=Yes'],
    ['JSON', 'application/json', '{"List-Unsubscribe":"One-Click"}'],
  ])('when the unsubscribe POST has %s, then 400 and the recipient still receives messages', async (_name, type, body) => {
    const me = await addManager();
    const response = await fetch(`${api.baseUrl}/links/unsubscribe/${token(me.id, 'unsubscribe')}`, { method: 'POST', body, headers: type ? { 'content-type': type } : {} });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Inget har ändrats');
    expect((await row(me.id)).unsubscribed_at).toBeNull();
  });

  it.each([
    ['changed', (id: string) => `${token(id, 'unsubscribe').slice(0, -2)}AA`, 403],
    ['expired', (id: string) => token(id, 'unsubscribe', new Date('2027-03-16T07:59:59Z')), 410],
    ['made for the settings page', (id: string) => token(id, 'settings'), 400],
    ['made for an acknowledgement', (id: string) => token(id, 'acknowledge'), 400],
  ])('when the unsubscribe token is %s, then its 4xx page shows, GET or POST, and nothing changes', async (_name, make, status) => {
    const me = await addManager();
    const path = `/links/unsubscribe/${make(me.id)}`;
    expect((await page(path)).status).toBe(status);
    const posted = await post(path, { 'List-Unsubscribe': 'One-Click' });
    expect(posted.status).toBe(status);
    expect(posted.html).not.toContain(me.email);
    expect((await row(me.id)).unsubscribed_at).toBeNull();
  });

  it.each([
    ['changed', (id: string) => `${token(id).slice(0, -2)}AA`, 403],
    ['expired', (id: string) => token(id, 'settings', new Date('2027-03-16T07:59:59Z')), 410],
    ['made for unsubscribing', (id: string) => token(id, 'unsubscribe'), 400],
  ])('when the settings token is %s, then its 4xx page shows, GET or POST, and nothing changes', async (_name, make, status) => {
    const me = await addManager();
    const path = `/links/settings/${make(me.id)}`;
    const shown = await page(path);
    expect(shown.status).toBe(status);
    expect(shown.html).not.toContain(me.email);
    expect((await post(path, { atgard: 'sluta' })).status).toBe(status);
    expect((await row(me.id)).unsubscribed_at).toBeNull();
  });

  it.each([
    ['an unknown recipient', '7d0c3c36-1c55-4a8e-9a63-0c7d2b1c9e11'],
    ['a subject that is no id', 'not-a-uuid'],
  ])('when a good token names %s, then 404 pages, never a 500', async (_name, subject) => {
    expect((await page(`/links/settings/${token(subject)}`)).status).toBe(404);
    expect((await post(`/links/settings/${token(subject)}`, { atgard: 'sluta' })).status).toBe(404);
    expect((await page(`/links/unsubscribe/${token(subject, 'unsubscribe')}`)).status).toBe(404);
    expect((await post(`/links/unsubscribe/${token(subject, 'unsubscribe')}`, { 'List-Unsubscribe': 'One-Click' })).status).toBe(404);
  });

  describe('a deputy\'s own links (in the copies of the recipient\'s messages that went to the deputy)', () => {
    const withDeputy = async () => {
      const me = await addManager(['tes', 'carelock']);
      await database.db.updateTable('recipients').set({ deputy_name: 'Bo Kollega', deputy_email: 'bo.kollega@orebro.se', deputy_from: '2027-03-16', deputy_to: '2027-03-26' }).where('id', '=', me.id).execute();
      return { me, subject: deputyLinkSubject(me.id, 'bo.kollega@orebro.se') };
    };

    it('when the deputy opens the settings link of their copy, then they see only their own part, not the recipient\'s data', async () => {
      const { me, subject } = await withDeputy();
      const { status, html } = await page(`/links/settings/${token(subject)}`);
      expect(status).toBe(200);
      expect(html).toContain(`<h1>Ersättare för ${me.name}</h1>`);
      expect(html).toContain('bo.kollega@orebro.se');
      expect(html).toContain('tisdag 16 mars 2027 till och med fredag 26 mars 2027');
      for (const theirs of [me.email, 'Hemtjänst Väster', 'CareLock']) expect(html).not.toContain(theirs);
    });

    it('when the deputy stops standing in on that page, then the deputy is removed, the recipient keeps their messages, and the audit names the deputy', async () => {
      const { me, subject } = await withDeputy();
      const path = `/links/settings/${token(subject)}`;
      expect((await post(path, { atgard: 'sluta' })).status).toBe(400);
      expect((await row(me.id)).unsubscribed_at).toBeNull();
      const stopped = await post(path, { atgard: 'sluta-som-ersattare' });
      expect(stopped.status).toBe(303);
      expect(await row(me.id)).toMatchObject({ deputy_email: null, unsubscribed_at: null });
      expect((await page(stopped.location!)).html).toContain('Du är inte längre ersättare');
      expect((await auditOf(me.id)).map((e) => [e.action, e.actor, e.details.via])).toEqual([['recipient.deputy_removed', 'ersättaren själv: Bo Kollega', 'settings']]);
    });

    it('when the deputy\'s mail program unsubscribes with one click, then the deputy stops standing in and the recipient is not unsubscribed', async () => {
      const { me, subject } = await withDeputy();
      const path = `/links/unsubscribe/${token(subject, 'unsubscribe')}`;
      expect((await page(path)).html).toContain('Sluta ta emot meddelanden som ersättare');
      const res = await post(path, { 'List-Unsubscribe': 'One-Click' });
      expect(res.status).toBe(200);
      expect(res.html).toContain('Du får inga fler meddelanden som ersättare.');
      expect(await row(me.id)).toMatchObject({ deputy_email: null, unsubscribed_at: null });
      expect((await post(path, { 'List-Unsubscribe': 'One-Click' })).status).toBe(200);
      expect(await auditOf(me.id)).toHaveLength(1);
    });

    it('when the recipient has named another deputy since, then the old deputy\'s links change nothing', async () => {
      const { me } = await withDeputy();
      const old = deputyLinkSubject(me.id, 'cecilia.forra@orebro.se');
      expect((await page(`/links/settings/${token(old)}`)).html).toContain('Du är inte längre ersättare');
      expect((await post(`/links/unsubscribe/${token(old, 'unsubscribe')}`, { 'List-Unsubscribe': 'One-Click' })).status).toBe(200);
      expect((await post(`/links/settings/${token(old)}`, { atgard: 'sluta-som-ersattare' })).status).toBe(303);
      expect(await row(me.id)).toMatchObject({ deputy_email: 'bo.kollega@orebro.se', unsubscribed_at: null });
      expect(await auditOf(me.id)).toEqual([]);
    });
  });

  it('when a removed recipient opens their settings, then they see their data and no forms; changes are refused', async () => {
    const me = await addManager();
    expect((await api.request('DELETE', `/api/recipients/${me.id}`)).status).toBe(204);
    const { status, html } = await page(`/links/settings/${token(me.id)}`);
    expect(status).toBe(200);
    expect(html).toContain('Du är borttagen ur registret');
    expect(html).not.toContain('<form');
    expect(html).toContain('Togs bort ur registret');
    expect((await post(`/links/settings/${token(me.id)}`, { atgard: 'system', system: 'careapp' })).status).toBe(404);
  });
});
