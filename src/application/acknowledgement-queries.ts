import { whoIsReady, type ReadyItem } from '../acknowledgements/who-is-ready.js';
import type { ApplicationDeps } from './app-deps.js';
import { requireWindow } from './window-queries.js';

export type { ReadyItem };

/**
 * Who of a window's acknowledgement audiences was told of it and who of them has confirmed
 * its current time: `GET /api/windows/:id/acknowledgements` and the admin window page.
 * Recipients removed from the register are left out; they are nobody's to chase.
 */
export async function windowAcknowledgements(deps: Pick<ApplicationDeps, 'db' | 'rules'>, id: string): Promise<ReadyItem[]> {
  const window = await requireWindow(deps, id);
  return (await whoIsReady(deps.db, [window], deps.rules.policy)).get(id) ?? [];
}
