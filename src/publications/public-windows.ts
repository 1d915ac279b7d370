import { deliveryFactsOfWindows } from '../delivery/delivery-repository.js';
import { listNoticesOfWindows } from '../notices/notice-repository.js';
import type { Policy } from '../policy/policy-schema.js';
import { publicationAudiences, whoWasTold, WEBHOOK_KEY } from '../rules/told.js';
import type { Db } from '../storage/database.js';
import type { NoticeRow, WindowRow } from '../storage/schema.js';
import { listWindowsWithDispatchedNotice } from '../windows/window-repository.js';

/** A window whose public notice has gone out, with what the public was told and when. */
export interface PublishedWindow {
  window: WindowRow;
  /** The latest instant a public notice of this window went out. */
  publishedAt: Date;
  /** The time the public was told before the latest published change, when there was one. */
  previous: { start: Date; end: Date } | null;
  /**
   * What the public was told of it, oldest first: each public notice that reached it, with
   * the instant it went out and the time it told. A Statuspage client reads these as the
   * maintenance's updates.
   */
  told?: PublicNoticeFact[];
}

/** One public notice as the public received it. */
export interface PublicNoticeFact {
  id: string;
  kind: NoticeRow['kind'];
  /** The fan-out instant, as `publishedAt`. */
  at: Date;
  /** The window's time this notice told; null for a cancellation. */
  start: Date | null;
  end: Date | null;
}

/** What the public page and feeds show now, and what they need to say since when. */
export interface PublishedWindows {
  /** Windows not yet ended, newest information first. */
  windows: PublishedWindow[];
  /** The end of the latest published window that has ended: the page changed then too. */
  lastEndedAt: Date | null;
  /**
   * Published windows that ended within the history period before `now`, latest end first.
   * Absent where only the present matters (a preview).
   */
  history?: PublishedWindow[];
  /** When the latest window fell out of the history period: the page changed then too. */
  lastDroppedAt?: Date | null;
}

/** How far back the page and the status API show what happened. */
export const HISTORY_DAYS = 90;

/** Ended windows read at a time while looking for the latest one published. */
const ENDED_PAGE = 50;

/**
 * The public counts as told of a window as the told rule says (src/rules/told.ts): once a
 * public notice reached orebro.se's CMS (answered 2xx), or, without a CMS endpoint, once it
 * went out on the feeds. Only then do the page and feeds show it, cancelled ones included.
 */
async function published(db: Db, windows: readonly WindowRow[], policy: Policy): Promise<PublishedWindow[]> {
  const ids = windows.map((w) => w.id);
  const notices = (await listNoticesOfWindows(db, ids)).filter((n) => n.audience === 'public');
  // The page and feeds follow the publication (the CMS endpoint, or the feeds alone), not the e-mails to subscribers.
  const facts = (await deliveryFactsOfWindows(db, ids, 'public')).filter((f) => f.recipient_key === WEBHOOK_KEY);
  const publications = publicationAudiences(policy);
  return windows.flatMap((window) => {
    const own = notices.filter((n) => n.window_id === window.id);
    const ownIds = new Set(own.map((n) => n.id));
    const told = whoWasTold(own, facts.filter((f) => ownIds.has(f.notice_id)), publications).get('public')!;
    if (told.told.size === 0) return [];
    const reached = own.filter((n) => told.reachedNotices.has(n.id));
    // The fan-out instant: what the webhook body calls `publishedAt`; it does not move when the notice settles.
    const publishedAt = new Date(Math.max(...reached.map((n) => wentOutAt(n).getTime())));
    return [{ window, publishedAt, previous: previousTime(reached), told: toldTimes(window, reached) }];
  });
}

function wentOutAt(notice: NoticeRow): Date {
  return notice.dispatched_at ?? notice.due_at;
}

/**
 * Each notice that reached the public, oldest first, with the time it told. An update names
 * the time it replaced, so the time told at one revision is the one the next update replaced,
 * and the window's own time for the latest.
 */
