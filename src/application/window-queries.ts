import type { DateTime } from 'luxon';
import { noticesThatMatter } from '../compliance/compliance-report.js';
import { NotFoundError } from '../errors.js';
import { listNoticesOfWindows } from '../notices/notice-repository.js';
import type { Policy } from '../policy/policy-schema.js';
import { publicListing, type PublicListing } from '../publications/public-listing.js';
import { loadPublishedDisruptions } from '../publications/public-disruptions.js';
import { historySince, loadPublishedWindows } from '../publications/public-windows.js';
import { nextMinorSlots, type Slot } from '../rules/slots.js';
import type { NoticeRow, WindowRow } from '../storage/schema.js';
import { findWindow, listTakenWindows, pageWindows, type WindowFilter, type WindowListKind, type WindowSortKey } from '../windows/window-repository.js';
import { getWindow, listWindowViews, takenWindow } from '../windows/window-service.js';
import type { WindowView } from '../windows/window-view.js';
import type { ApplicationDeps } from './app-deps.js';

export type { WindowFilter, WindowListKind, WindowSortKey };

/** The window with this id, or the one not-found every adapter answers with. */
export async function requireWindow(deps: Pick<ApplicationDeps, 'db'>, id: string): Promise<WindowRow> {
  const row = await findWindow(deps.db, id);
  if (!row) throw new NotFoundError(`Driftstoppet ${id}`);
  return row;
}

/** One window with its notices, as the API shows it. */
export async function windowDetail(deps: Pick<ApplicationDeps, 'db' | 'rules'>, id: string): Promise<WindowView> {
  return getWindow(deps.db, id, deps.rules.policy.timezone);
}

/** The windows a filter selects, each with its notices. */
export async function listWindows(deps: Pick<ApplicationDeps, 'db' | 'rules'>, filter: WindowFilter): Promise<WindowView[]> {
  return listWindowViews(deps.db, filter, deps.rules.policy.timezone);
}

export interface WindowPlan {
  window: WindowRow;
  /** The notices that matter now: those of the current revision and what already went out. */
  notices: NoticeRow[];
}

/** A window and its notice plan, for the pages that show what goes out and when. */
export async function windowPlan(deps: Pick<ApplicationDeps, 'db'>, id: string): Promise<WindowPlan> {
  const window = await requireWindow(deps, id);
  return { window, notices: noticesThatMatter(window, await listNoticesOfWindows(deps.db, [id])) };
}

/**
 * The next compliant minor-upgrade slots from `from` (default now) that are free on
 * `systems` (default: on every system). The rule book decides; this supplies the clock and
 * the windows holding their time, so the API's list and the admin's offers are the same
 * slots. A page that shows other things as of one instant passes that instant as `now`.
 */
export async function compliantSlots(
  deps: Pick<ApplicationDeps, 'db' | 'rules' | 'clock'>,
  count: number,
  options: { from?: DateTime | undefined; now?: DateTime | undefined; systems?: readonly string[] | undefined } = {},
): Promise<Slot[]> {
  const now = options.now ?? deps.clock();
  const taken = (await listTakenWindows(deps.db, now.toJSDate())).map((row) => takenWindow(deps.rules, row));
  return nextMinorSlots(deps.rules, options.from ?? now, count, now, { systems: options.systems, taken });
}

/** What the public page and feeds are made of: the database and the policy's words. */
export interface PublicationDeps extends Pick<ApplicationDeps, 'db'> {
  policy: Policy;
}

/**
 * The public listing at `now`: the windows whose public notice has gone out and the
 * disruptions, with the history period behind them, as the page, its three feeds and the
 * Statuspage-compatible status show them. The caller passes `now` so one read answers every format.
 */
export async function publishedListing(deps: PublicationDeps, now: Date): Promise<PublicListing> {
  const [windows, disruptions] = await Promise.all([
    loadPublishedWindows(deps.db, now, deps.policy),
    loadPublishedDisruptions(deps.db, historySince(now), now),
  ]);
  return publicListing(windows, deps.policy, now, disruptions);
}

export interface WindowListQuery {
  list: WindowListKind;
  /** What a person typed: part of a title, or of a system's name or id. */
  search: string;
  sort: WindowSortKey;
  descending: boolean;
  /** 1-based. */
  page: number;
  pageSize: number;
}

/**
 * One page of the admin's upcoming, running or finished windows. A search matches a title, or
 * any system whose name or id contains it ("tes" finds the windows on Tes).
 */
export async function windowListPage(
  deps: Pick<ApplicationDeps, 'db' | 'rules'>,
  query: WindowListQuery,
  now: Date,
): Promise<{ rows: WindowRow[]; total: number }> {
  const text = query.search.trim().toLowerCase();
  const systemIds = Object.entries(deps.rules.policy.systems)
    .filter(([id, system]) => text && (id.includes(text) || system.displayName.toLowerCase().includes(text)))
    .map(([id]) => id);
  return pageWindows(deps.db, {
    list: query.list,
    now,
    search: text ? { text, systemIds } : undefined,
    sort: query.sort,
    descending: query.descending,
    offset: (query.page - 1) * query.pageSize,
    limit: query.pageSize,
  });
}
