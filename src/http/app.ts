import type { Queue } from 'bullmq';
import express, { type Express } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { ApiToken } from '../config.js';
import { AppError } from '../errors.js';
import type { Metrics } from '../runtime/metrics.js';
import type { RegisterChanges } from '../storage/register-changes.js';
import type { WindowServiceDeps } from '../windows/window-service.js';
import { requireAdmin, requireAdminForWrites, requireToken, tokenAuthenticator } from './auth.js';
import { httpMetrics, requestLogging } from './observability.js';
import { buildOpenApi } from './openapi.js';
import { notFoundHandler, problemHandler } from './problem.js';
import { adminRoutes } from '../admin/admin-routes.js';
import { DASHBOARD_PATH, queueDashboard } from './queue-dashboard.js';
import { complianceRoutes } from './routes/compliance-routes.js';
import { deliveryRoutes } from './routes/delivery-routes.js';
import { docsRoutes } from './routes/docs-routes.js';
import { publicRoutes } from './routes/public-routes.js';
import { previewRoutes } from './routes/preview-routes.js';
import { recipientRoutes } from './routes/recipient-routes.js';
import { windowRoutes } from './routes/window-routes.js';

export interface AppDeps extends WindowServiceDeps {
  tokens: readonly ApiToken[];
  logger: Logger;
  /** Each dependency the service needs to do its work, and whether it answers now. */
  readiness: () => Promise<{ checks: Record<string, boolean>; overdueNotices: number }>;
  version: string;
  /** Where this service is reached from outside; links in messages point here. */
  publicBaseUrl: string;
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

/** The HTTP app; it parses, authorises, calls the domain and replies, nothing more. */
export function createApp(appDeps: AppDeps): Express {
  const { registerChanges } = appDeps;
  // What this process commits counts as changed at once, before PostgreSQL's notification returns.
  const deps: AppDeps = registerChanges
    ? {
        ...appDeps,
        onCommitted: async (change) => {
          registerChanges.changed();
          await appDeps.onCommitted(change);
        },
      }
    : appDeps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? 'loopback');
  app.use(requestLogging(deps.logger));
  if (deps.metrics) app.use(httpMetrics(deps.metrics));
  // No upgrade-insecure-requests: municipal installations often run on plain HTTP inside the network.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const { checks, overdueNotices } = await deps.readiness();
    const ready = Object.values(checks).every(Boolean);
    // Overdue notices (workers down?) do not take the API out of rotation, but say so loudly.
    const status = !ready ? 'unavailable' : overdueNotices > 0 ? 'degraded' : 'ready';
    res.status(ready ? 200 : 503).json({ status, checks, overdueNotices });
  });
  const openApi = buildOpenApi(deps.version);
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use(docsRoutes());
  app.use(adminRoutes(deps));
  app.use(
    publicRoutes({ db: deps.db, policy: deps.rules.policy, publicBaseUrl: deps.publicBaseUrl, clock: deps.clock, cacheMs: deps.publicCacheMs ?? 1000 }),
  );

  const authenticate = tokenAuthenticator(deps.tokens);
  // Guessing tokens is slowed down per client address; only failures count.
  const authFailures = rateLimit({
    windowMs: 15 * 60 * 1000,
    limit: deps.authFailureLimit ?? 50,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: () => {
      throw new AppError('too_many_failures', 429, 'För många misslyckade inloggningar; försök igen om en stund.');
    },
  });

  if (deps.metrics) {
    const registry = deps.metrics.registry;
    app.get('/metrics', authFailures, requireToken(authenticate), async (_req, res) => {
      res.type(registry.contentType).send(await registry.metrics());
    });
  }
  if (deps.queues) {
    app.use(DASHBOARD_PATH, authFailures, requireToken(authenticate, { basicRealm: true }), requireAdmin, queueDashboard(deps.queues, { publicBaseUrl: deps.publicBaseUrl }));
  }

  const api = express.Router();
  // Bodies are read only once the token is known good: strangers make us parse nothing.
  api.use(authFailures, requireToken(authenticate), requireAdminForWrites);
  api.use(express.json({ limit: '100kb', type: ['application/json', 'application/*+json'] }));
  api.use(windowRoutes(deps));
  api.use(recipientRoutes({ db: deps.db, policy: deps.rules.policy, clock: deps.clock }));
  api.use(complianceRoutes({ db: deps.db, policy: deps.rules.policy, clock: deps.clock }));
  api.use(deliveryRoutes({ db: deps.db, zone: deps.rules.policy.timezone }));
  api.use(previewRoutes({ db: deps.db, policy: deps.rules.policy, publicBaseUrl: deps.publicBaseUrl }));
  app.use('/api', api);

  app.use(notFoundHandler);
  app.use(problemHandler(deps.logger));
  return app;
}
