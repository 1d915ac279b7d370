import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../../src/runtime/redis-client.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operations } from '../../src/http/openapi.js';
import { openQueues, redisConnection, type Queues } from '../../src/queues/queues.js';
import type { LocalRedis } from '../../src/runtime/local-redis.js';
import { Metrics } from '../../src/runtime/metrics.js';
import { ADMIN_TOKEN, startTestApi, VIEWER_TOKEN, type TestApi } from '../support/api.js';
import { testBackends, type TestDatabase } from '../support/database.js';
import { startTestRedis } from '../support/redis.js';
import {
  basic,
  bearer,
  expectProblem,
  fillPath,
  NOW,
  reply,
  snapshot,
  validRecipientBody,
  validWindowBody,
  validWriteBody,
  type Operation,
  type PathIds, VALID_SERIES_BODY } from './security-fixtures.js';

const WRONG_TOKEN = 'not-a-token-of-this-service-000000';

/** Generated from the OpenAPI list, so an endpoint added there is covered here without a word. */
const cases = operations.map((op) => ({ label: `${op.method.toUpperCase()} ${op.path}`, op }));
const reads = cases.filter(({ op }) => op.auth === 'viewer');
const writes = cases.filter(({ op }) => op.auth === 'admin');
const guarded = cases.filter(({ op }) => op.auth !== 'none');
const open = cases.filter(({ op }) => op.auth === 'none');

