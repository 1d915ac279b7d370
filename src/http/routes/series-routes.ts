import { Router } from 'express';
import { cancelSeries, createSeries, moveSeries, seriesDetail } from '../../application/series-commands.js';
import type { WindowCommandDeps } from '../../application/window-commands.js';
import { cancelSeriesBody, createSeriesBody, moveSeriesBody } from '../api-schemas.js';
import { principalOf } from '../auth.js';
import { parseInput, parseInstant } from '../validate.js';
import { z } from 'zod';

const seriesParams = z.strictObject({ id: z.uuid('ska vara ett id för en serie (UUID)') });

/** Recurring series: one window per occurrence; one occurrence alone is changed as a window. */
export function seriesRoutes(deps: WindowCommandDeps): Router {
  const router = Router();
  const zone = deps.rules.policy.timezone;

  router.post('/series', async (req, res) => {
    const body = parseInput(createSeriesBody, req.body, 'body');
    const series = await createSeries(deps, body, principalOf(req).actor);
    if (body.dryRun) {
      res.status(200).json(series);
      return;
    }
    res.status(201).location(`/api/series/${series.id}`).json(series);
  });

  router.get('/series/:id', async (req, res) => {
    const { id } = parseInput(seriesParams, req.params, 'params');
    res.json(await seriesDetail(deps, id));
  });

  router.post('/series/:id/cancel', async (req, res) => {
    const { id } = parseInput(seriesParams, req.params, 'params');
    const body = parseInput(cancelSeriesBody, req.body, 'body');
    res.json(await cancelSeries(deps, id, body, principalOf(req).actor));
  });

  router.post('/series/:id/move', async (req, res) => {
    const { id } = parseInput(seriesParams, req.params, 'params');
    const body = parseInput(moveSeriesBody, req.body, 'body');
    const change = { ...body, start: parseInstant(body.start, zone), end: body.end === undefined ? undefined : parseInstant(body.end, zone) };
    res.json(await moveSeries(deps, id, change, principalOf(req).actor));
  });

  return router;
}
