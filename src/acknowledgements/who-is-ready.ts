import { toldOfWindows } from '../notices/notice-dispatch.js';
import type { Policy } from '../policy/policy-schema.js';
import { FEED_KEY, WEBHOOK_KEY } from '../rules/told.js';
import { activeRecipientsByIds } from '../recipients/recipient-repository.js';
import type { Db } from '../storage/database.js';
import type { WindowRow } from '../storage/schema.js';
import { currentAcknowledgements } from './acknowledgement-repository.js';
import type { ReadyItem } from '../rules/acknowledgement.js';

export type { ReadyItem };

/**
 * Who is asked to confirm each window, and who has: the people of the policy's
 * acknowledgement audiences the told rule counts as told of the window, still in the register,
 * with their confirmation of its current revision (one of an earlier time does not count).
 */
export async function whoIsReady(db: Db, windows: readonly WindowRow[], policy: Policy): Promise<Map<string, ReadyItem[]>> {
  const ids = windows.map((w) => w.id);
  const [told, acks] = await Promise.all([toldOfWindows(db, ids, policy), currentAcknowledgements(db, ids)]);
  const askedOf = new Map(
    ids.map((id) => [
      id,
      // People only: an audience's CMS endpoint and the feeds are told too, under keys of their own.
      new Set(policy.acknowledgement.audiences.flatMap((audience) => [...(told.get(id)?.get(audience)?.told ?? [])].filter((key) => key !== WEBHOOK_KEY && key !== FEED_KEY))),
    ]),
  );
  const people = new Map((await activeRecipientsByIds(db, [...new Set([...askedOf.values()].flatMap((s) => [...s]))])).map((r) => [r.id, r]));
  const confirmed = new Map(acks.map((a) => [`${a.window_id}|${a.recipient_id}`, a.acknowledged_at]));
  return new Map(
    windows.map((w) => [
      w.id,
      [...people.values()]
        .filter((r) => askedOf.get(w.id)!.has(r.id))
        .map((recipient) => ({ recipient, revision: w.revision, acknowledgedAt: confirmed.get(`${w.id}|${recipient.id}`) ?? null })),
    ]),
  );
}