describe.each(testBackends)('access matrix on $name', (backend) => {
  let database: TestDatabase;
  let redis: LocalRedis;
  let connection: RedisClient;
  let queues: Queues;
  let api: TestApi;
  let ids: PathIds;

  beforeAll(async () => {
    database = await backend.open();
    redis = await startTestRedis();
    connection = redisConnection(redis.url);
    queues = openQueues(connection, `access-${randomBytes(4).toString('hex')}`);
    api = await startTestApi(database.db, {
      now: NOW,
      metrics: new Metrics({ db: database.db, defaultMetrics: false }),
      queues: [queues.notices, queues.deliveries, queues.maintenance],
      // Every case below fails authentication on purpose; the limit has a test of its own.
      authFailureLimit: 100_000,
    });
    const window = await api.request('POST', '/api/windows', { body: validWindowBody() });
    const recipient = await api.request('POST', '/api/recipients', { body: validRecipientBody('matrix@orebro.se') });
    const series = await api.request('POST', '/api/series', { body: VALID_SERIES_BODY });
    const disruption = await api.request('POST', '/api/disruptions', { body: { title: 'Tes nere', systems: ['tes'], description: 'Inloggningen svarar inte.' } });
    expect([window.status, recipient.status, series.status, disruption.status]).toEqual([201, 201, 201, 201]);
    ids = { windowId: window.body.id, recipientId: recipient.body.id, seriesId: series.body.id, disruptionId: disruption.body.id };
  });
  afterAll(async () => {
    await api?.close();
    await queues?.close();
    connection?.disconnect();
    await redis?.stop();
    await database?.close();
  });

  /** One request of `op` as `headers` say; writes carry a body the admin would have accepted. */
  async function call(op: Operation, headers: Record<string, string>, path = fillPath(op.path, ids)) {
    const { body, contentType } = op.auth === 'none' && op.method === 'get' ? {} : validWriteBody(op);
    const encoded = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const type: Record<string, string> = body === undefined ? {} : { 'content-type': contentType ?? 'application/json' };
    return reply(await fetch(`${api.baseUrl}${path}`, { method: op.method.toUpperCase(), headers: { ...type, ...headers }, body: encoded }));
  }

  it('when the list of operations is read, then it has reads, writes and open endpoints to check', () => {
    expect(reads.length).toBeGreaterThan(0);
    expect(writes.length).toBeGreaterThan(0);
    expect(open.map((c) => c.op.path)).toEqual(expect.arrayContaining(['/healthz', '/readyz']));
  });

  it.each(guarded)('when $label is called without a token, then it is a 401 asking for a bearer token', async ({ op }) => {
    const res = await call(op, {});
    expectProblem(res, 401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
  });

  it.each(guarded)('when $label is called with a wrong token, then it is a 401', async ({ op }) => {
    expectProblem(await call(op, bearer(WRONG_TOKEN)), 401);
    expectProblem(await call(op, basic('admin', WRONG_TOKEN)), 401);
  });

  // The token is checked before anything else is said about the request: a stranger learns
  // nothing from a 400 or 413, and makes the service parse (or inflate) nothing.
  it.each(writes)('when $label is called without a token and with a malformed, oversized or falsely gzipped body, then it is still a 401', async ({ op }) => {
    const path = fillPath(op.path, ids);
    const bodies: [string, Record<string, string>][] = [
      ['{"title":', { 'content-type': 'application/json' }],
      [JSON.stringify({ title: 'x'.repeat(200_000) }), { 'content-type': 'application/json' }],
      ['{}', { 'content-type': 'application/json', 'content-encoding': 'gzip' }],
    ];
    const statuses = [];
    for (const [body, headers] of bodies) {
      statuses.push((await fetch(`${api.baseUrl}${path}`, { method: op.method.toUpperCase(), headers, body })).status);
    }
    expect(statuses).toEqual([401, 401, 401]);
  });

  it.each(open)('when $label is called without or with a wrong token, then it answers all the same', async ({ op }) => {
    // 200, or for the public sign-up 202 (accepted, waiting for the confirmation link).
    const expected = op.method === 'post' ? 202 : 200;
    expect((await call(op, {})).status).toBe(expected);
    expect((await call(op, bearer(WRONG_TOKEN))).status).toBe(expected);
  });

  it.each(reads)('when a viewer calls $label, then it is a 2xx', async ({ op }) => {
    const res = await call(op, bearer(VIEWER_TOKEN));
    expect(res.status, res.text).toBeGreaterThanOrEqual(200);
    expect(res.status, res.text).toBeLessThan(300);
  });

  it.each(writes)('when a viewer calls $label with a body an admin could send, then it is a 403 and nothing changes', async ({ op }) => {
    const before = await snapshot(database.db);
    const res = await call(op, bearer(VIEWER_TOKEN));
    expectProblem(res, 403);
    expect(await snapshot(database.db)).toEqual(before);
  });

  it.each(cases)('when an admin calls $label, then it is neither 401 nor 403', async ({ op }) => {
    // A minimal body: the role is what is checked here, not the input.
    const path = fillPath(op.path, ids);
    const body = op.method === 'get' || op.method === 'delete' ? undefined : '{}';
    const res = await reply(
      await fetch(`${api.baseUrl}${path}`, {
        method: op.method.toUpperCase(),
        headers: { ...bearer(ADMIN_TOKEN), ...(body ? { 'content-type': 'application/json' } : {}) },
        body,
      }),
    );
    expect([401, 403]).not.toContain(res.status);
    expect(res.status).toBeLessThan(500);
  });

  describe('/metrics', () => {
    const metrics = (headers: Record<string, string>) => fetch(`${api.baseUrl}/metrics`, { headers }).then(reply);

    it('when it is scraped without or with a wrong token, then it is a 401', async () => {
      expectProblem(await metrics({}), 401);
      expectProblem(await metrics(bearer(WRONG_TOKEN)), 401);
    });

    it('when a viewer or an admin scrapes it, then it is Prometheus text with the HTTP latency histogram', async () => {
      await api.request('GET', '/api/windows', { token: VIEWER_TOKEN });
      for (const token of [VIEWER_TOKEN, ADMIN_TOKEN]) {
        const res = await metrics(bearer(token));
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
        expect(res.text).toContain('driftstopp_http_request_duration_seconds');
        expect(res.text).toMatch(/driftstopp_http_request_duration_seconds_count\{[^}]*route="\/api\/windows"[^}]*\} [1-9]/);
      }
    });
  });

  describe('/admin/queues', () => {
    const dashboard = (headers: Record<string, string>) => fetch(`${api.baseUrl}/admin/queues`, { headers }).then(reply);

    it('when it is opened without credentials, then it is a 401 that makes a browser ask (Basic)', async () => {
      const res = await dashboard({});
      expectProblem(res, 401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="driftstopp"/);
    });

    it('when it is opened with a wrong password or a wrong bearer token, then it is a 401', async () => {
      expectProblem(await dashboard(basic('admin', WRONG_TOKEN)), 401);
      expectProblem(await dashboard(bearer(WRONG_TOKEN)), 401);
      expectProblem(await dashboard(basic(ADMIN_TOKEN, '')), 401);
    });

    it('when a viewer opens it (Basic or Bearer), then it is a 403', async () => {
      expectProblem(await dashboard(basic('viewer', VIEWER_TOKEN)), 403);
      expectProblem(await dashboard(bearer(VIEWER_TOKEN)), 403);
    });

    it('when an admin opens it with the token as the Basic password, then it is the bull-board page (and with a bearer token too)', async () => {
      const res = await dashboard(basic('anyone', ADMIN_TOKEN));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.text).toMatch(/<html/i);
      expect((await dashboard(bearer(ADMIN_TOKEN))).status).toBe(200);
      const queueApi = await fetch(`${api.baseUrl}/admin/queues/api/queues`, { headers: basic('anyone', ADMIN_TOKEN) }).then(reply);
      expect(queueApi.status).toBe(200);
      expect(JSON.stringify(queueApi.body)).toContain('notices');
    });

    it('when the dashboard API is called by a viewer or without a token, then it is refused', async () => {
      for (const path of ['/admin/queues/api/queues', '/admin/queues/api/redis/stats']) {
        expectProblem(await fetch(`${api.baseUrl}${path}`).then(reply), 401);
        expectProblem(await fetch(`${api.baseUrl}${path}`, { headers: basic('viewer', VIEWER_TOKEN) }).then(reply), 403);
      }
    });
  });
});
