import type { Policy } from '../policy/policy-schema.js';
import { affectedSystems } from '../rules/dependencies.js';
import type { PublishedDisruption } from './public-disruptions.js';

/**
 * A system's state for the public, in Statuspage's component words. A disruption outweighs
 * planned maintenance: a system that breaks during its window is told as broken.
 */
export type SystemStatus = 'operational' | 'under_maintenance' | 'major_outage';

export const SYSTEM_STATUS_LABELS: Record<SystemStatus, string> = {
  operational: 'I drift',
  under_maintenance: 'Planerat underhåll pågår',
  major_outage: 'Driftstörning',
};

const SEVERITY: readonly SystemStatus[] = ['operational', 'under_maintenance', 'major_outage'];

export interface SystemState {
  id: string;
  name: string;
  description: string;
  /** 1-based, in the policy's order. */
  position: number;
  status: SystemStatus;
  label: string;
  /** The latest instant, by `now`, at which something began or ended on this system; null if nothing ever did. */
  changedAt: Date | null;
}

/** A published window as the status needs it: its systems, its time, whether it was called off. */
export interface WindowSpan {
  systems: readonly string[];
  start: Date;
  end: Date;
  cancelled: boolean;
}

/**
 * Each system of the policy as of `now`: a major outage while an unresolved disruption
 * affects it, under maintenance while a published window that was not cancelled runs on it,
 * otherwise operational. "Affects" follows the policy's dependencies (a Tes outage is a
 * CareApp outage too), as the notices say. Pure: the clock decides, not a worker that may lag.
 */
export function systemStates(
  policy: Pick<Policy, 'systems'>,
  windows: readonly WindowSpan[],
  disruptions: readonly PublishedDisruption[],
  now: Date,
): SystemState[] {
  return Object.entries(policy.systems).map(([id, system], index) => {
    const own = windows.filter((w) => !w.cancelled && affectedSystems(policy, w.systems).includes(id));
    const broken = disruptions.filter((d) => d.createdAt <= now && affectedSystems(policy, d.systems).includes(id));
    let status: SystemStatus = 'operational';
    const raise = (to: SystemStatus) => {
      if (SEVERITY.indexOf(to) > SEVERITY.indexOf(status)) status = to;
    };
    if (own.some((w) => w.start <= now && now < w.end)) raise('under_maintenance');
    if (broken.some((d) => d.resolvedAt === null || d.resolvedAt > now)) raise('major_outage');
    const instants = [...own.flatMap((w) => [w.start, w.end]), ...broken.flatMap((d) => [d.createdAt, d.resolvedAt])].filter(
      (at): at is Date => at !== null && at <= now,
    );
    return {
      id,
      name: system.displayName,
      description: system.description,
      position: index + 1,
      status,
      label: SYSTEM_STATUS_LABELS[status],
      changedAt: instants.length > 0 ? new Date(Math.max(...instants.map((at) => at.getTime()))) : null,
    };
  });
}
