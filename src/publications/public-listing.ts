import { affectedSystems, affectedSystemsText } from '../rules/dependencies.js';
import { formatWhen } from '../messages/swedish-time.js';
import { swedishList, systemDetails, type SystemDetail } from '../messages/notice-window.js';
import { supportFor } from '../messages/support-lines.js';
import type { Policy } from '../policy/policy-schema.js';
import { publicUrl } from '../runtime/urls.js';
import type { WindowRow } from '../storage/schema.js';
import type { PublishedWindow, PublishedWindows } from './public-windows.js';

/** What the public is told about a window's state, in the page's words. */
export type PublicStatus = 'planned' | 'ongoing' | 'rescheduled' | 'cancelled';

export const STATUS_LABELS: Record<PublicStatus, string> = {
  planned: 'Planerat',
  ongoing: 'Pågår',
  rescheduled: 'Ändrad tid',
  cancelled: 'Inställt',
};

/** One window as the page and the feeds show it: facts in Swedish, decided once for all four. */
export interface PublicItem {
  window: WindowRow;
  publishedAt: Date;
  status: PublicStatus;
  statusLabel: string;
  systems: SystemDetail[];
  /** `Tes och CareApp` */
  systemNames: string;
  /** `Systemet` or `Systemen`, as many as the window names. */
  theSystems: string;
  /** `tisdag 30 mars 2027 kl. 09.00–12.00` */
  when: string;
  /** The time told before, for a window whose time has changed. */
  previousWhen: string | null;
  cancelReason: string | null;
  /** What units do while the systems are down; none for a cancelled window. */
  advice: string[];
}

export interface PublicListing {
  items: PublicItem[];
  /**
   * When what the page shows last changed: the newest publication or window change, a
   * window that started (it now reads "Pågår") or one that ended (it dropped off). Null
   * when nothing was ever published.
   */
  lastModified: Date | null;
  /** The instant the listing was decided for: the page answers "Vem ringer jag nu?" for it too. */
  at: Date;
}

/** The addresses of the page and its feeds under the service's public base URL. */
export interface PublicationUrls {
  page: string;
  ics: string;
  atom: string;
  json: string;
  /** The accessibility statement the page links to (DOS-lagen). */
  accessibility: string;
}

export const ACCESSIBILITY_PATH = '/public/tillganglighet';

export function publicationUrls(publicBaseUrl: string): PublicationUrls {
  const page = publicUrl(publicBaseUrl, '/public/driftstopp');
  return { page, ics: `${page}.ics`, atom: `${page}.atom`, json: `${page}.json`, accessibility: publicUrl(publicBaseUrl, ACCESSIBILITY_PATH) };
}

/** The anchor of a window on the page, so feeds can link straight to it. */
export function windowAnchor(windowId: string): string {
  return `driftstopp-${windowId}`;
}

/** Decides what each published window shows as of `now`. Pure: the same inputs, the same bytes. */
export function publicListing(published: PublishedWindows, policy: Policy, now: Date): PublicListing {
  const items = published.windows.map((entry) => publicItem(entry, policy, now));
  const instants = [
    published.lastEndedAt,
    ...items.flatMap((item) => [
      item.publishedAt,
      item.window.updated_at,
      item.window.start_at <= now ? item.window.start_at : null,
    ]),
  ].filter((instant): instant is Date => instant !== null && instant <= now);
  const latest = Math.max(...instants.map((instant) => instant.getTime()));
  return { items, lastModified: instants.length > 0 ? new Date(latest) : null, at: now };
}

function publicItem(entry: PublishedWindow, policy: Policy, now: Date): PublicItem {
  const { window, previous } = entry;
  const zone = policy.timezone;
  // A system that depends on one named is under maintenance too, and shown so.
  const systems = systemDetails(policy, affectedSystems(policy, window.systems));
  const moved =
    previous !== null &&
    (previous.start.getTime() !== window.start_at.getTime() || previous.end.getTime() !== window.end_at.getTime());
  const status = statusOf(window, moved, now);
  return {
    window,
    publishedAt: entry.publishedAt,
    status,
    statusLabel: STATUS_LABELS[status],
    systems,
    systemNames: affectedSystemsText(policy, window.systems),
    theSystems: systems.length > 1 ? 'Systemen' : 'Systemet',
    when: formatWhen(window.start_at, window.end_at, zone),
    previousWhen: moved && previous ? formatWhen(previous.start, previous.end, zone) : null,
    cancelReason: status === 'cancelled' ? window.cancel_reason?.trim() || null : null,
    advice: status === 'cancelled' ? [] : adviceFor(affectedSystems(policy, window.systems), policy),
  };
}

/**
 * Cancellation wins over everything; a window under way reads "Pågår" whatever its stored
 * status says (the clock decides, not a worker that may lag); a changed time is told as such
 * until the window starts.
 */
function statusOf(window: WindowRow, moved: boolean, now: Date): PublicStatus {
  if (window.status === 'cancelled') return 'cancelled';
  if (window.status === 'in_progress' || (window.start_at <= now && now < window.end_at)) return 'ongoing';
  return moved ? 'rescheduled' : 'planned';
}

/**
 * What the public is told to do: the lock-fault advice when the door locks are affected and
 * the policy marks it for the public. Never the staff's note on internal routines: the page,
 * the feeds and the JSON are read by citizens.
 */
function adviceFor(systems: readonly string[], policy: Policy): string[] {
  const lockFaults = supportFor(policy, 'public').lockFaults;
  return systems.includes('carelock') && lockFaults ? [lockFaults] : [];
}
