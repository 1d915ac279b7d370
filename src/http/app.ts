import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { ApiToken } from '../config.js';
import type { WindowServiceDeps } from '../windows/window-service.js';
import { requireAdminForWrites, requireToken, tokenAuthenticator } from './auth.js';
import { buildOpenApi } from './openapi.js';
import { notFoundHandler, problemHandler } from './problem.js';
import { docsRoutes } from './routes/docs-routes.js';
import { deliveryRoutes } from './routes/delivery-routes.js';
import { previewRoutes } from './routes/preview-routes.js';
import { recipientRoutes } from './routes/recipient-routes.js';
import { windowRoutes } from './routes/window-routes.js';

export interface AppDeps extends WindowServiceDeps {
  tokens: readonly ApiToken[];
  logger: Logger;
  /** Each dependency the service needs to do its work, and whether it answers now. */
  readiness: () => Promise<Record<string, boolean>>;
  version: string;
  /** Where this service is reached from outside; links in messages point here. */
  publicBaseUrl: string;
}

/** The HTTP app; it parses, authorises, calls the domain and replies, nothing more. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(express.json({ limit: '100kb', type: ['application/json', 'application/*+json'] }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const checks = await deps.readiness();
    const ready = Object.values(checks).every(Boolean);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks });
  });
  const openApi = buildOpenApi(deps.version);
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });

  app.use(docsRoutes());

  const api = express.Router();
  api.use(requireToken(tokenAuthenticator(deps.tokens)), requireAdminForWrites);
  api.use(windowRoutes(deps));
  api.use(recipientRoutes({ db: deps.db, policy: deps.rules.policy, clock: deps.clock }));
  api.use(deliveryRoutes({ db: deps.db, zone: deps.rules.policy.timezone }));
  api.use(previewRoutes({ db: deps.db, policy: deps.rules.policy, publicBaseUrl: deps.publicBaseUrl }));
  app.use('/api', api);

  app.use(notFoundHandler);
  app.use(problemHandler(deps.logger));
  return app;
}
