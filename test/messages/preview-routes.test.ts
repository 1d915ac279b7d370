import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemHandler } from '../../src/http/problem.js';
import { previewRoutes } from '../../src/http/routes/preview-routes.js';
import { renderNotice } from '../../src/messages/render-notice.js';
import type { NewWindowRow } from '../../src/storage/schema.js';
import { testBackends, type TestDatabase } from '../support/database.js';
import { aWindow, local, policy } from './fixtures.js';

const PUBLIC_BASE_URL = 'https://driftstopp.orebro.se';

describe.each(testBackends)('GET /api/windows/:id/preview/:audience on $name', (backend) => {
  let database: TestDatabase;
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    database = await backend.open();
    const app = express();
    app.use('/api', previewRoutes({ db: database.db, policy, publicBaseUrl: PUBLIC_BASE_URL }));
    app.use(problemHandler(pino({ level: 'silent' })));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await database?.close();
  });

  async function insertWindow(overrides: Partial<NewWindowRow> = {}): Promise<string> {
    const id = randomUUID();
    const window = aWindow();
    await database.db
      .insertInto('windows')
      .values({
        id,
        title: window.title,
        description: window.description,
        systems: window.systems,
        kind: 'minor',
        start_at: window.start,
        end_at: window.end,
        status: 'scheduled',
        revision: 1,
        plan: null,
        short_notice_reason: null,
        cancel_reason: null,
        created_by: 'admin',
        created_at: new Date('2026-11-25T12:00:00Z'),
        updated_at: new Date('2026-11-25T12:00:00Z'),
        ...overrides,
      })
      .execute();
    return id;
  }

  const get = async (path: string) => {
    const response = await fetch(`${baseUrl}${path}`);
    return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as any };
  };

  it('when managers are previewed, then the announcement is exactly what renderNotice sends', async () => {
    const id = await insertWindow();
    const { status, body } = await get(`/api/windows/${id}/preview/managers`);
    expect(status).toBe(200);
    const expected = renderNotice({
      policy,
      window: aWindow({ id }),
      audience: 'managers',
      kind: 'announcement',
      publicPageUrl: `${PUBLIC_BASE_URL}/public/driftstopp`,
    });
    expect(body).toEqual({ audience: 'managers', kind: 'announcement', ...expected });
    expect(body.subject).toBe('Planerat driftstopp: Tes och CareApp tisdag 30 mars 2027 kl. 09.00–12.00');
  });

  it('when a kind is asked for, then that kind is rendered', async () => {
    const id = await insertWindow();
    const { status, body } = await get(`/api/windows/${id}/preview/egetval?kind=reminder`);
    expect(status).toBe(200);
    expect(body.kind).toBe('reminder');
    expect(body.subject.startsWith('Påminnelse: ')).toBe(true);
  });

  it('when the window is cancelled, then the default preview is the cancellation with its reason', async () => {
    const id = await insertWindow({ status: 'cancelled', revision: 2, cancel_reason: 'Leverantören är försenad.' });
    const { status, body } = await get(`/api/windows/${id}/preview/public`);
    expect(status).toBe(200);
    expect(body.kind).toBe('cancellation');
    expect(body.subject.startsWith('Inställt: ')).toBe(true);
    expect(body.text).toContain('Leverantören är försenad.');
  });

  it('when an update notice records the previous time, then the update preview names it', async () => {
    const id = await insertWindow({ start_at: local('2027-04-06T09:00'), end_at: local('2027-04-06T12:00'), revision: 2 });
    await database.db
      .insertInto('notices')
      .values({
        id: randomUUID(),
        window_id: id,
        revision: 2,
        audience: 'intranet',
        kind: 'update',
        lead_days: null,
        previous_start_at: local('2027-03-30T09:00'),
        previous_end_at: local('2027-03-30T12:00'),
        due_at: new Date('2026-11-26T07:00:00Z'),
        required_by: new Date('2026-11-26T07:00:00Z'),
        status: 'pending',
        late: false,
        created_at: new Date('2026-11-25T12:00:00Z'),
      })
      .execute();
    const { body } = await get(`/api/windows/${id}/preview/intranet?kind=update`);
    expect(body.subject.startsWith('Ändrad tid: ')).toBe(true);
    expect(body.text).toContain('tisdag 6 april 2027 kl. 09.00–12.00');
    expect(body.text).toContain('Tidigare meddelad tid var tisdag 30 mars 2027 kl. 09.00–12.00');
  });

  it.each([
    ['an unknown audience', `/preview/press`, 'audience'],
    ['an unknown kind', `/preview/managers?kind=teaser`, 'kind'],
  ])('when the request names %s, then it is a 400 naming the field', async (_label, suffix, field) => {
    const id = await insertWindow();
    const { status, type, body } = await get(`/api/windows/${id}${suffix}`);
    expect(status).toBe(400);
    expect(type).toContain('application/problem+json');
    expect(body.errors.map((e: { path: string }) => e.path)).toContain(field);
  });

  it('when the id is not a UUID, then it is a 400 naming the id', async () => {
    const { status, body } = await get('/api/windows/not-a-uuid/preview/managers');
    expect(status).toBe(400);
    expect(body.errors.map((e: { path: string }) => e.path)).toEqual(['id']);
  });

  it('when no window has the id, then it is a 404', async () => {
    const { status, type } = await get(`/api/windows/${randomUUID()}/preview/managers`);
    expect(status).toBe(404);
    expect(type).toContain('application/problem+json');
  });
});
