import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../support/database.js';
import { deliveryStatuses, insertManagers, oncePerRecipient, receiptsOf, tally } from '../support/notice-fixtures.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

const SECOND = 1000;
const MANAGERS = 30;

/**
 * A disruption's messages are notices like a window's, so the same guarantees hold: with the
 * SMTP server refusing (421) and Redis losing its data right after the registration, each
 * subscriber still gets the announcement once, and the update once, when things come back.
 */
describe.each(testBackends)('a disruption through an SMTP outage and a Redis loss on $name', (backend) => {
  let stack: TestStack;
  let managers: string[];

  beforeAll(async () => {
    stack = await startTestStack(backend, {}, { parseMail: false });
    managers = await insertManagers(stack.database.db, MANAGERS, { systems: ['carelock'], tag: 'storning-fel' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const managersNotice = async (id: string, kind: string) =>
    (await stack.api.request('GET', `/api/disruptions/${id}`)).body.notices.find((n: any) => n.audience === 'managers' && n.kind === kind);

  async function expectEachManagerOnce(noticeId: string) {
    await eventually(() => deliveryStatuses(stack.database.db, noticeId), (s) => s.sent === MANAGERS, 30 * SECOND);
    const counted = tally(receiptsOf(stack.smtp), noticeId);
    expect(counted.perRecipient).toEqual(oncePerRecipient(managers));
    expect(counted.total).toBe(MANAGERS);
  }

  it('when the mail server refuses and Redis is flushed at registration, then each manager still gets the announcement and the update once', async () => {
    stack.smtp.refuseWith = 421;
    const created = await stack.api.request('POST', '/api/disruptions', {
      body: { title: 'Låsen svarar inte', systems: ['carelock'], description: 'Dörrarna går inte att öppna med appen.' },
    });
    expect(created.status).toBe(201);
    const redis = new Redis(stack.redis.url);
    try {
      expect(await redis.flushall()).toBe('OK');
    } finally {
      redis.disconnect();
    }
    const announcement = await managersNotice(created.body.id, 'announcement');
    // The reconciler gave the notice its job back, and the refusals are being retried.
    await eventually(
      () => stack.database.db.selectFrom('deliveries').select(['status', 'last_error']).where('notice_id', '=', announcement.id).execute(),
      (rows) => rows.length === MANAGERS && rows.some((r) => r.last_error !== null),
      30 * SECOND,
    );
    stack.smtp.refuseWith = null;
    await expectEachManagerOnce(announcement.id);

    const updated = await stack.api.request('POST', `/api/disruptions/${created.body.id}/updates`, { body: { status: 'identified', message: 'Låsservern startas om.' } });
    expect(updated.status).toBe(200);
    await expectEachManagerOnce((await managersNotice(created.body.id, 'update')).id);
    expect(receiptsOf(stack.smtp)).toHaveLength(2 * MANAGERS);
  });
});
