import { DateTime } from 'luxon';
import { formatTime, formatWhen } from '../messages/swedish-time.js';
import { swedishList } from '../messages/notice-window.js';
import type { Policy } from '../policy/policy-schema.js';
import { oneLine } from './public-feeds.js';
import { affectedSystems } from '../rules/dependencies.js';
import { disruptionAnchor, windowAnchor, type DisruptionItem, type PublicItem, type PublicListing, type PublicationUrls } from './public-listing.js';
import type { SystemState, SystemStatus } from './system-status.js';

/**
 * Atlassian Statuspage's public API v2 (`/api/v2/summary.json` and friends), so a dashboard,
 * widget or client written for a Statuspage page reads driftstopp unchanged. Components are
 * the policy's systems, incidents are disruptions, scheduled maintenances are the windows
 * whose public notice has gone out. Every field a Statuspage page writes is written, with
 * the same types (null where Statuspage writes null); texts are Swedish; instants are in the
 * policy's zone with milliseconds and offset, as Statuspage writes them in the page's zone.
 */
export interface StatuspageInput {
  listing: PublicListing;
  policy: Policy;
  urls: PublicationUrls;
}

/** Statuspage ids are opaque strings; this page has one and says so in every object. */
export const PAGE_ID = 'driftstopp';

/**
 * Systems have no creation instant of their own; Statuspage requires one per component.
 * The day driftstopp's register began serves, the same on every replica and every answer.
 */
const SYSTEMS_SINCE = new Date('2026-11-25T00:00:00Z');

/** The lists of resolved incidents and completed maintenances are the 50 latest, as on Statuspage. */
const RECENT = 50;

type Json = Record<string, unknown>;

export function renderSummary(input: StatuspageInput): string {
  const { listing } = input;
  return json({
    page: page(input),
    components: components(input),
    incidents: listing.disruptions.filter((d) => d.current).map((d) => incident(d, input)),
    scheduled_maintenances: maintenances(input).filter((m) => m.status !== 'completed'),
    status: status(listing.systems, input.policy),
  });
}

export function renderStatus(input: StatuspageInput): string {
  return json({ page: page(input), status: status(input.listing.systems, input.policy) });
}

export function renderComponents(input: StatuspageInput): string {
  return json({ page: page(input), components: components(input) });
}

export function renderIncidents(input: StatuspageInput): string {
  return json({ page: page(input), incidents: input.listing.disruptions.slice(0, RECENT).map((d) => incident(d, input)) });
}

export function renderUnresolvedIncidents(input: StatuspageInput): string {
  return json({ page: page(input), incidents: input.listing.disruptions.filter((d) => d.current).map((d) => incident(d, input)) });
}

/** Every maintenance told, latest start first: upcoming, in progress and completed (cancelled ones as completed). */
export function renderScheduledMaintenances(input: StatuspageInput): string {
  const all = maintenances(input).sort((a, b) => b.startMs - a.startMs);
  return json({ page: page(input), scheduled_maintenances: all.slice(0, RECENT) });
}

/** Maintenances still in the `scheduled` state, soonest first. */
export function renderUpcomingMaintenances(input: StatuspageInput): string {
  return json({ page: page(input), scheduled_maintenances: maintenances(input).filter((m) => m.status === 'scheduled') });
}

/** Maintenances `in_progress` (or `verifying`, which driftstopp never is), soonest first. */
export function renderActiveMaintenances(input: StatuspageInput): string {
  const active = maintenances(input).filter((m) => m.status === 'in_progress' || m.status === 'verifying');
  return json({ page: page(input), scheduled_maintenances: active });
}

function page({ listing, policy, urls }: StatuspageInput): Json {
  return {
    id: PAGE_ID,
    name: `Driftinformation – ${policy.municipality}`,
    url: urls.page,
    time_zone: policy.timezone,
    updated_at: iso(listing.lastModified ?? SYSTEMS_SINCE, policy),
  };
}

function components({ listing, policy }: StatuspageInput): Json[] {
  return listing.systems.map((system) => component(system, policy));
}

