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
}

/** What the public page and feeds show now, and what they need to say since when. */
export interface PublishedWindows {
  /** Windows not yet ended, newest information first. */
  windows: PublishedWindow[];
  /** The end of the latest published window that has ended: the page changed then too. */
  lastEndedAt: Date | null;
}

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
    const publishedAt = new Date(Math.max(...reached.map((n) => (n.dispatched_at ?? n.due_at).getTime())));
    return [{ window, publishedAt, previous: previousTime(reached) }];
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

/** Everything the public page and feeds are made from, as of `now`. */
export async function loadPublishedWindows(db: Db, now: Date, policy: Policy): Promise<PublishedWindows> {
  const [windows, lastEndedAt] = await Promise.all([listPublishedWindows(db, now, policy), latestPublishedEnd(db, now, policy)]);
  return { windows, lastEndedAt };
}
