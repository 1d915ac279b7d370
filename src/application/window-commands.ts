import { ConflictError } from '../errors.js';
import type { WindowRow } from '../storage/schema.js';
import * as windows from '../windows/window-service.js';
import type { NewWindowInput, WindowChanges } from '../windows/window-service.js';
import type { WindowView } from '../windows/window-view.js';
import type { ApplicationDeps } from './app-deps.js';
import { requireWindow } from './window-queries.js';

export type { NewWindowInput, WindowChanges };

/** What a change of the register needs: the database, the rule book, the clock, the scheduler's hook, and the CMS endpoints (for catch-ups). */
export type WindowCommandDeps = Pick<ApplicationDeps, 'db' | 'rules' | 'clock' | 'onCommitted' | 'webhooks'>;

/*
 * The commands both adapters call to change the register. They delegate to the window
 * service, which holds the rules of a change inside one transaction; the adapters only ever
 * see these names, so that service can be reshaped without touching a route or a page.
 */

/**
 * Registers a window and plans its notices. The same `idempotencyKey` and request again
 * return the first window; with other values it is a 409.
 */
export function createWindow(deps: WindowCommandDeps, input: NewWindowInput, actor: string, idempotencyKey?: string): Promise<WindowView> {
  return windows.createWindow(deps, input, actor, idempotencyKey);
}

/** Changes a scheduled window; a new time or new systems tell those already told at once. */
export function changeWindow(deps: WindowCommandDeps, id: string, changes: WindowChanges, actor: string): Promise<WindowView> {
  return windows.changeWindow(deps, id, changes, actor);
}

/** Cancels a scheduled window; those already told get a cancellation, nothing else goes out. */
export function cancelWindow(deps: WindowCommandDeps, id: string, reason: string, actor: string): Promise<WindowView> {
  return windows.cancelWindow(deps, id, reason, actor);
}

/**
 * A window that may still be changed. Checked before a reschedule or cancel form is shown,
 * so nobody fills in a form the change itself would refuse; the command checks again under
 * its lock.
 */
export async function windowToChange(deps: Pick<ApplicationDeps, 'db'>, id: string): Promise<WindowRow> {
  const row = await requireWindow(deps, id);
  if (row.status !== 'scheduled') {
    throw new ConflictError('Driftstoppet har redan börjat, är genomfört eller inställt och kan inte längre ändras.');
  }
  return row;
}
