import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Writable } from 'node:stream';
import type { RedisClient } from '../../src/runtime/redis-client.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openQueues, redisConnection, type Queues } from '../../src/queues/queues.js';
import type { LocalRedis } from '../../src/runtime/local-redis.js';
import { Metrics } from '../../src/runtime/metrics.js';
import { ADMIN_TOKEN, startTestApi, VIEWER_TOKEN, type TestApi } from '../support/api.js';
import { testBackends, type TestDatabase } from '../support/database.js';
import { startTestRedis } from '../support/redis.js';
import { basic, bearer, expectProblem, NOW, reply, validWindowBody } from './security-fixtures.js';

const LIMIT = 5;
const WRONG_TOKEN = 'wrong-token-guessed-by-someone-0000';

/** Rawly over a socket: fetch refuses to send a header with CR or LF, an attacker's client does not. */
function rawRequest(baseUrl: string, head: string): Promise<string> {
  const { port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(head));
    let data = '';
    socket.on('data', (chunk) => (data += chunk));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

describe.each(testBackends)('HTTP hardening on $name', (backend) => {
  let database: TestDatabase;
  let redis: LocalRedis;
  let connection: RedisClient;
  let queues: Queues;
  let api: TestApi;
  let limited: TestApi;
  const logLines: string[] = [];

  beforeAll(async () => {
    database = await backend.open();
    redis = await startTestRedis();
    connection = redisConnection(redis.url);
    queues = openQueues(connection, `hardening-${randomBytes(4).toString('hex')}`);
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    api = await startTestApi(database.db, {
      now: NOW,
      logger: pino({ level: 'trace' }, sink),
      metrics: new Metrics({ defaultMetrics: false }),
      queues: [queues.notices],
      authFailureLimit: 100_000,
    });
    limited = await startTestApi(database.db, { now: NOW, authFailureLimit: LIMIT });
  });
  afterAll(async () => {
    await api?.close();
    await limited?.close();
    await queues?.close();
    connection?.disconnect();
    await redis?.stop();
    await database?.close();
  });

  describe('failed authentication is rate limited per client', () => {
    // The app trusts a proxy on loopback, so X-Forwarded-For names the client as a local reverse proxy would.
    const from = (client: string, headers: Record<string, string>) => ({ ...headers, 'x-forwarded-for': client });
    const get = (headers: Record<string, string>, path = '/api/windows') => fetch(`${limited.baseUrl}${path}`, { headers }).then(reply);

    it('when a client fails more than the limit, then it gets 429, even with the right token, while others do not', async () => {
      const client = '198.51.100.7';
      // Successes and refusals by role do not count: only failed authentications do.
      for (let i = 0; i < 2 * LIMIT; i += 1) expect((await get(from(client, bearer(VIEWER_TOKEN)))).status).toBe(200);
      const viewerWrite = await fetch(`${limited.baseUrl}/api/windows`, {
        method: 'POST',
        headers: from(client, { ...bearer(VIEWER_TOKEN), 'content-type': 'application/json' }),
        body: JSON.stringify(validWindowBody()),
      }).then(reply);
      expectProblem(viewerWrite, 403);

      for (let i = 0; i < LIMIT; i += 1) expectProblem(await get(from(client, i % 2 ? bearer(WRONG_TOKEN) : {})), 401);
      const blocked = await get(from(client, bearer(WRONG_TOKEN)));
      expectProblem(blocked, 429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);

      // What the code does: the limiter stands before the token check, so the client is blocked
      // whatever it sends until the window (15 minutes) has passed; a right token is no way round.
      expectProblem(await get(from(client, bearer(ADMIN_TOKEN))), 429);
      expectProblem(await get(from(client, bearer(VIEWER_TOKEN))), 429);
      expect((await get(from(client, {}), '/healthz')).status).toBe(200);

      expect((await get(from('203.0.113.9', bearer(ADMIN_TOKEN)))).status).toBe(200);
    });

    it('when the proxy on loopback is not among TRUST_PROXY, then X-Forwarded-For is ignored and the failures count against the connection', async () => {
      const untrusting = await startTestApi(database.db, { now: NOW, authFailureLimit: LIMIT, trustProxy: ['10.0.0.0/8'] });
      try {
        const at = (headers: Record<string, string>) => fetch(`${untrusting.baseUrl}/api/windows`, { headers }).then(reply);
        // Each failure claims another client; all of them come from 127.0.0.1, which is what counts.
        for (let i = 0; i < LIMIT; i += 1) expectProblem(await at(from(`198.51.100.${i + 10}`, bearer(WRONG_TOKEN))), 401);
        expectProblem(await at(from('203.0.113.50', bearer(WRONG_TOKEN))), 429);
      } finally {
        await untrusting.close();
      }
    });
  });

  describe('security headers', () => {
    it.each([
      ['an API reply', '/api/windows', bearer(VIEWER_TOKEN), 200],
      ['a refusal', '/api/windows', {}, 401],
      ['an unknown path', '/nowhere', {}, 404],
    ])('when %s is sent, then helmet’s headers are on it', async (_label, path, headers, status) => {
      const res = await fetch(`${api.baseUrl}${path}`, { headers }).then(reply);
      expect(res.status).toBe(status);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'self'");
      expect(csp).toContain("object-src 'none'");
      // Deliberately off: municipal installations run on plain HTTP inside the network.
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-powered-by')).toBeNull();
    });
  });

  describe('request ids', () => {
    const withId = (id?: string) =>
      fetch(`${api.baseUrl}/api/windows`, { headers: { ...bearer(VIEWER_TOKEN), ...(id === undefined ? {} : { 'x-request-id': id }) } });

    it('when a request carries no id, then the reply carries a new one', async () => {
      const [a, b] = [await withId(), await withId()];
      expect(a.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(b.headers.get('x-request-id')).not.toBe(a.headers.get('x-request-id'));
    });

    it('when a request carries a sane id, then the reply echoes it', async () => {
      expect((await withId('lb-7f3a.2027_03')).headers.get('x-request-id')).toBe('lb-7f3a.2027_03');
    });

    it.each([
      ['spaces', 'id with spaces'],
      ['300 characters', 'x'.repeat(300)],
      ['markup', '<script>alert(1)</script>'],
      ['a tab', 'a\tb'],
    ])('when a request carries an id with %s, then it is replaced', async (_label, insane) => {
      const res = await withId(insane);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('when an id tries to smuggle a header with CR/LF, then the request never reaches the app and nothing is echoed', async () => {
      const head = `GET /api/windows HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${VIEWER_TOKEN}\r\nX-Request-Id: abc\r\nSet-Cookie: evil=1\r\n def\r\nConnection: close\r\n\r\n`;
      const raw = await rawRequest(api.baseUrl, head);
      expect(raw).toMatch(/^HTTP\/1\.1 400/);
      expect(raw).not.toMatch(/set-cookie|x-request-id: abc/i);
    });
  });

  describe('tokens never reach the log', () => {
    it('when requests carry tokens as Bearer, as Basic and in the query, then no log line holds a token', async () => {
      const tokens = [ADMIN_TOKEN, VIEWER_TOKEN, WRONG_TOKEN];
      const requests: [string, Record<string, string>][] = [
        ['/api/windows', bearer(ADMIN_TOKEN)],
        ['/api/windows', bearer(VIEWER_TOKEN)],
        ['/api/windows', bearer(WRONG_TOKEN)],
        [`/api/windows?access_token=${ADMIN_TOKEN}`, {}],
        ['/api/windows/not-a-uuid', bearer(ADMIN_TOKEN)],
        ['/admin/queues', basic('admin', ADMIN_TOKEN)],
        ['/admin/queues', basic('viewer', VIEWER_TOKEN)],
        ['/admin/queues', basic('admin', WRONG_TOKEN)],
        ['/metrics', bearer(VIEWER_TOKEN)],
        ['/nowhere', bearer(ADMIN_TOKEN)],
      ];
      const ids = requests.map((_, i) => `log-check-${i}-${randomBytes(3).toString('hex')}`);
      for (const [i, [path, headers]] of requests.entries()) {
        await fetch(`${api.baseUrl}${path}`, { headers: { ...headers, 'x-request-id': ids[i]! } }).then((r) => r.text());
      }
      // Lines are written when a reply finishes; /metrics is deliberately not logged.
      const logged = ids.filter((_, i) => requests[i]![0] !== '/metrics');
      await vi.waitFor(() => expect(logged.filter((id) => !logLines.some((l) => l.includes(id)))).toEqual([]));

      const secrets = tokens.flatMap((t) => [t, Buffer.from(`admin:${t}`).toString('base64'), Buffer.from(`viewer:${t}`).toString('base64')]);
      const leaks = logLines.filter((line) => secrets.some((secret) => line.includes(secret)));
      expect(leaks).toEqual([]);
      expect(logLines.join('\n')).not.toMatch(/authorization/i);
    });
  });
});
