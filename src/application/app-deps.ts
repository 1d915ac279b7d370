import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { ApiToken } from '../config.js';
import type { Metrics } from '../runtime/metrics.js';
import type { Readiness } from '../runtime/readiness.js';
import type { RegisterChanges } from '../storage/register-changes.js';
import type { WindowServiceDeps } from '../windows/window-service.js';

/**
 * What the commands and queries of the application need: the database, the rule book, the
 * clock, the hook that schedules what a commit planned, and the address messages link to.
 */
export interface ApplicationDeps extends WindowServiceDeps {
  /** Where this service is reached from outside; links in messages point here. */
  publicBaseUrl: string;
  /** The key personal links (acknowledgement, settings, unsubscribe, sign-up) are signed with. */
  linkSecret: string;
  /** TEMPLATES_DIR, for previews: rendered from the templates the workers send. @defaultValue the bundled templates */
  templatesDir?: URL | undefined;
}

/**
 * Everything the web process is built from. It lives here, below both adapters, so that
 * the JSON API (`src/http`) and the admin pages (`src/admin`) take the same dependencies
 * without importing each other; the composition root (`src/service.ts`) fills it in.
 */
export interface AppDeps extends ApplicationDeps {
  tokens: readonly ApiToken[];
  logger: Logger;
  /** Each dependency the service needs to do its work, and whether notices and deliveries are going out (runtime/readiness.ts). */
  readiness: () => Promise<Readiness>;
  version: string;
  metrics?: Metrics | undefined;
  /** The BullMQ queues, for the dashboard at /admin/queues. */
  queues?: readonly Queue[] | undefined;
  /** Failed authentications per client address in 15 minutes before 429. @defaultValue 50 */
  authFailureLimit?: number;
  /** How long the public page and feeds reuse a rendered answer. @defaultValue 1000 */
  publicCacheMs?: number;
  /** Reverse proxies whose X-Forwarded-For names the client (Express's `trust proxy`). @defaultValue loopback */
  trustProxy?: number | readonly string[] | undefined;
  /** Hears changes of the register, so that the window list is rendered once per change. @defaultValue none: every request renders */
  registerChanges?: RegisterChanges | undefined;
}
