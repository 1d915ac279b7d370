import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/runtime/metrics.js';
import type { DeliveryStatus } from '../../src/storage/schema.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { testBackends, type TestDatabase } from '../support/database.js';
import { insertWindowWithNotice } from '../support/notice-fixtures.js';
import { windowRow } from '../support/rows.js';

const MINUTE = 60_000;

describe.each(testBackends)('/readyz and /metrics on deliveries that are not going out, on $name', (backend) => {
  let database: TestDatabase;
  let api: TestApi;

  beforeEach(async () => {
    database = await backend.open();
    api = await startTestApi(database.db, { metrics: new Metrics({ db: database.db, defaultMetrics: false }) });
  });
  afterEach(async () => {
    await api?.close();
    await database?.close();
  });

  async function noticeOf(windowId: string): Promise<string> {
    const row = await database.db.selectFrom('notices').select('id').where('window_id', '=', windowId).executeTakeFirstOrThrow();
    return row.id;
  }

  async function insertDelivery(noticeId: string, status: DeliveryStatus, fields: { failingSinceMinutesAgo?: number; claimedMinutesAgo?: number } = {}) {
    const ago = (minutes: number | undefined) => (minutes === undefined ? null : new Date(Date.now() - minutes * MINUTE));
    await database.db
      .insertInto('deliveries')
      .values({
        id: randomUUID(),
        notice_id: noticeId,
        recipient_key: randomUUID(),
        recipient_id: null,
        channel: 'email',
        target: `${randomUUID()}@orebro.se`,
        batch: 0,
        status,
        attempts: 1,
        claimed_at: ago(fields.claimedMinutesAgo),
        claimed_by: fields.claimedMinutesAgo === undefined ? null : 'some-worker',
        failing_since: ago(fields.failingSinceMinutesAgo),
        last_error: fields.failingSinceMinutesAgo === undefined ? null : '421 try again later',
        message_id: null,
        sent_at: null,
        created_at: new Date(),
      })
      .execute();
  }

  it('when nothing is wrong, then /readyz is ready with zero deliveries not going out', async () => {
    const notice = await noticeOf(await insertWindowWithNotice(database.db));
    await insertDelivery(notice, 'pending');
    await insertDelivery(notice, 'sending', { claimedMinutesAgo: 0.2 });
    const ready = await api.request('GET', '/readyz', { token: null });
    expect(ready.body).toEqual({ status: 'ready', checks: { database: true, redis: true }, overdueNotices: 0, deliveries: { retrying: 0, stalled: 0, failed: 0 } });
  });

  it('when a delivery has been retrying over 15 minutes, one is claimed by a silent worker over a minute and one failed for good, then /readyz is degraded (still 200) and /metrics counts each', async () => {
    const notice = await noticeOf(await insertWindowWithNotice(database.db));
    await insertDelivery(notice, 'pending', { failingSinceMinutesAgo: 20 });
    await insertDelivery(notice, 'pending', { failingSinceMinutesAgo: 5 }); // a blip: not yet worth an alarm
    await insertDelivery(notice, 'sending', { claimedMinutesAgo: 2 });
    await insertDelivery(notice, 'sending', { claimedMinutesAgo: 0.2 }); // renewed by a live worker's heartbeat
    await insertDelivery(notice, 'failed', { failingSinceMinutesAgo: 1 });
    // A failure of a window long over is history, not an alarm.
    const pastId = randomUUID();
    await database.db.insertInto('windows').values(windowRow({ id: pastId, start_at: new Date('2026-01-13T08:00:00Z'), end_at: new Date('2026-01-13T10:00:00Z'), status: 'completed' })).execute();
    await database.db
      .insertInto('notices')
      .values({ id: randomUUID(), window_id: pastId, revision: 1, audience: 'managers', kind: 'announcement', lead_days: 14, due_at: new Date('2025-12-30T07:00:00Z'), required_by: new Date('2025-12-30T23:00:00Z'), status: 'failed', late: false, dispatched_at: new Date('2025-12-30T07:00:00Z'), sent_at: null, error: '550', created_at: new Date('2025-12-01T00:00:00Z') })
      .execute();
    await insertDelivery(await noticeOf(pastId), 'failed', { failingSinceMinutesAgo: 60 * 24 * 300 });

    const ready = await api.request('GET', '/readyz', { token: null });
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'degraded', deliveries: { retrying: 1, stalled: 1, failed: 1 } });

    const metrics = await api.request('GET', '/metrics');
    expect(metrics.status).toBe(200);
    for (const line of [
      'driftstopp_deliveries{status="pending"} 2',
      'driftstopp_deliveries{status="sending"} 2',
      'driftstopp_deliveries{status="retrying"} 1',
      'driftstopp_deliveries{status="stalled"} 1',
      'driftstopp_deliveries{status="failed"} 1',
    ]) {
      expect(metrics.body).toContain(line);
    }
    expect(metrics.body).toContain('# TYPE driftstopp_delivery_failures_total counter');
  });
});
