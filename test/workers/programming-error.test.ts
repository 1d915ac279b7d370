import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mailer } from '../../src/delivery/mailer.js';
import { jobId } from '../../src/queues/queues.js';
import { Metrics } from '../../src/runtime/metrics.js';
import { testBackends } from '../support/database.js';
import { createShortNoticeWindow, deliveryStatuses, insertManagers, managersAnnouncement, noticeRow } from '../support/notice-fixtures.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

const SECOND = 1000;
const MANAGERS = 30;

/** A mailer with a bug: every send throws a TypeError, as a broken message or transport would. */
function buggyMailer(): Mailer & { calls: number } {
  const mailer = {
    calls: 0,
    describe: 'buggy',
    capacity: 4,
    send: async () => {
      mailer.calls += 1;
      throw new TypeError("Cannot read properties of undefined (reading 'address')");
    },
    verify: async () => {},
    close: () => {},
  };
  return mailer;
}

describe.each(testBackends)('when a send throws a TypeError on $name', (backend) => {
  let stack: TestStack;
  let mailer: ReturnType<typeof buggyMailer>;
  let metrics: Metrics;
  const logLines: Record<string, any>[] = [];

  beforeAll(async () => {
    mailer = buggyMailer();
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _encoding, done) {
          logLines.push(JSON.parse(chunk.toString('utf8')));
          done();
        },
      }),
    );
    stack = await startTestStack(backend, { mailer, logger, metrics: (metrics = new Metrics({ defaultMetrics: false })) }, { parseMail: false });
    await insertManagers(stack.database.db, MANAGERS, { systems: ['careapp'], tag: 'bug' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('when the managers\' announcement goes out, then its deliveries fail within one attempt, logged at error level and counted, /readyz is degraded and the record says at risk', async () => {
    const window = await createShortNoticeWindow(stack.api, ['careapp'], 3);
    const notice = managersAnnouncement(window);
    const startedAt = Date.now();

    const row = await eventually(() => noticeRow(stack.database.db, notice.id), (n) => n.status !== 'pending', 20 * SECOND);
    const tookMs = Date.now() - startedAt;
    expect(row.status).toBe('failed');
    expect(row.error).toContain('TypeError');
    expect(await deliveryStatuses(stack.database.db, notice.id)).toEqual({ failed: MANAGERS });

    // One attempt: every delivery claimed once, one send tried (the rest of the batch failed with it), no job retried.
    const deliveries = await stack.database.db.selectFrom('deliveries').select(['attempts', 'last_error']).where('notice_id', '=', notice.id).execute();
    expect(new Set(deliveries.map((d) => d.attempts))).toEqual(new Set([1]));
    expect(mailer.calls).toBeLessThanOrEqual(4); // at most the sends already in flight when the first one threw
    const job = await stack.workers.queues.deliveries.getJob(jobId.deliveryBatch(notice.id, 0));
    expect(await job!.getState()).toBe('failed');
    expect(job!.attemptsMade).toBe(1);
    expect(job!.failedReason).toContain('programming error');
    console.log(`programming error: ${MANAGERS} deliveries failed ${tookMs} ms after the window was registered, ${mailer.calls} sends tried`);

    const errors = logLines.filter((l) => l.level === 50);
    expect(errors).toContainEqual(
      expect.objectContaining({ noticeId: notice.id, windowId: window.id, kind: 'programming', error: expect.stringContaining('TypeError'), msg: expect.stringContaining('programming error') }),
    );

    const failures = await metrics.registry.getSingleMetricAsString('driftstopp_delivery_failures_total');
    expect(failures).toMatch(/driftstopp_delivery_failures_total\{channel="email",kind="programming"\} [1-4]\b/);
    const finished = await metrics.registry.getSingleMetricAsString('driftstopp_deliveries_total');
    expect(finished).toContain(`driftstopp_deliveries_total{channel="email",outcome="failed"} ${MANAGERS}`);

    const ready = await stack.api.request('GET', '/readyz', { token: null });
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'degraded', deliveries: { failed: MANAGERS, retrying: 0, stalled: 0 } });

    const report = await stack.api.request('GET', '/api/compliance');
    const judged = report.body.items.find((w: any) => w.windowId === window.id || w.id === window.id);
    const announcement = judged.audiences.find((a: any) => a.audience === 'managers' && a.kind === 'announcement');
    expect(announcement).toMatchObject({ verdict: 'at_risk', reason: expect.stringContaining('TypeError') });
    const csv = await fetch(`${stack.api.baseUrl}/api/compliance?format=csv`, { headers: { authorization: 'Bearer admin-token-for-tests-0123456789' } });
    expect(await csv.text()).toContain('i fara');
  });
});
