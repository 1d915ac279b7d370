import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorOf } from '../../src/http/auth.js';
import { signInOverHttp as signIn } from '../support/admin-session.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { testBackends, type TestDatabase } from '../support/database.js';

const NOW = '2026-11-25T12:00:00Z';
const ANNA_TOKEN = 'anna-admin-token-0123456789abcdef';
const GENERATED_TOKEN = 'generated-admin-token-0123456789';

describe.each(testBackends)('named tokens on $name', (backend) => {
  let database: TestDatabase;
  let api: TestApi;

  beforeAll(async () => {
    database = await backend.open();
    api = await startTestApi(database.db, {
      now: NOW,
      extraTokens: [
        { role: 'admin', name: 'Anna', token: ANNA_TOKEN },
        { role: 'admin', name: 'admin', token: GENERATED_TOKEN },
      ],
    });
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  // Every window here takes the same slot: these tests are about who registered, so the overlap is accepted.
  const register = async (token: string, title: string) => {
    const res = await api.request('POST', '/api/windows', {
      token,
      body: {
        title,
        systems: ['tes'],
        kind: 'minor',
        start: '2027-03-30T09:00:00+02:00',
        end: '2027-03-30T12:00:00+02:00',
        allowOverlap: { reason: 'Testerna gäller vem som registrerade, inte tiden.' },
      },
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; createdBy: string };
  };

  it('when a token named Anna registers a window, then the window, the audit trail and the admin page say Anna (admin)', async () => {
    const window = await register(ANNA_TOKEN, 'Uppgradering av Tes, av Anna');
    expect(window.createdBy).toBe('Anna (admin)');
    const audit = (await api.request('GET', `/api/audit?windowId=${window.id}`)).body.items as { actor: string; action: string }[];
    expect(audit.map((e) => e.actor)).toEqual(['Anna (admin)']);

    const cookie = await signIn(api, ANNA_TOKEN);
    const page = await (await fetch(`${api.baseUrl}/admin/driftstopp/${window.id}`, { headers: { cookie } })).text();
    expect(page).toMatch(/Registrerat [^<]* av Anna \(admin\)\./);
    expect(page).not.toMatch(/admin:[0-9a-f]{8}/);
  });

  it('when the generated token (named admin) registers, then the trail says admin, and an unnamed token keeps its role and hash', async () => {
    expect((await register(GENERATED_TOKEN, 'Uppgradering av Tes, av admin')).createdBy).toBe('admin');
    expect((await register('admin-token-for-tests-0123456789', 'Uppgradering av Tes, utan namn')).createdBy).toMatch(/^admin:[0-9a-f]{8}$/);
    expect(actorOf({ role: 'viewer', name: 'Bo' }, 'ab'.repeat(32))).toBe('Bo (viewer)');
  });

  it('when the admin page lists a window\'s notices, then the deadline is the last day of the rule, not the midnight after it', async () => {
    const window = await register(ANNA_TOKEN, 'Uppgradering av Tes, med sista dag');
    const cookie = await signIn(api, ANNA_TOKEN);
    const page = await (await fetch(`${api.baseUrl}/admin/driftstopp/${window.id}`, { headers: { cookie } })).text();
    const deadlines = [...page.matchAll(/<td data-label="Senast enligt rutinen">([^<]*)<\/td>/g)].map((m) => m[1]);
    // Managers: 14 days before Tuesday 30 March is Tuesday 16 March, the last day to tell them.
    expect(deadlines).toContain('tisdag 16 mars 2027');
    expect(deadlines.join(' ')).not.toContain('kl. 00.00');
  });
});