function toldTimes(window: WindowRow, reached: readonly NoticeRow[]): PublicNoticeFact[] {
  const ordered = [...reached].sort((a, b) => wentOutAt(a).getTime() - wentOutAt(b).getTime() || a.revision - b.revision);
  return ordered.map((notice, index) => {
    if (notice.kind === 'cancellation') return { id: notice.id, kind: notice.kind, at: wentOutAt(notice), start: null, end: null };
    const replacedLater = ordered.slice(index + 1).find((n) => n.kind === 'update' && n.previous_start_at && n.previous_end_at);
    return {
      id: notice.id,
      kind: notice.kind,
      at: wentOutAt(notice),
      start: replacedLater ? replacedLater.previous_start_at! : window.start_at,
      end: replacedLater ? replacedLater.previous_end_at! : window.end_at,
    };
  });
}

/** The time the latest published change replaced. */
function previousTime(reached: readonly NoticeRow[]): PublishedWindow['previous'] {
  const update = reached
    .filter((n) => n.kind === 'update' && n.previous_start_at && n.previous_end_at)
    .sort((a, b) => b.revision - a.revision || b.created_at.getTime() - a.created_at.getTime())[0];
  return update ? { start: update.previous_start_at!, end: update.previous_end_at! } : null;
}

/** Windows that have not ended and whose public notice has gone out, newest publication first. */
export async function listPublishedWindows(db: Db, now: Date, policy: Policy): Promise<PublishedWindow[]> {
  const windows = await published(db, await listWindowsWithDispatchedNotice(db, 'public', { endAfter: now }), policy);
  return windows.sort(
    (a, b) =>
      b.publishedAt.getTime() - a.publishedAt.getTime() ||
      a.window.start_at.getTime() - b.window.start_at.getTime() ||
      a.window.id.localeCompare(b.window.id),
  );
}

/**
 * The end of the latest published window that has ended by `now`. When a window drops off
 * the page the page changes without any new notice; Last-Modified must still move forward.
 * Read backwards by `end_at`, a page at a time, stopping at the first published window.
 */
export async function latestPublishedEnd(db: Db, now: Date, policy: Policy): Promise<Date | null> {
  for (let offset = 0; ; offset += ENDED_PAGE) {
    const ended = await listWindowsWithDispatchedNotice(db, 'public', { endedBy: now, limit: ENDED_PAGE, offset });
    const first = (await published(db, ended, policy))[0];
    if (first) return first.window.end_at;
    if (ended.length < ENDED_PAGE) return null;
  }
}

/** Published windows that ended after `since` and by `now`, latest end first. */
export async function listPublishedHistory(db: Db, since: Date, now: Date, policy: Policy): Promise<PublishedWindow[]> {
  const history: PublishedWindow[] = [];
  for (let offset = 0; ; offset += ENDED_PAGE) {
    const ended = await listWindowsWithDispatchedNotice(db, 'public', { endedBy: now, limit: ENDED_PAGE, offset });
    const recent = ended.filter((w) => w.end_at > since);
    history.push(...(await published(db, recent, policy)));
    if (ended.length < ENDED_PAGE || recent.length < ended.length) return history;
  }
}

/** The start of the history period that ends at `now`. */
export function historySince(now: Date): Date {
  return new Date(now.getTime() - HISTORY_DAYS * 24 * 60 * 60 * 1000);
}

/** Everything the public page and feeds are made from, as of `now`. */
export async function loadPublishedWindows(db: Db, now: Date, policy: Policy): Promise<PublishedWindows> {
  const since = historySince(now);
  const [windows, lastEndedAt, history, lastDroppedEnd] = await Promise.all([
    listPublishedWindows(db, now, policy),
    latestPublishedEnd(db, now, policy),
    listPublishedHistory(db, since, now, policy),
    latestPublishedEnd(db, since, policy),
  ]);
  const lastDroppedAt = lastDroppedEnd ? new Date(lastDroppedEnd.getTime() + (now.getTime() - since.getTime())) : null;
  return { windows, lastEndedAt, history, lastDroppedAt };
}
