import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { openRedis } from '../../src/runtime/redis-client.js';
import { readRedisSettings, redisWarnings } from '../../src/runtime/redis-check.js';
import { connectRedisUrl, startApi } from '../../src/service.js';
import { basic } from '../security/security-fixtures.js';
import { testBackends } from '../support/database.js';
import { createShortNoticeWindow, deliveryStatuses, insertManagers, managersAnnouncement, noticeRow, oncePerRecipient, receiptsOf, tally } from '../support/notice-fixtures.js';
import { clusterUnsupported, startRedisCluster, type TestRedisCluster } from '../support/redis-cluster.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

const SECOND = 1000;
const RECIPIENTS = 500;
/** Small batches, two at a time: most of the fan-out waits in Redis as batch jobs when the master dies. */
const BATCH_SIZE = 25;
const PAUSE_AFTER = 150;
const PREFIX = '{driftstopp}';
const ADMIN_TOKEN = 'cluster-test-admin-token-0123456789';

/** PostgreSQL where the suite has it (as in production), else PGlite. */
const backend = testBackends.at(-1)!;
const unsupported = clusterUnsupported();
if (unsupported) console.warn(`test/workers/redis-cluster.test.ts skipped: ${unsupported}`);

/**
 * The service on a Redis Cluster of three masters without replicas. All of BullMQ's keys lie
 * in the slot of the prefix's hash tag, so one master holds every queue; killing that master
 * in the middle of a fan-out loses every job (it keeps nothing on disk and restarts empty).
 * The database is the record: the reconciler gives each unfinished batch its job again.
 */
