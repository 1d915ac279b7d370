import { Router } from 'express';
import { z } from 'zod';
import { NotFoundError } from '../../errors.js';
import { noticeWindowFromRow } from '../../messages/notice-window.js';
import { NOTICE_KINDS, publicPageUrlFor, renderNotice } from '../../messages/render-notice.js';
import { listNoticesOfWindows } from '../../notices/notice-repository.js';
import { audienceSchema, type Audience, type Policy } from '../../policy/policy-schema.js';
import type { NoticeKind } from '../../rules/notice-plan.js';
import type { Db } from '../../storage/database.js';
import type { WindowRow } from '../../storage/schema.js';
import { findWindow } from '../../windows/window-repository.js';
import { parseInput } from '../validate.js';

/** Path of `GET /windows/:id/preview/:audience`; exported with the schemas for /openapi.json. */
export const previewParams = z.strictObject({
  id: z.uuid('must be a window id (UUID)'),
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
export type NoticePreview = z.infer<typeof previewSchema>;

export interface PreviewDeps {
  db: Db;
  policy: Policy;
  /** The service's public address; the texts link to its public page. */
  publicBaseUrl: string;
}

/**
 * Lets an administrator read a notice before it goes out, rendered by the same function
 * and from the same inputs the delivery worker uses, so the preview is the message.
 */
export function previewRoutes(deps: PreviewDeps): Router {
  const router = Router();

  router.get('/windows/:id/preview/:audience', async (req, res) => {
    const { id, audience } = parseInput(previewParams, req.params, 'params');
    const query = parseInput(previewQuery, req.query, 'query');
    const row = await findWindow(deps.db, id);
    if (!row) throw new NotFoundError(`Driftstoppet ${id}`);
    const kind: NoticeKind = query.kind ?? (row.status === 'cancelled' ? 'cancellation' : 'announcement');
    const previous = kind === 'update' ? await previousTime(deps.db, row, audience) : undefined;
    const rendered = renderNotice({
      policy: deps.policy,
      window: noticeWindowFromRow(row),
      audience,
      kind,
      previous,
      publicPageUrl: publicPageUrlFor(deps.publicBaseUrl),
    });
    const preview: NoticePreview = { audience, kind, ...rendered };
    res.json(preview);
  });

  return router;
}

/**
 * The time an update tells as "before": the one recorded on the audience's latest update
 * notice, as the worker will send it. Without one (no change yet), the preview has none.
 */
async function previousTime(db: Db, window: WindowRow, audience: Audience): Promise<{ start: Date; end: Date } | undefined> {
  const updates = (await listNoticesOfWindows(db, [window.id])).filter(
    (notice) => notice.audience === audience && notice.kind === 'update' && notice.previous_start_at && notice.previous_end_at,
  );
  const latest = updates.sort((a, b) => b.revision - a.revision || b.created_at.getTime() - a.created_at.getTime())[0];
  return latest?.previous_start_at && latest.previous_end_at
    ? { start: latest.previous_start_at, end: latest.previous_end_at }
    : undefined;
}
