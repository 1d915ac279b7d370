import { Router } from 'express';
import { z } from 'zod';
import { previewNotice, type PreviewDeps } from '../../application/preview.js';
import { NOTICE_KINDS } from '../../messages/render-notice.js';
import { audienceSchema } from '../../policy/policy-schema.js';
import { parseInput } from '../validate.js';

/** Path of `GET /windows/:id/preview/:audience`; exported with the schemas for /openapi.json. */
export const previewParams = z.strictObject({
  id: z.uuid('ska vara ett driftstopps id (UUID)'),
  audience: audienceSchema,
});

export const previewQuery = z.strictObject({
  kind: z
    .enum(NOTICE_KINDS)
    .optional()
    .describe('Which notice to render; the announcement, or the cancellation for a cancelled window'),
});

export const previewSchema = z.object({
  audience: audienceSchema,
  kind: z.enum(NOTICE_KINDS),
  subject: z.string(),
  html: z.string(),
  text: z.string(),
});
type NoticePreview = z.infer<typeof previewSchema>;

/**
 * Lets an administrator read a notice before it goes out, exactly as the delivery worker
 * will render it (see `previewNotice`).
 */
export function previewRoutes(deps: PreviewDeps): Router {
  const router = Router();

  router.get('/windows/:id/preview/:audience', async (req, res) => {
    const { id, audience } = parseInput(previewParams, req.params, 'params');
    const query = parseInput(previewQuery, req.query, 'query');
    const preview: NoticePreview = await previewNotice(deps, id, audience, query.kind);
    res.json(preview);
  });

  return router;
}