describe.skipIf(unsupported !== null)(`when the service runs on a Redis Cluster with QUEUE_PREFIX=${PREFIX}${unsupported ? ` (skipped: ${unsupported})` : ''}`, () => {
  let cluster: TestRedisCluster;
  let config: Readonly<Config>;
  let stack: TestStack;
  let api: Awaited<ReturnType<typeof startApi>>;
  let managers: string[];

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'driftstopp-cluster-data-'));

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    config = loadConfig({ REDIS_URL: cluster.url, QUEUE_PREFIX: PREFIX, API_TOKENS: `admin:${ADMIN_TOKEN}`, PORT: '0', DATA_DIR: dataDir });
    stack = await startTestStack(backend, { batchSize: BATCH_SIZE, concurrency: 2 }, { parseMail: false, redis: cluster, queuePrefix: config.queuePrefix });
    // The service's own API on the cluster, as `npm start` mounts it: readiness and the queue dashboard.
    const { notices, deliveries, maintenance } = stack.workers.queues;
    api = await startApi({ config, db: stack.database.db, redisUrl: config.redisUrl, logger: pino({ level: 'silent' }), onCommitted: async () => {}, queues: [notices, deliveries, maintenance] });
    managers = await insertManagers(stack.database.db, RECIPIENTS, { systems: ['tes'], tag: 'cluster' });
  });
  afterAll(async () => {
    stack?.smtp.resume();
    await api?.close();
    // The stack stops the cluster too (it is its Redis); the masters go even if that hangs.
    await Promise.race([stack?.stop(), new Promise((resolve) => setTimeout(resolve, 40 * SECOND))]);
    await cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60 * SECOND);

  const readyz = () => fetch(`http://127.0.0.1:${api.port}/readyz`).then(async (r) => ({ status: r.status, body: await r.json() }));

  it('when start-up checks the cluster URL, then it is used as given, without a private Redis, and each master\'s settings are read', async () => {
    expect(config.queuePrefix).toBe(PREFIX);
    expect(await connectRedisUrl(config, pino({ level: 'silent' }))).toEqual({ url: cluster.url, local: null });
    // One node of it named as a single server is refused, with the form to write.
    const asServer = loadConfig({ REDIS_URL: `redis://127.0.0.1:${cluster.nodes[0]!.port}`, QUEUE_PREFIX: PREFIX });
    await expect(connectRedisUrl(asServer, pino({ level: 'silent' }))).rejects.toThrow(/^REDIS_URL: the Redis at redis:\/\/127\.0\.0\.1:\d+ is a node of a Redis Cluster: name the cluster as redis\+cluster:\/\//);
    // Each master keeps its own settings: these keep nothing on disk, and each says so.
    const settings = await readRedisSettings(cluster.url);
    expect(settings).toHaveLength(3);
    for (const one of settings) expect(redisWarnings(one)).toEqual([expect.stringContaining('appendonly')]);
  });

  it('when the API runs on the cluster, then /readyz reaches the queues\' master and the queue dashboard lists the queues', async () => {
    const ready = await eventually(readyz, (r) => r.status === 200, 10 * SECOND);
    expect(ready.body.checks).toMatchObject({ redis: true, database: true });

    const listed = await fetch(`http://127.0.0.1:${api.port}/admin/queues/api/queues`, { headers: basic('admin', ADMIN_TOKEN) });
    expect(listed.status).toBe(200);
    const body = (await listed.json()) as { queues: { name: string }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual(['deliveries', 'maintenance', 'notices']);
    const stats = await fetch(`http://127.0.0.1:${api.port}/admin/queues/api/redis/stats`, { headers: basic('admin', ADMIN_TOKEN) });
    expect(stats.status).toBe(200);
    expect(await stats.json()).toMatchObject({ mode: 'cluster' });
  });

  it(`when the master holding the queues is killed in a fan-out to ${RECIPIENTS} and comes back empty, then every recipient is reached exactly once`, async () => {
    const holder = await cluster.masterOf(PREFIX);
    // A key of our own in the queues' slot: gone after the restart proves the master came back empty.
    const probe = openRedis(cluster.url);
    probe.on('error', () => {});
    await probe.set(`${PREFIX}:lost-on-restart`, 'x');

    stack.smtp.pauseAfter(PAUSE_AFTER);
    const notice = managersAnnouncement(await createShortNoticeWindow(stack.api, ['tes']));
    await eventually(async () => ({ received: stack.smtp.received.length, paused: stack.smtp.paused }), (s) => s.received === PAUSE_AFTER && s.paused > 0, 60 * SECOND);
    // Mid-fan-out: some sent, some sending, batches waiting in Redis for a worker.
    expect((await stack.workers.queues.deliveries.getJobCounts('wait')).wait).toBeGreaterThan(0);

    await cluster.kill(holder);
    // Readiness asks the master of the queues' slot, not any node.
    expect((await eventually(readyz, (r) => r.status === 503, 20 * SECOND)).body.checks).toMatchObject({ redis: false, database: true });
    // A process starting now is refused with the cluster's own word for it.
    const refusal = () => connectRedisUrl(config, pino({ level: 'silent' })).then(() => 'started', (e: Error) => e.message);
    expect(await eventually(refusal, (m) => m.includes('cluster_state:fail'), 20 * SECOND)).toMatch(/^REDIS_URL: the Redis Cluster at redis\+cluster:\/\/.* reports cluster_state:fail/);
    await cluster.restart(holder);
    await cluster.healthy();
    expect(await eventually(() => probe.get(`${PREFIX}:lost-on-restart`).catch(() => 'unreachable'), (v) => v !== 'unreachable', 10 * SECOND)).toBeNull();
    probe.disconnect();
    stack.smtp.resume();

    const row = await eventually(() => noticeRow(stack.database.db, notice.id), (n) => n.status !== 'pending', 30 * SECOND);
    expect(row.status).toBe('sent');
    expect(await deliveryStatuses(stack.database.db, notice.id)).toEqual({ sent: RECIPIENTS });
    const counted = tally(receiptsOf(stack.smtp), notice.id);
    expect(counted.perRecipient).toEqual(oncePerRecipient(managers));
    expect(counted.total).toBe(RECIPIENTS);
    expect((await readyz()).status).toBe(200);
  });
});
