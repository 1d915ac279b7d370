import { Router, type Response } from 'express';
import { previewNotice, previewPublicPage, windowPreviews } from '../application/preview.js';
import { NotFoundError } from '../errors.js';
import { NOTICE_KINDS } from '../messages/render-notice.js';
import { AUDIENCES } from '../policy/policy-schema.js';
import type { AdminContext } from './admin-context.js';
import { NOTICE_KIND, NOTICE_STATUS, audienceName } from './admin-labels.js';
import { sendPage, when } from './admin-views.js';
import { windowId, windowSummary } from './window-form-view.js';

/**
 * A rendered notice is shown in a sandboxed frame under its own policy: no script, no
 * requests, styles inline only, framed by this site alone. It is the message, not our page.
 */
const FRAMED_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

/** Every notice of a window as its audience will see it, rendered as the workers render it. */
export function previewPageRoutes(ctx: AdminContext): Router {
  const router = Router();
  const { policy } = ctx.deps.rules;
  const zone = policy.timezone;

  router.get('/admin/driftstopp/:id/forhandsgranska', ctx.signedIn, async (req, res) => {
    const { window: row, previews: planned } = await windowPreviews(ctx.app, windowId(req.params.id));
    const previews = planned.map(({ notice: n, rendered }) => {
      const base = `/admin/driftstopp/${row.id}/forhandsgranska`;
      return {
        anchor: `${n.audience}-${n.kind}`,
        heading: `${audienceName(policy, n.audience)}: ${NOTICE_KIND[n.kind]?.toLowerCase()}`,
        state: n.sent_at
          ? `Skickat ${when(n.sent_at, zone)}`
          : n.status === 'pending'
            ? `Ska gå ut ${when(n.due_at, zone)}`
            : `${NOTICE_STATUS[n.status] ?? n.status} (planerat ${when(n.due_at, zone)})`,
        isEmail: policy.audiences[n.audience].channel !== 'publication',
        subject: rendered.subject,
        text: rendered.text,
        htmlHref: `${base}/${n.audience}/${n.kind}`,
        publicPageHref: n.audience === 'public' ? `${base}/offentlig-sida` : null,
      };
    });
    sendPage(res, 'preview', ctx.frame(res, `Förhandsgranska ${row.title}`), {
      window: windowSummary(row, policy),
      previews,
    });
  });

  router.get('/admin/driftstopp/:id/forhandsgranska/offentlig-sida', ctx.signedIn, async (req, res) => {
    sendFramed(res, await previewPublicPage(ctx.app, windowId(req.params.id)));
  });

  router.get('/admin/driftstopp/:id/forhandsgranska/:audience/:kind', ctx.signedIn, async (req, res) => {
    const audience = AUDIENCES.find((a) => a === req.params.audience);
    const kind = NOTICE_KINDS.find((k) => k === req.params.kind);
    if (!audience || !kind) throw new NotFoundError('Ett sådant meddelande');
    sendFramed(res, (await previewNotice(ctx.app, windowId(req.params.id), audience, kind)).html);
  });

  return router;
}

function sendFramed(res: Response, html: string): void {
  res.set('Content-Security-Policy', FRAMED_CSP).set('Cache-Control', 'no-store').type('html').send(html);
}
