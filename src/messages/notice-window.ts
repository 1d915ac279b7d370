import type { Policy } from '../policy/policy-schema.js';
import type { WindowKind } from '../rules/notice-plan.js';
import type { WindowRow } from '../storage/schema.js';

/**
 * What the message texts and invitations need to know about a window: the row's facts in
 * domain names, without storage columns the texts never show.
 */
export interface NoticeWindow {
  id: string;
  title: string;
  description: string;
  /** System ids from the policy, e.g. `tes`. */
  systems: string[];
  kind: WindowKind;
  start: Date;
  end: Date;
  /** 1 when created, raised by every change of time or systems and by cancellation. */
  revision: number;
  cancelReason: string | null;
  /** Why the administrator accepted notice shorter than the routine's, or null. */
  shortNoticeReason: string | null;
}

/** A stored window as the renderers take it. */
export function noticeWindowFromRow(row: WindowRow): NoticeWindow {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    systems: row.systems,
    kind: row.kind,
    start: row.start_at,
    end: row.end_at,
    revision: row.revision,
    cancelReason: row.cancel_reason,
    shortNoticeReason: row.short_notice_reason,
  };
}

export interface SystemDetail {
  id: string;
  name: string;
  description: string;
}

/**
 * The systems in the policy's order (Tes, CareApp, CareLock), so the same window always
 * reads the same. An id the policy no longer knows is shown as it is, last, rather than
 * failing a notice that must go out.
 */
export function systemDetails(policy: Policy, systems: readonly string[]): SystemDetail[] {
  const order = Object.keys(policy.systems);
  const rank = (id: string) => {
    const index = order.indexOf(id);
    return index === -1 ? order.length : index;
  };
  return [...new Set(systems)]
    .sort((a, b) => rank(a) - rank(b))
    .map((id) => ({ id, name: policy.systems[id]?.displayName ?? id, description: policy.systems[id]?.description ?? '' }));
}

/** Display names, e.g. `['Tes', 'CareApp']`. */
export function systemNames(policy: Policy, systems: readonly string[]): string[] {
  return systemDetails(policy, systems).map((system) => system.name);
}

/** A Swedish list: `Tes`, `Tes och CareApp`, `Tes, CareApp och CareLock` (no comma before "och"). */
export function swedishList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} och ${items.at(-1)}`;
}

/** A window's systems as Swedish prose in the policy's order: `Tes och CareApp`. */
export function systemsText(policy: Policy, systems: readonly string[]): string {
  return swedishList(systemNames(policy, systems));
}

/** Every system of the policy as Swedish prose: `Tes, CareApp och CareLock`. */
export function allSystemsText(policy: Policy): string {
  return swedishList(Object.values(policy.systems).map((system) => system.displayName));
}
