import { Router } from 'express';
import type { AppDeps } from '../../application/app-deps.js';
import { cancelWindow, changeWindow, createWindow, type WindowCommandDeps } from '../../application/window-commands.js';
import { compliantSlots, listWindows, windowDetail } from '../../application/window-queries.js';
import { formatInstant } from '../../windows/window-view.js';
import {
  cancelWindowBody,
  createWindowBody,
  idParams,
  listWindowsQuery,
  patchWindowBody,
  slotsQuery,
} from '../api-schemas.js';
import { principalOf } from '../auth.js';
import { parseIdempotencyKey, parseInput, parseInstant } from '../validate.js';
import { versionCache } from '../version-cache.js';
import { strongEtag } from './public-routes.js';

export interface WindowRoutesDeps extends WindowCommandDeps {
  /** When given, the list is rendered once per change of the register rather than per request. */
  registerChanges?: AppDeps['registerChanges'];
}

export function windowRoutes(deps: WindowRoutesDeps): Router {
  const router = Router();
  const cachedList = versionCache<{ body: Buffer; etag: string }>(() => deps.registerChanges?.version() ?? null);
  const zone = deps.rules.policy.timezone;
  const instant = (value: string) => parseInstant(value, zone);
  const optionalInstant = (value: string | undefined) => (value === undefined ? undefined : instant(value));

  router.post('/windows', async (req, res) => {
    const body = parseInput(createWindowBody, req.body, 'body');
    const key = parseIdempotencyKey(req.get('idempotency-key'));
    const window = await createWindow(
      deps,
      { ...body, start: instant(body.start), end: instant(body.end) },
      principalOf(req).actor,
      key,
    );
    res.status(201).location(`/api/windows/${window.id}`).json(window);
  });

  router.get('/windows', async (req, res) => {
    const query = parseInput(listWindowsQuery, req.query, 'query');
    const filter = { from: optionalInstant(query.from)?.toJSDate(), to: optionalInstant(query.to)?.toJSDate(), status: query.status };
    const { body, etag } = await cachedList(JSON.stringify(filter), async () => {
      const json = Buffer.from(JSON.stringify({ items: await listWindows(deps, filter) }));
      return { body: json, etag: strongEtag(json) };
    });
    // With the tag set, Express neither hashes the body again nor forgets to answer 304.
    res.set('ETag', etag).type('json').send(body);
  });

  router.get('/windows/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'params');
    res.json(await windowDetail(deps, id));
  });

  router.patch('/windows/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const body = parseInput(patchWindowBody, req.body, 'body');
    const changes = { ...body, start: optionalInstant(body.start), end: optionalInstant(body.end) };
    res.json(await changeWindow(deps, id, changes, principalOf(req).actor));
  });

  router.post('/windows/:id/cancel', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const { reason } = parseInput(cancelWindowBody, req.body, 'body');
    res.json(await cancelWindow(deps, id, reason, principalOf(req).actor));
  });

  router.get('/slots', async (req, res) => {
    const query = parseInput(slotsQuery, req.query, 'query');
    const slots = await compliantSlots(deps, query.count, { from: optionalInstant(query.from), systems: query.systems });
    res.json({
      items: slots.map((slot) => ({
        start: formatInstant(slot.start.toJSDate(), zone),
        end: formatInstant(slot.end.toJSDate(), zone),
      })),
    });
  });

  return router;
}
