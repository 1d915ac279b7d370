import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { NoticeScheduler } from '../../src/queues/notice-scheduler.js';
import { openQueues, redisConnection } from '../../src/queues/queues.js';
import type { LocalRedis } from '../../src/runtime/local-redis.js';
import { startTestApi } from '../support/api.js';
import { testBackends } from '../support/database.js';
import {
  createShortNoticeWindow,
  deliveryStatuses,
  insertManagers,
  managersAnnouncement,
  noticeRow,
  oncePerRecipient,
  tally,
} from '../support/notice-fixtures.js';
import { startTestRedis } from '../support/redis.js';
import { startSlowSmtp } from '../support/slow-smtp.js';
import { eventually } from '../support/stack.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-processes.js';

const SECOND = 1000;
const RECIPIENTS = 500;
/** The documented at-least-once window: at most one repeat per send in flight in one batch. */
const MAX_REPEATS = 5;
/** Per message at the SMTP server, so that the fan-out of 500 lasts a few seconds. */
const SMTP_DELAY_MS = 5;

const postgres = testBackends.find((backend) => backend.name === 'postgres');

/** Two processes must share one database: PostgreSQL only (TEST_DATABASE_URL). */
describe.runIf(postgres)('when worker processes die or race on PostgreSQL', () => {
  let redis: LocalRedis;

  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  /** Its own schema with 500 managers, queue prefix, slow SMTP server and API; worker processes started on demand. */
  async function arrange() {
    const database = await postgres!.open();
    const managers = await insertManagers(database.db, RECIPIENTS, { systems: ['tes'], tag: 'crash' });
    const smtp = await startSlowSmtp({ delayMs: SMTP_DELAY_MS });
    const queuePrefix = `t${Math.random().toString(36).slice(2, 8)}`;
    const queues = openQueues(redisConnection(redis.url), queuePrefix);
    const scheduler = new NoticeScheduler(queues);
    const api = await startTestApi(database.db, {
      now: () => DateTime.now(),
      onCommitted: async ({ window, notices }) => {
        await scheduler.scheduleNotices(notices);
        await scheduler.scheduleWindowTransitions([window]);
      },
    });
    const children: WorkerProcess[] = [];
    onTestFinished(async () => {
      await Promise.all(children.map((c) => c.kill()));
      await api.close();
      await queues.close();
      await smtp.stop();
      await database.close();
    });
    const startWorkers = () => {
      const child = startWorkerProcess({
        databaseUrl: database.url!,
        schema: database.schema!,
        redisUrl: redis.url,
        queuePrefix,
        smtpUrl: smtp.url,
      });
      children.push(child);
      return child;
    };
    const settled = async (noticeId: string) => {
      const row = await eventually(() => noticeRow(database.db, noticeId), (n) => n.status !== 'pending', 40 * SECOND);
      expect(row.status).toBe('sent');
      expect(await deliveryStatuses(database.db, noticeId)).toEqual({ sent: RECIPIENTS });
    };
    return { database, managers, smtp, api, startWorkers, settled };
  }

  it('when the worker process is killed a third into a fan-out of 500, then a new one finishes it: everyone has it, one Message-ID each, at most 5 repeats', async () => {
    const { managers, smtp, api, startWorkers, settled } = await arrange();
    const first = startWorkers();
    await first.ready;
    const notice = managersAnnouncement(await createShortNoticeWindow(api, ['tes']));

    await eventually(async () => tally(smtp.received, notice.id).total, (n) => n >= RECIPIENTS / 3, 30 * SECOND);
    await first.kill();
    const atKill = tally(smtp.received, notice.id).total;
    // Killed in the middle, or this test proves nothing about a crash.
    expect(atKill).toBeLessThan(RECIPIENTS);

    const second = startWorkers();
    await second.ready;
    await settled(notice.id);

    const counted = tally(smtp.received, notice.id);
    const recipients = Object.keys(counted.perRecipient).length;
    const repeats = counted.total - recipients;
    console.log(`crash: ${atKill} accepted at the kill; then ${counted.total} messages to ${recipients} recipients, ${repeats} repeats`);
    expect(Object.keys(counted.perRecipient).sort()).toEqual(managers);
    expect(counted.messageIdsPerRecipient).toEqual(oncePerRecipient(managers));
    expect(repeats).toBeLessThanOrEqual(MAX_REPEATS);
  });

  it('when two worker processes start at once on the same pending notice, then each of the 500 managers gets it exactly once', async () => {
    const { managers, smtp, api, startWorkers, settled } = await arrange();
    const notice = managersAnnouncement(await createShortNoticeWindow(api, ['tes']));

    const racers = [startWorkers(), startWorkers()];
    await Promise.all(racers.map((r) => r.ready));
    await settled(notice.id);

    const counted = tally(smtp.received, notice.id);
    console.log(`race: ${counted.total} messages to ${Object.keys(counted.perRecipient).length} recipients`);
    expect(counted.perRecipient).toEqual(oncePerRecipient(managers));
    expect(counted.total).toBe(RECIPIENTS);
  });
});
