import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import { Router, type RequestHandler } from 'express';
import { AppError } from '../errors.js';
import { isSameOrigin, type SiteOptions } from './auth.js';

export const DASHBOARD_PATH = '/admin/queues';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The dashboard is behind Basic auth, which a browser sends on its own with any request to
 * the site, so a page elsewhere could post "add job", "retry all" or "clean" with the
 * admin's credentials. A write whose Origin or Sec-Fetch-Site names another site (or a
 * sibling subdomain) is refused, with the admin forms' own check. A request that carries
 * neither header is not from a browser's cross-site fetch or form (browsers send Origin on
 * every cross-origin POST), so curl and scripts with the credentials keep working.
 */
export function refuseCrossSiteWrites(options: SiteOptions): RequestHandler {
  return (req, _res, next) => {
    if (READS.has(req.method) || isSameOrigin(req, options)) {
      next();
      return;
    }
    throw new AppError('cross_site_request', 403, 'Ändringar i köernas översikt måste göras från översikten själv, inte från en annan webbplats.');
  };
}

/** The BullMQ dashboard (bull-board); mount behind the admin check. */
export function queueDashboard(queues: readonly Queue[], options: SiteOptions): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter, options: { uiConfig: { boardTitle: 'driftstopp' } } });
  const router = Router();
  router.use(refuseCrossSiteWrites(options), serverAdapter.getRouter() as Router);
  return router;
}
