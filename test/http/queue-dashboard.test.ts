import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../../src/runtime/redis-client.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openQueues, redisConnection, type Queues } from '../../src/queues/queues.js';
import type { LocalRedis } from '../../src/runtime/local-redis.js';
import { ADMIN_TOKEN, startTestApi, type TestApi } from '../support/api.js';
import { testBackends, type TestDatabase } from '../support/database.js';
import { startTestRedis } from '../support/redis.js';
import { basic, expectProblem, NOW, reply } from '../security/security-fixtures.js';

/** The service's PUBLIC_BASE_URL in startTestApi. */
const PUBLIC_ORIGIN = 'http://localhost:3000';

// The database plays no part here; PGlite is enough.
describe('the queue dashboard refuses cross-site writes', () => {
  let database: TestDatabase;
  let redis: LocalRedis;
  let connection: RedisClient;
  let queues: Queues;
  let api: TestApi;

  beforeAll(async () => {
    database = await testBackends[0]!.open();
    redis = await startTestRedis();
    connection = redisConnection(redis.url);
    queues = openQueues(connection, `dashboard-${randomBytes(4).toString('hex')}`);
    api = await startTestApi(database.db, { now: NOW, queues: [queues.notices], authFailureLimit: 100_000 });
  });
  afterAll(async () => {
    await api?.close();
    await queues?.close();
    connection?.disconnect();
    await redis?.stop();
    await database?.close();
  });

  const admin = basic('admin', ADMIN_TOKEN);
  const jobCount = async () => Object.values(await queues.notices.getJobCounts()).reduce((a, b) => a + b, 0);
  const addJob = (headers: Record<string, string>) =>
    fetch(`${api.baseUrl}/admin/queues/api/queues/${queues.notices.name}/add`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ name: 'planted', data: { by: 'someone else' }, options: {} }),
    }).then(reply);

  it.each([
    ['an Origin of another site', { origin: 'https://angripare.example' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site from a sibling host', { 'sec-fetch-site': 'same-site', origin: 'http://other.localhost:3000' }],
    ['the opaque Origin "null" of a sandboxed frame', { origin: 'null' }],
  ])('when a job is added with the admin credentials and %s, then it is a 403 and no job is created', async (_label, headers) => {
    const before = await jobCount();
    const res = await addJob(headers);
    expectProblem(res, 403);
    expect(res.body.detail).toMatch(/översikt/);
    expect(await jobCount()).toBe(before);
  });

  it('when a queue is paused cross-site with PUT, then it is a 403 and the queue keeps running', async () => {
    const res = await fetch(`${api.baseUrl}/admin/queues/api/queues/${queues.notices.name}/pause`, {
      method: 'PUT',
      headers: { ...admin, origin: 'https://angripare.example', 'sec-fetch-site': 'cross-site' },
    }).then(reply);
    expectProblem(res, 403);
    expect(await queues.notices.isPaused()).toBe(false);
  });

  it.each([
    ['from the dashboard itself (same origin)', () => ({ origin: api.baseUrl, 'sec-fetch-site': 'same-origin' })],
    ['from the public address in PUBLIC_BASE_URL', () => ({ origin: PUBLIC_ORIGIN })],
    ['by curl, with neither Origin nor Sec-Fetch-Site', () => ({})],
  ])('when a job is added %s, then it is created', async (_label, headers) => {
    const before = await jobCount();
    const res = await addJob(headers());
    expect(res.status).toBe(200);
    expect(await jobCount()).toBe(before + 1);
  });

  it('when the dashboard is read with a foreign Origin, then it still answers: reads change nothing', async () => {
    const res = await fetch(`${api.baseUrl}/admin/queues/api/queues`, { headers: { ...admin, origin: 'https://angripare.example' } }).then(reply);
    expect(res.status).toBe(200);
  });
});
