import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer } from '../../src/runtime/local-redis.js';
import { testBackends } from '../support/database.js';
import { DELIVERY_TEST_OVERLAP, insertManagers } from '../support/notice-fixtures.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const RECIPIENTS = 2000;
const SECOND = 1000;
const SECRET = 'outage-test-webhook-secret';

function tuesday(daysAhead: number) {
  let day = DateTime.now().setZone('Europe/Stockholm').startOf('day').plus({ days: daysAhead });
  while (day.weekday !== 2) day = day.plus({ days: 1 });
  return { start: day.set({ hour: 9 }).toISO()!, end: day.set({ hour: 10 }).toISO()! };
}

/** Each fault against a fan-out to 2,000 managers, counted at the SMTP server and the CMS receiver. */
describe.each(testBackends.slice(-1))('outages during a fan-out to 2,000 on $name', (backend) => {
  let stack: TestStack;
  let cms: WebhookReceiver;

  beforeAll(async () => {
    cms = await startWebhookReceiver(SECRET);
    stack = await startTestStack(backend, { deliveryAttempts: 10, deliveryBackoffMs: 500, webhooks: { intranet: cms.url }, webhookSecret: SECRET }, { parseMail: false });
    await insertManagers(stack.database.db, RECIPIENTS, { systems: ['tes', 'careapp'], tag: 'outage' });
  });
  afterAll(async () => {
    await stack?.stop();
    await cms?.close();
  });

  /** Waits until the notice is settled, then counts its messages per recipient at the SMTP server. */
  async function countOf(noticeId: string, label: string) {
    const status = await eventually(
      async () => (await stack.database.db.selectFrom('notices').select('status').where('id', '=', noticeId).executeTakeFirstOrThrow()).status,
      (s) => s !== 'pending',
      120 * SECOND,
    );
    const mine = stack.smtp.received.filter((m) => String(m.parsed.messageId).includes(noticeId));
    const perRecipient = new Map<string, number>();
    for (const mail of mine) for (const to of mail.to) perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
    console.log(`${label}: ${RECIPIENTS} recipients, ${mine.length} messages, ${perRecipient.size} distinct, ${mine.length - perRecipient.size} repeats`);
    return { status, messages: mine.length, distinct: perRecipient.size, max: Math.max(...perRecipient.values()) };
  }

  it('when Redis is restarted empty while a notice is pending, then the reconciler restores it and all 2,000 get it exactly once', async () => {
    const created = await stack.api.request('POST', '/api/windows', { body: { title: 'Tes 1', systems: ['tes'], kind: 'minor', ...tuesday(21) } });
    expect(created.status).toBe(201);
    const notice = created.body.notices.find((n: any) => n.audience === 'managers' && n.kind === 'announcement');
    const dueAt = new Date(Date.now() + 4 * SECOND);
    await stack.database.db.updateTable('notices').set({ due_at: dueAt }).where('id', '=', notice.id).execute();
    await stack.workers.scheduler.scheduleNotices([{ id: notice.id, revision: 1, due_at: dueAt }]);

    const port = Number(new URL(stack.redis.url).port);
    await stack.redis.stop();
    stack.redis = await startRedisServer({ port });
    expect(stack.smtp.received.filter((m) => String(m.parsed.messageId).includes(notice.id))).toHaveLength(0);

    expect(await countOf(notice.id, 'redis restarted empty')).toEqual({ status: 'sent', messages: RECIPIENTS, distinct: RECIPIENTS, max: 1 });
  });

  it('when the SMTP server answers 421 and the CMS 500 for a while, then all 2,000 and the CMS get the notice exactly once', async () => {
    stack.smtp.refuseWith = 421;
    cms.failNext = 5;
    const created = await stack.api.request('POST', '/api/windows', {
      body: { title: 'CareApp 2', systems: ['careapp'], kind: 'minor', ...tuesday(3), shortNotice: { reason: 'Test' }, allowOverlap: DELIVERY_TEST_OVERLAP },
    });
    expect(created.status).toBe(201);
    const notice = created.body.notices.find((n: any) => n.audience === 'managers' && n.kind === 'announcement');
    await eventually(
      async () => (await stack.database.db.selectFrom('deliveries').select('id').where('notice_id', '=', notice.id).where('last_error', 'like', '%421%').execute()).length,
      (n) => n >= 100,
      60 * SECOND,
    );
    stack.smtp.refuseWith = null;

    expect(await countOf(notice.id, 'smtp 421 for a while')).toEqual({ status: 'sent', messages: RECIPIENTS, distinct: RECIPIENTS, max: 1 });
    const published = await eventually(async () => cms.accepted.filter((w) => w.body.window.id === created.body.id), (w) => w.length >= 1, 60 * SECOND);
    await new Promise((r) => setTimeout(r, 1500));
    console.log(`cms 500 for a while: ${cms.refused} refused, ${published.length} accepted`);
    expect(cms.refused).toBe(5);
    expect(cms.accepted.filter((w) => w.body.window.id === created.body.id)).toHaveLength(1);
  });
});
