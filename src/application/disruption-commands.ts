import * as disruptions from '../disruptions/disruption-service.js';
import type { DisruptionUpdateInput, NewDisruptionInput } from '../disruptions/disruption-service.js';
import type { DisruptionFilter } from '../disruptions/disruption-repository.js';
import type { DisruptionView } from '../disruptions/disruption-view.js';
import type { ApplicationDeps } from './app-deps.js';

export type { DisruptionFilter, DisruptionUpdateInput, DisruptionView, NewDisruptionInput };

/** What registering and updating a disruption needs: as a change of a window. */
export type DisruptionCommandDeps = Pick<ApplicationDeps, 'db' | 'rules' | 'clock' | 'onCommitted' | 'webhooks'>;

/*
 * The commands and queries both adapters call for disruptions (driftstörningar); the rules of
 * a change live in the disruption service, inside one transaction.
 */

/** Registers a disruption and broadcasts it at once to every audience. */
export function createDisruption(deps: DisruptionCommandDeps, input: NewDisruptionInput, actor: string, idempotencyKey?: string): Promise<DisruptionView> {
  return disruptions.createDisruption(deps, input, actor, idempotencyKey);
}

/** A status update, told to exactly those told; after `resolved` nothing more (409). */
export function addDisruptionUpdate(deps: DisruptionCommandDeps, id: string, input: DisruptionUpdateInput, actor: string): Promise<DisruptionView> {
  return disruptions.addDisruptionUpdate(deps, id, input, actor);
}

export function disruptionDetail(deps: Pick<ApplicationDeps, 'db' | 'rules'>, id: string): Promise<DisruptionView> {
  return disruptions.getDisruption(deps.db, id, deps.rules.policy.timezone);
}

export function listDisruptions(deps: Pick<ApplicationDeps, 'db' | 'rules'>, filter: DisruptionFilter): Promise<DisruptionView[]> {
  return disruptions.listDisruptionViews(deps.db, filter, deps.rules.policy.timezone);
}
