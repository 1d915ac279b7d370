import { affectedSystems, affectedSystemsText } from '../rules/dependencies.js';
import { formatDateTime, formatWhen } from '../messages/swedish-time.js';
import { swedishList, systemDetails, type SystemDetail } from '../messages/notice-window.js';
import { supportFor } from '../messages/support-lines.js';
import type { Policy } from '../policy/policy-schema.js';
import { publicUrl } from '../runtime/urls.js';
import type { WindowRow } from '../storage/schema.js';
import { DISRUPTION_STATUS_LABELS, type DisruptionStatus } from '../rules/disruption-status.js';
import type { PublishedDisruption } from './public-disruptions.js';
import type { PublicNoticeFact, PublishedWindow, PublishedWindows } from './public-windows.js';
import { systemStates, type SystemState } from './system-status.js';

/** What the public is told about a window's state, in the page's words. */
export type PublicStatus = 'planned' | 'ongoing' | 'rescheduled' | 'cancelled' | 'completed';

export const STATUS_LABELS: Record<PublicStatus, string> = {
  planned: 'Planerat',
  ongoing: 'Pågår',
  rescheduled: 'Ändrad tid',
  cancelled: 'Inställt',
  completed: 'Genomfört',
};

/** One window as the page and the feeds show it: facts in Swedish, decided once for all four. */
export interface PublicItem {
  window: WindowRow;
  publishedAt: Date;
  /** The public notices that reached the public, oldest first. */
  told: PublicNoticeFact[];
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

/** One disruption as the page and the feeds show it. */
export interface DisruptionItem {
  disruption: PublishedDisruption;
  /** Unresolved as of `now`. */
  current: boolean;
  statusLabel: string;
  systems: SystemDetail[];
  /** `Tes (och därmed CareApp)` */
  systemNames: string;
  /** `tisdag 30 mars 2027 kl. 19.30` */
  since: string;
  /** `tisdag 30 mars 2027 kl. 19.30–21.00` once resolved, else `sedan tisdag 30 mars 2027 kl. 19.30`. */
  when: string;
  /** When it was resolved, by `now`. */
  resolvedAt: Date | null;
  resolved: string | null;
  /** Those told by `now`, newest first, as a reader wants them. */
  updates: { id: string; status: DisruptionStatus; statusLabel: string; message: string; at: Date; when: string }[];
}

export interface PublicListing {
  /** Published windows that have not ended. */
  items: PublicItem[];
  /** Published windows that ended within the history period, latest end first. */
  history: PublicItem[];
  /** Disruptions told by `now`: unresolved first, then those resolved within the history period, newest first. */
  disruptions: DisruptionItem[];
  /** Every system of the policy with its state now. */
  systems: SystemState[];
  /**
   * When what the page shows last changed: the newest publication or window change, a
   * window that started (it now reads "Pågår") or one that ended (it dropped off), a
   * disruption's update. Null when nothing was ever published.
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

/** The anchor of a disruption on the page, so feeds and the status API can link straight to it. */
export function disruptionAnchor(disruptionId: string): string {
  return `driftstorning-${disruptionId}`;
}

/** Decides what each published window and disruption shows as of `now`. Pure: the same inputs, the same bytes. */
export function publicListing(
  published: PublishedWindows,
  policy: Policy,
  now: Date,
  disruptions: readonly PublishedDisruption[] = [],
): PublicListing {
  const items = published.windows.map((entry) => publicItem(entry, policy, now));
  const history = (published.history ?? []).map((entry) => publicItem(entry, policy, now));
  const told = disruptions.filter((d) => d.createdAt <= now);
  const disruptionItems = told.map((d) => disruptionItem(d, policy, now)).sort(
    (a, b) => Number(b.current) - Number(a.current) || b.disruption.createdAt.getTime() - a.disruption.createdAt.getTime(),
  );
  const spans = [...items, ...history].map((item) => ({
    systems: item.window.systems,
    start: item.window.start_at,
    end: item.window.end_at,
    cancelled: item.status === 'cancelled',
  }));
  const instants = [
    published.lastEndedAt,
    published.lastDroppedAt ?? null,
    ...items.flatMap((item) => [
      item.publishedAt,
      item.window.updated_at,
      item.window.start_at <= now ? item.window.start_at : null,
    ]),
    ...told.flatMap((d) => d.updates.map((update) => update.at)),
    // The calendar runs an unresolved disruption to the next full hour: it moved at this one.
    disruptionItems.some((d) => d.current) ? startOfHour(now) : null,
  ].filter((instant): instant is Date => instant !== null && instant <= now);
  const latest = Math.max(...instants.map((instant) => instant.getTime()));
  return {
    items,
    history,
    disruptions: disruptionItems,
    systems: systemStates(policy, spans, told, now),
    at: now,
    lastModified: instants.length > 0 ? new Date(latest) : null,
  };
}

function startOfHour(instant: Date): Date {
  const hour = 60 * 60 * 1000;
  return new Date(Math.floor(instant.getTime() / hour) * hour);
}

/** The hour after `now`: where the calendar ends a disruption that still lasts. */
export function ongoingUntil(now: Date): Date {
  return new Date(startOfHour(now).getTime() + 60 * 60 * 1000);
}

function disruptionItem(disruption: PublishedDisruption, policy: Policy, now: Date): DisruptionItem {
  const zone = policy.timezone;
  const shown = disruption.updates.filter((update) => update.at <= now);
  const latest = shown.at(-1);
  const resolvedAt = disruption.resolvedAt && disruption.resolvedAt <= now ? disruption.resolvedAt : null;
  const status = latest?.status ?? disruption.status;
  return {
    disruption,
    current: resolvedAt === null,
    statusLabel: DISRUPTION_STATUS_LABELS[status],
    systems: systemDetails(policy, affectedSystems(policy, disruption.systems)),
    systemNames: affectedSystemsText(policy, disruption.systems),
    since: formatDateTime(disruption.createdAt, zone),
    when: resolvedAt ? formatWhen(disruption.createdAt, resolvedAt, zone) : `sedan ${formatDateTime(disruption.createdAt, zone)}`,
    resolvedAt,
    resolved: resolvedAt ? formatDateTime(resolvedAt, zone) : null,
    updates: [...shown].reverse().map((update) => ({
      id: update.id,
      status: update.status,
      statusLabel: DISRUPTION_STATUS_LABELS[update.status],
      message: update.message.trim(),
      at: update.at,
      when: formatDateTime(update.at, zone),
    })),
  };
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
    told: entry.told ?? [],
    status,
    statusLabel: STATUS_LABELS[status],
    systems,
    systemNames: affectedSystemsText(policy, window.systems),
    theSystems: systems.length > 1 ? 'Systemen' : 'Systemet',
    when: formatWhen(window.start_at, window.end_at, zone),
    previousWhen: moved && previous ? formatWhen(previous.start, previous.end, zone) : null,
    cancelReason: status === 'cancelled' ? window.cancel_reason?.trim() || null : null,
    advice: status === 'cancelled' || status === 'completed' ? [] : adviceFor(affectedSystems(policy, window.systems), policy),
  };
}

/**
 * Cancellation wins over everything; a window under way reads "Pågår" whatever its stored
 * status says (the clock decides, not a worker that may lag); a changed time is told as such
 * until the window starts.
 */
function statusOf(window: WindowRow, moved: boolean, now: Date): PublicStatus {
  if (window.status === 'cancelled') return 'cancelled';
  if (window.end_at <= now) return 'completed';
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
