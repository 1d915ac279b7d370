import type { Server } from 'node:http';
import type { Queue } from 'bullmq';
import { DateTime } from 'luxon';
import { pino, type Logger } from 'pino';
import type { ApiToken } from '../../src/config.js';
import { createApp } from '../../src/service.js';
import { loadPolicy } from '../../src/policy/load-policy.js';
import type { Policy } from '../../src/policy/policy-schema.js';
import type { DeliveryAlarms } from '../../src/delivery/delivery-alarms.js';
import type { Metrics } from '../../src/runtime/metrics.js';
import { readiness } from '../../src/runtime/readiness.js';
import { BusinessCalendar } from '../../src/rules/business-calendar.js';
import type { Db } from '../../src/storage/database.js';
import type { NoticeRow } from '../../src/storage/schema.js';
import type { WindowServiceDeps } from '../../src/windows/window-service.js';
import { watchRegister } from '../../src/storage/register-changes.js';

export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
export const VIEWER_TOKEN = 'viewer-token-for-tests-012345678';
/** LINK_SECRET of the test apps, so a test can sign a link the app accepts. */
export const TEST_LINK_SECRET = 'link-secret-for-tests-0123456789abcdef';

export interface TestApi {
  baseUrl: string;
  /** Notices handed to the scheduler after each commit. */
  planned: NoticeRow[];
  request(method: string, path: string, options?: { body?: unknown; token?: string | null; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export interface TestApiOptions {
  /** @defaultValue the bundled default policy */
  policy?: Policy;
  /** PUBLIC_BASE_URL as config normalises it. @defaultValue http://localhost:3000 */
  publicBaseUrl?: string;
  now?: string | (() => DateTime);
  onCommitted?: WindowServiceDeps['onCommitted'];
  /** Mounts /metrics. @defaultValue none */
  metrics?: Metrics;
  /** Mounts the queue dashboard at /admin/queues. @defaultValue none */
  queues?: readonly Queue[];
  /** Failed authentications per client before 429. @defaultValue the app's own */
  authFailureLimit?: number;
  /** Where the app logs. @defaultValue a silent logger */
  logger?: Logger;
  /** Express's `trust proxy`. @defaultValue the app's own (loopback) */
  trustProxy?: number | string[];
  /** When deliveries count as retrying too long or stalled, for /readyz. @defaultValue DELIVERY_ALARMS */
  alarms?: DeliveryAlarms;
  /** Renders the window list once per change of the register, as `npm start` does. @defaultValue false: every request renders */
  watchRegister?: boolean;
  /** More API tokens besides ADMIN_TOKEN and VIEWER_TOKEN, e.g. a named one. @defaultValue none */
  extraTokens?: readonly ApiToken[];
}

/** The real Express app over real HTTP on a free port, with a fixed or moving clock. */
export async function startTestApi(db: Db, options: TestApiOptions = {}): Promise<TestApi> {
  const policy = options.policy ?? loadPolicy();
  const fixed = typeof options.now === 'string' ? DateTime.fromISO(options.now) : undefined;
  const clock = typeof options.now === 'function' ? options.now : () => fixed ?? DateTime.now();
  const planned: NoticeRow[] = [];
  const logger = options.logger ?? pino({ level: 'silent' });
  const registerChanges = options.watchRegister ? await watchRegister(db, logger) : undefined;
  const app = createApp({
    db,
    rules: { policy, calendar: new BusinessCalendar(policy) },
    clock,
    onCommitted: async (change) => {
      planned.push(...change.notices);
      await options.onCommitted?.(change);
    },
    tokens: [
      { role: 'admin', token: ADMIN_TOKEN },
      { role: 'viewer', token: VIEWER_TOKEN },
      ...(options.extraTokens ?? []),
    ],
    logger,
    registerChanges,
    trustProxy: options.trustProxy,
    // The real readiness of the database; Redis is the test's own, taken as reachable.
    readiness: () => readiness(db, { otherChecks: async () => ({ redis: true }), ...(options.alarms ? { alarms: options.alarms } : {}) }),
    version: 'test',
    publicBaseUrl: options.publicBaseUrl ?? 'http://localhost:3000',
    linkSecret: TEST_LINK_SECRET,
    metrics: options.metrics,
    queues: options.queues,
    ...(options.authFailureLimit !== undefined ? { authFailureLimit: options.authFailureLimit } : {}),
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    baseUrl,
    planned,
    async request(method, path, { body, token = ADMIN_TOKEN, headers = {} } = {}) {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await registerChanges?.close();
    },
  };
}
