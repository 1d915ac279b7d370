import { Router } from 'express';
import {
  addDisruptionUpdate,
  createDisruption,
  disruptionDetail,
  listDisruptions,
  type DisruptionCommandDeps,
} from '../../application/disruption-commands.js';
import { createDisruptionBody, disruptionIdParams, disruptionUpdateBody, listDisruptionsQuery } from '../api-schemas.js';
import { principalOf } from '../auth.js';
import { parseIdempotencyKey, parseInput, parseInstant } from '../validate.js';

/**
 * Disruptions (driftstörningar): `POST /disruptions` registers one and broadcasts it at once,
 * `POST /disruptions/:id/updates` adds a status, `GET` reads them. Writes need the admin role
 * (the API's token check), reads any token.
 */
export function disruptionRoutes(deps: DisruptionCommandDeps): Router {
  const router = Router();
  const zone = deps.rules.policy.timezone;
  const optionalInstant = (value: string | undefined) => (value === undefined ? undefined : parseInstant(value, zone).toJSDate());

  router.post('/disruptions', async (req, res) => {
    const body = parseInput(createDisruptionBody, req.body, 'body');
    const key = parseIdempotencyKey(req.get('idempotency-key'));
    const disruption = await createDisruption(deps, body, principalOf(req).actor, key);
    res.status(201).location(`/api/disruptions/${disruption.id}`).json(disruption);
  });

  router.get('/disruptions', async (req, res) => {
    const query = parseInput(listDisruptionsQuery, req.query, 'query');
    res.json({ items: await listDisruptions(deps, { from: optionalInstant(query.from), to: optionalInstant(query.to), statuses: query.status }) });
  });

  router.get('/disruptions/:id', async (req, res) => {
    const { id } = parseInput(disruptionIdParams, req.params, 'params');
    res.json(await disruptionDetail(deps, id));
  });

  router.post('/disruptions/:id/updates', async (req, res) => {
    const { id } = parseInput(disruptionIdParams, req.params, 'params');
    const body = parseInput(disruptionUpdateBody, req.body, 'body');
    res.json(await addDisruptionUpdate(deps, id, body, principalOf(req).actor));
  });

  return router;
}