function component(system: SystemState, policy: Policy): Json {
  return {
    id: system.id,
    name: system.name,
    status: system.status,
    created_at: iso(SYSTEMS_SINCE, policy),
    updated_at: iso(system.changedAt ?? SYSTEMS_SINCE, policy),
    position: system.position,
    description: system.description || null,
    showcase: false,
    start_date: null,
    group_id: null,
    page_id: PAGE_ID,
    group: false,
    only_show_if_degraded: false,
  };
}

/**
 * The rollup Statuspage calls the page status: `critical` when every system is down, `major`
 * when some are, `maintenance` while a window runs, else `none`; the description in Swedish.
 */
function status(systems: readonly SystemState[], policy: Policy): Json {
  const names = (wanted: SystemStatus) => swedishList(systems.filter((s) => s.status === wanted).map((s) => s.name));
  const down = systems.filter((s) => s.status === 'major_outage');
  if (down.length > 0) {
    return { indicator: down.length === systems.length ? 'critical' : 'major', description: `Driftstörning i ${names('major_outage')}` };
  }
  if (systems.some((s) => s.status === 'under_maintenance')) {
    return { indicator: 'maintenance', description: `Planerat underhåll pågår i ${names('under_maintenance')}` };
  }
  return { indicator: 'none', description: Object.keys(policy.systems).length > 1 ? 'Alla system är i drift' : 'Systemet är i drift' };
}

/**
 * A disruption as a Statuspage incident. Its impact is `critical`, the impact Statuspage
 * derives from a component in `major_outage`, which is what a disruption makes of its systems.
 */
function incident(item: DisruptionItem, input: StatuspageInput): Json {
  const { disruption } = item;
  const { policy } = input;
  const told = [...item.updates].reverse();
  const affected = affectedSystems(policy, disruption.systems);
  const updates = told.map((update, index) => {
    const change: [SystemStatus, SystemStatus] | null =
      index === 0 ? ['operational', 'major_outage'] : update.status === 'resolved' ? ['major_outage', 'operational'] : null;
    return incidentUpdate(update.id, update.status, update.message, update.at, disruption.id, change, affected, policy);
  });
  const monitoring = told.filter((update) => update.status === 'monitoring').at(-1);
  return {
    id: disruption.id,
    name: oneLine(disruption.title),
    status: item.current ? (told.at(-1)?.status ?? disruption.status) : 'resolved',
    created_at: iso(disruption.createdAt, policy),
    updated_at: iso(told.at(-1)?.at ?? disruption.createdAt, policy),
    monitoring_at: monitoring ? iso(monitoring.at, policy) : null,
    resolved_at: item.resolvedAt ? iso(item.resolvedAt, policy) : null,
    impact: 'critical',
    shortlink: `${input.urls.page}#${disruptionAnchor(disruption.id)}`,
    started_at: iso(disruption.createdAt, policy),
    page_id: PAGE_ID,
    incident_updates: updates.reverse(),
    components: componentsOf(affected, input),
  };
}

type MaintenanceStatus = 'scheduled' | 'in_progress' | 'verifying' | 'completed';

interface Maintenance extends Json {
  status: MaintenanceStatus;
  startMs: number;
}

/** Windows not ended (soonest first), then those of the history period. */
function maintenances(input: StatuspageInput): Maintenance[] {
  const current = [...input.listing.items].sort((a, b) => a.window.start_at.getTime() - b.window.start_at.getTime());
  return [...current, ...input.listing.history].map((item) => maintenance(item, input));
}

/**
 * A window as a Statuspage scheduled maintenance: `scheduled` until it starts, `in_progress`
 * while it runs, `completed` when it has ended. A cancelled window is `completed` too, with a
 * last update that says it was called off: Statuspage has no cancelled state, and a
 * maintenance that will not happen is, for a client, one that no longer holds its systems.
 */
