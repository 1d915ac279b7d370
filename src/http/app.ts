import express, { type Express, type Router } from 'express';
import helmet from 'helmet';
import type { AppDeps } from '../application/app-deps.js';
import { authFailureLimiter, requireAdmin, requireAdminForWrites, requireToken, tokenAuthenticator } from './auth.js';
import { httpMetrics, requestLogging } from './observability.js';
import { buildOpenApi } from './openapi.js';
import { notFoundHandler, problemHandler } from './problem.js';
import { DASHBOARD_PATH, queueDashboard } from './queue-dashboard.js';
import { acknowledgementApiRoutes, acknowledgementLinkRoutes } from './routes/acknowledgement-routes.js';
import { complianceRoutes } from './routes/compliance-routes.js';
import { deliveryRoutes } from './routes/delivery-routes.js';
import { disruptionRoutes } from './routes/disruption-routes.js';
import { docsRoutes } from './routes/docs-routes.js';
import { publicRoutes } from './routes/public-routes.js';
import { supportRoutes } from './routes/support-routes.js';
import { accessibilityRoutes } from './routes/accessibility-routes.js';
import { previewRoutes } from './routes/preview-routes.js';
import { recipientRoutes } from './routes/recipient-routes.js';
import { selfServiceRoutes } from './routes/self-service-routes.js';
import { seriesRoutes } from './routes/series-routes.js';
import { subscriptionRoutes } from './routes/subscription-routes.js';
import { windowRoutes } from './routes/window-routes.js';

export interface HttpAppParts {
  /**
   * Server-rendered pages (the admin at /admin), mounted before the public routes and the
   * 404 handler and ahead of the queue dashboard. Built by the composition root from the
   * same dependencies, so this module never imports the pages.
   */
  pages?: Router | undefined;
}

/** The HTTP app; it parses, authorises, calls the application and replies, nothing more. */
export function createHttpApp(deps: AppDeps, parts: HttpAppParts = {}): Express {
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
    const { checks, overdueNotices, deliveries } = await deps.readiness();
    const ready = Object.values(checks).every(Boolean);
    // Overdue notices (workers down?) and deliveries failing or held by a dead worker do not
    // take the API out of rotation (it is not what is broken), but say so loudly.
    const troubled = overdueNotices > 0 || Object.values(deliveries).some((n) => n > 0);
    const status = !ready ? 'unavailable' : troubled ? 'degraded' : 'ready';
    res.status(ready ? 200 : 503).json({ status, checks, overdueNotices, deliveries });
  });
  const openApi = buildOpenApi(deps.version);
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use(docsRoutes());
  if (parts.pages) app.use(parts.pages);
  app.use(acknowledgementLinkRoutes(deps));
  app.use(subscriptionRoutes({ ...deps, policy: deps.rules.policy }));
  app.use(
    publicRoutes({ db: deps.db, policy: deps.rules.policy, publicBaseUrl: deps.publicBaseUrl, clock: deps.clock, cacheMs: deps.publicCacheMs ?? 1000 }),
  );
  app.use(supportRoutes({ policy: deps.rules.policy, clock: deps.clock }));
  app.use(accessibilityRoutes({ policy: deps.rules.policy, publicBaseUrl: deps.publicBaseUrl }));

  // Personal links: the link's token is the credential, so these sit outside the API's Bearer tokens.
  app.use(selfServiceRoutes({ db: deps.db, policy: deps.rules.policy, clock: deps.clock, onCommitted: deps.onCommitted, webhooks: deps.webhooks, linkSecret: deps.linkSecret, municipality: deps.rules.policy.municipality }));

  const authenticate = tokenAuthenticator(deps.tokens);
  // Guessing tokens is slowed down per client address; only failures count.
  const authFailures = authFailureLimiter({ limit: deps.authFailureLimit, failed: (status) => status === 401 });

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
  api.use(seriesRoutes(deps));
  api.use(disruptionRoutes(deps));
  api.use(recipientRoutes({ db: deps.db, policy: deps.rules.policy, clock: deps.clock, onCommitted: deps.onCommitted, webhooks: deps.webhooks }));
  api.use(complianceRoutes({ db: deps.db, policy: deps.rules.policy, clock: deps.clock }));
  api.use(deliveryRoutes({ db: deps.db, zone: deps.rules.policy.timezone }));
  api.use(acknowledgementApiRoutes(deps));
  api.use(previewRoutes({ db: deps.db, policy: deps.rules.policy, publicBaseUrl: deps.publicBaseUrl, templatesDir: deps.templatesDir }));
  app.use('/api', api);

  app.use(notFoundHandler);
  app.use(problemHandler(deps.logger));
  return app;
}
