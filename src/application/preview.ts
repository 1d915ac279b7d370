import { noticesThatMatter } from '../compliance/compliance-report.js';
import { noticeWindowFromRow, publicPageUrlFor, renderNotice, type RenderedNotice } from '../messages/render-notice.js';
import { listNoticesOfWindows } from '../notices/notice-repository.js';
import { AUDIENCES, type Audience, type Policy } from '../policy/policy-schema.js';
import { publicListing, publicationUrls } from '../publications/public-listing.js';
import { renderPublicPage } from '../publications/public-page.js';
import type { NoticeKind } from '../rules/notice-plan.js';
import type { NoticeRow, WindowRow } from '../storage/schema.js';
import type { ApplicationDeps } from './app-deps.js';
import { requireWindow } from './window-queries.js';

/** A notice as its audience will read it. */
export interface NoticePreview extends RenderedNotice {
  audience: Audience;
  kind: NoticeKind;
}

/** The order a window's previews are listed in: by audience, then as the notices go out. */
const KIND_ORDER: readonly NoticeKind[] = ['announcement', 'reminder', 'update', 'cancellation'];

export interface PreviewDeps extends Pick<ApplicationDeps, 'db' | 'publicBaseUrl' | 'templatesDir'> {
  policy: Policy;
}

/**
 * One notice of a window, rendered by the same function and from the same inputs the
 * delivery worker uses, so the preview is the message. Without a kind: the announcement,
 * or the cancellation of a cancelled window.
 */
export async function previewNotice(deps: PreviewDeps, id: string, audience: Audience, kind?: NoticeKind): Promise<NoticePreview> {
  const window = await requireWindow(deps, id);
  const chosen = kind ?? (window.status === 'cancelled' ? 'cancellation' : 'announcement');
  const notices = await listNoticesOfWindows(deps.db, [id]);
  return { audience, kind: chosen, ...render(deps, window, notices, audience, chosen) };
}

export interface PlannedPreview {
  /** The notice as planned or sent: its due instant and status. */
  notice: NoticeRow;
  rendered: RenderedNotice;
}

/** Every notice of a window that matters now, one per audience and kind, each rendered. */
export async function windowPreviews(deps: PreviewDeps, id: string): Promise<{ window: WindowRow; previews: PlannedPreview[] }> {
  const window = await requireWindow(deps, id);
  const notices = await listNoticesOfWindows(deps.db, [id]);
  const seen = new Set<string>();
  const previews = noticesThatMatter(window, notices)
    .filter((n) => !seen.has(`${n.audience}.${n.kind}`) && seen.add(`${n.audience}.${n.kind}`))
    .sort((a, b) => AUDIENCES.indexOf(a.audience) - AUDIENCES.indexOf(b.audience) || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind))
    .map((notice) => ({ notice, rendered: render(deps, window, notices, notice.audience, notice.kind) }));
  return { window, previews };
}

/** The public page as it will list this window once its public notice has gone out. */
export async function previewPublicPage(deps: PreviewDeps & Pick<ApplicationDeps, 'clock'>, id: string): Promise<string> {
  const window = await requireWindow(deps, id);
  const notices = await listNoticesOfWindows(deps.db, [id]);
  const now = deps.clock().toJSDate();
  const previous = previousTime(notices, 'public') ?? null;
  const { policy } = deps;
  const listing = publicListing({ windows: [{ window, publishedAt: now, previous }], lastEndedAt: null }, policy, now);
  return renderPublicPage({ listing, policy, urls: publicationUrls(deps.publicBaseUrl) });
}

function render(deps: PreviewDeps, window: WindowRow, notices: readonly NoticeRow[], audience: Audience, kind: NoticeKind): RenderedNotice {
  return renderNotice({
    policy: deps.policy,
    window: noticeWindowFromRow(window),
    audience,
    kind,
    previous: kind === 'update' ? previousTime(notices, audience) : undefined,
    publicPageUrl: publicPageUrlFor(deps.publicBaseUrl),
    templatesDir: deps.templatesDir,
    // As the worker renders it: a late notice of a short-notice window says so first.
    late: notices.some((n) => n.audience === audience && n.kind === kind && n.late && !n.catch_up),
  });
}

/**
 * The time an update tells as "before": the one recorded on the audience's latest update
 * notice, as the worker will send it. Without one (no change yet), the preview has none.
 */
function previousTime(notices: readonly NoticeRow[], audience: Audience): { start: Date; end: Date } | undefined {
  const latest = notices
    .filter((n) => n.audience === audience && n.kind === 'update' && n.previous_start_at && n.previous_end_at)
    .sort((a, b) => b.revision - a.revision || b.created_at.getTime() - a.created_at.getTime())[0];
  return latest?.previous_start_at && latest.previous_end_at ? { start: latest.previous_start_at, end: latest.previous_end_at } : undefined;
}
