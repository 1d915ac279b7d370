import type { Policy } from '../policy/policy-schema.js';

type Systems = Policy['systems'];

/**
 * The systems a window on `systems` takes down: those named, and every system that depends
 * on one of them, directly or through a chain (CareLock → CareApp → Tes: a Tes window takes
 * all three). A cycle in the policy is harmless: each system is visited once. Ordered as the
 * policy lists its systems, so the same window always reads the same.
 */
export function affectedSystems(policy: Pick<Policy, 'systems'>, systems: readonly string[]): string[] {
  return inPolicyOrder(policy.systems, systemsTakenDown(policy, systems));
}

/**
 * `affectedSystems` in no order, for comparing windows: a create compares its window with
 * every window sharing its time, under the register's lock, so this makes no closures and
 * sorts nothing.
 */
export function systemsTakenDown(policy: Pick<Policy, 'systems'>, systems: readonly string[]): Set<string> {
  const affected = new Set(systems);
  const entries = Object.entries(policy.systems);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [id, system] of entries) {
      if (!affected.has(id) && anyOf(system.dependsOn, affected)) {
        affected.add(id);
        grew = true;
      }
    }
  }
  return affected;
}

function anyOf(ids: Iterable<string>, set: ReadonlySet<string>): boolean {
  for (const id of ids) if (set.has(id)) return true;
  return false;
}

/** The systems taken down only because they depend on one named: `affectedSystems` minus `systems`. */
export function dependentSystems(policy: Pick<Policy, 'systems'>, systems: readonly string[]): string[] {
  const named = new Set(systems);
  return affectedSystems(policy, systems).filter((id) => !named.has(id));
}

/**
 * The systems as people read them in a notice: the ones named, then those that follow,
 * e.g. "Tes (och därmed CareApp)" or "Tes och CareLock (och därmed CareApp)".
 */
export function affectedSystemsText(policy: Pick<Policy, 'systems'>, systems: readonly string[]): string {
  const name = (id: string) => policy.systems[id]?.displayName ?? id;
  const named = swedishList(inPolicyOrder(policy.systems, new Set(systems)).map(name));
  const following = dependentSystems(policy, systems).map(name);
  if (following.length === 0) return named;
  return `${named} (och därmed ${swedishList(following)})`;
}

/** `Tes`, `Tes och CareApp`, `Tes, CareApp och CareLock`: no comma before "och", as the notices write it. */
function swedishList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} och ${items.at(-1)}`;
}

/** Whether windows on these two sets of systems take down a system in common. */
export function shareASystem(policy: Pick<Policy, 'systems'>, a: readonly string[], b: readonly string[]): boolean {
  return takesDownAnyOf(policy, b, systemsTakenDown(policy, a));
}

/** Whether a window on `systems` takes down one of `down` (another window's `systemsTakenDown`). */
export function takesDownAnyOf(policy: Pick<Policy, 'systems'>, systems: readonly string[], down: ReadonlySet<string>): boolean {
  return anyOf(systemsTakenDown(policy, systems), down);
}

/** An id the policy no longer knows comes last, as it is, rather than being dropped. */
function inPolicyOrder(systems: Systems, ids: ReadonlySet<string>): string[] {
  const order = Object.keys(systems);
  const rank = (id: string) => (order.includes(id) ? order.indexOf(id) : order.length);
  return [...ids].sort((a, b) => rank(a) - rank(b));
}