function maintenance(item: PublicItem, input: StatuspageInput): Maintenance {
  const { window } = item;
  const { policy } = input;
  const zone = policy.timezone;
  const affected = affectedSystems(policy, window.systems);
  const state = maintenanceStatus(item);
  const updates: [string, MaintenanceStatus, string, Date, [SystemStatus, SystemStatus] | null][] = [];
  let toldBefore: string | null = null;
  for (const fact of item.told) {
    if (fact.kind === 'cancellation') continue;
    const when = formatWhen(fact.start!, fact.end!, zone);
    const body =
      toldBefore && toldBefore !== when
        ? `Ny tid: ${when}. Tidigare meddelad tid var ${toldBefore}.`
        : `Planerat underhåll av ${item.systemNames} ${when}. ${item.theSystems} går inte att använda under den tiden.${description(item)}`;
    updates.push([fact.id, 'scheduled', body, fact.at, null]);
    toldBefore = when;
  }
  if (state === 'in_progress' || (state === 'completed' && item.status === 'completed')) {
    const until = formatTime(window.end_at, zone);
    updates.push([`${window.id}-in-progress`, 'in_progress', `Underhållet pågår. ${item.systemNames} går inte att använda till kl. ${until}.`, window.start_at, ['operational', 'under_maintenance']]);
  }
  if (item.status === 'completed') {
    updates.push([`${window.id}-completed`, 'completed', `Underhållet är avslutat. ${item.theSystems} fungerar som vanligt igen.`, window.end_at, ['under_maintenance', 'operational']]);
  }
  let resolvedAt: Date | null = item.status === 'completed' ? window.end_at : null;
  if (item.status === 'cancelled') {
    const told = item.told.find((fact) => fact.kind === 'cancellation');
    resolvedAt = told?.at ?? window.updated_at;
    const reason = item.cancelReason ? ` Orsak: ${item.cancelReason}` : '';
    updates.push([told?.id ?? `${window.id}-cancelled`, 'completed', `Inställt. Det planerade underhållet ${item.when} blir inte av. ${item.theSystems} fungerar som vanligt.${reason}`, resolvedAt, null]);
  }
  const createdAt = item.told[0]?.at ?? item.publishedAt;
  const latest = updates.reduce((at, [, , , instant]) => (instant > at ? instant : at), createdAt);
  return {
    id: window.id,
    name: oneLine(window.title),
    status: state,
    created_at: iso(createdAt, policy),
    updated_at: iso(latest, policy),
    monitoring_at: null,
    resolved_at: resolvedAt ? iso(resolvedAt, policy) : null,
    impact: 'maintenance',
    shortlink: `${input.urls.page}#${windowAnchor(window.id)}`,
    started_at: iso(createdAt, policy),
    page_id: PAGE_ID,
    incident_updates: updates
      .map(([id, updateStatus, body, at, change]) => incidentUpdate(id, updateStatus, body, at, window.id, change, affected, policy))
      .reverse(),
    components: componentsOf(affected, input),
    scheduled_for: iso(window.start_at, policy),
    scheduled_until: iso(window.end_at, policy),
    startMs: window.start_at.getTime(),
  };
}

function maintenanceStatus(item: PublicItem): MaintenanceStatus {
  switch (item.status) {
    case 'ongoing':
      return 'in_progress';
    case 'completed':
    case 'cancelled':
      return 'completed';
    case 'planned':
    case 'rescheduled':
      return 'scheduled';
  }
}

function description(item: PublicItem): string {
  const text = item.window.description.trim();
  return text ? `\n\n${text}` : '';
}

function incidentUpdate(
  id: string,
  updateStatus: string,
  body: string,
  at: Date,
  incidentId: string,
  change: [SystemStatus, SystemStatus] | null,
  affected: readonly string[],
  policy: Policy,
): Json {
  return {
    id,
    status: updateStatus,
    body,
    incident_id: incidentId,
    created_at: iso(at, policy),
    updated_at: iso(at, policy),
    display_at: iso(at, policy),
    affected_components: change
      ? affected.map((code) => ({ code, name: policy.systems[code]?.displayName ?? code, old_status: change[0], new_status: change[1] }))
      : null,
    deliver_notifications: true,
    custom_tweet: null,
    tweet_id: null,
  };
}

/** The affected systems as components, each with its state now. */
function componentsOf(affected: readonly string[], { listing, policy }: StatuspageInput): Json[] {
  return listing.systems.filter((system) => affected.includes(system.id)).map((system) => component(system, policy));
}

/** `2027-03-30T09:00:00.000+02:00`: Statuspage's form, in the policy's zone. */
function iso(instant: Date, policy: Policy): string {
  return DateTime.fromJSDate(instant).setZone(policy.timezone).toISO()!;
}

/** The helper field used for sorting stays out of the answer. */
function json(body: Json): string {
  return JSON.stringify(body, (key, value) => (key === 'startMs' ? undefined : value));
}
