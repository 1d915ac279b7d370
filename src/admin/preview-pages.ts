import { Router, type Response } from 'express';
import { noticesThatMatter } from '../compliance/compliance-report.js';
import { AppError } from '../errors.js';
import { noticeWindowFromRow, publicPageUrlFor, renderNotice, type RenderedNotice } from '../messages/render-notice.js';
import { listNoticesOfWindows } from '../notices/notice-repository.js';
import { AUDIENCES, type Audience } from '../policy/policy-schema.js';
import { publicListing, publicationUrls } from '../publications/public-listing.js';
import { renderPublicPage } from '../publications/public-page.js';
import type { NoticeKind } from '../rules/notice-plan.js';
import type { NoticeRow, WindowRow } from '../storage/schema.js';
import { findWindow } from '../windows/window-repository.js';
import type { AdminContext } from './admin-context.js';
import { NOTICE_KIND, NOTICE_STATUS, audienceName } from './admin-labels.js';
import { sendPage, when } from './admin-views.js';
import { windowId, windowSummary } from './window-form-view.js';

const KINDS: readonly NoticeKind[] = ['announcement', 'reminder', 'update', 'cancellation'];

/**
 * A rendered notice is shown in a sandboxed frame under its own policy: no script, no
 * requests, styles inline only, framed by this site alone. It is the message, not our page.
 */
const FRAMED_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

/** Every notice of a window as its audience will see it, rendered as the workers render it. */
export function previewPageRoutes(ctx: AdminContext): Router {
  const router = Router();
  const { db, rules, publicBaseUrl, clock } = ctx.deps;
  const { policy } = rules;
  const zone = policy.timezone;

  const load = async (id: unknown) => {
    const row = await findWindow(db, windowId(id));
    if (!row) throw new AppError('not_found', 404, 'Driftstoppet finns inte.');
    return { row, notices: await listNoticesOfWindows(db, [row.id]) };
  };

  const render = (row: WindowRow, notices: readonly NoticeRow[], audience: Audience, kind: NoticeKind): RenderedNotice =>
    renderNotice({
      policy,
      window: noticeWindowFromRow(row),
      audience,
      kind,
      previous: kind === 'update' ? previousTime(notices, audience) : undefined,
      publicPageUrl: publicPageUrlFor(publicBaseUrl),
    });

  router.get('/admin/driftstopp/:id/forhandsgranska', ctx.signedIn, async (req, res) => {
    const { row, notices } = await load(req.params.id);
    const seen = new Set<string>();
    const previews = noticesThatMatter(row, notices)
      .filter((n) => !seen.has(`${n.audience}.${n.kind}`) && seen.add(`${n.audience}.${n.kind}`))
      .sort((a, b) => AUDIENCES.indexOf(a.audience) - AUDIENCES.indexOf(b.audience) || KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind))
      .map((n) => {
        const rendered = render(row, notices, n.audience, n.kind);
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
    const { row, notices } = await load(req.params.id);
    const now = clock().toJSDate();
    const previous = previousTime(notices, 'public') ?? null;
    const listing = publicListing({ windows: [{ window: row, publishedAt: now, previous }], lastEndedAt: null }, policy, now);
    sendFramed(res, renderPublicPage({ listing, policy, urls: publicationUrls(publicBaseUrl) }));
  });

  router.get('/admin/driftstopp/:id/forhandsgranska/:audience/:kind', ctx.signedIn, async (req, res) => {
    const audience = AUDIENCES.find((a) => a === req.params.audience);
    const kind = KINDS.find((k) => k === req.params.kind);
    if (!audience || !kind) throw new AppError('not_found', 404, 'Det finns inget sådant meddelande.');
    const { row, notices } = await load(req.params.id);
    sendFramed(res, render(row, notices, audience, kind).html);
  });

  return router;
}

function sendFramed(res: Response, html: string): void {
  res.set('Content-Security-Policy', FRAMED_CSP).set('Cache-Control', 'no-store').type('html').send(html);
}

/** The time an update tells as "before": the one recorded on the audience's latest update, as the worker sends it. */
function previousTime(notices: readonly NoticeRow[], audience: Audience): { start: Date; end: Date } | undefined {
  const latest = notices
    .filter((n) => n.audience === audience && n.kind === 'update' && n.previous_start_at && n.previous_end_at)
    .sort((a, b) => b.revision - a.revision || b.created_at.getTime() - a.created_at.getTime())[0];
  return latest?.previous_start_at && latest.previous_end_at ? { start: latest.previous_start_at, end: latest.previous_end_at } : undefined;
}
