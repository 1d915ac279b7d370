import type { Db } from '../storage/database.js';
import type { AcknowledgementRow } from '../storage/schema.js';

/**
 * Records that a recipient's unit is prepared for one revision of a window. A second
 * confirmation of the same revision changes nothing: the first time stands.
 * Returns the stored row and whether this call stored it.
 */
export async function acknowledge(
  db: Db,
  ack: { windowId: string; recipientId: string; revision: number; at: Date },
): Promise<{ row: AcknowledgementRow; created: boolean }> {
  const inserted = await db
    .insertInto('acknowledgements')
    .values({ window_id: ack.windowId, recipient_id: ack.recipientId, revision: ack.revision, acknowledged_at: ack.at })
    .onConflict((oc) => oc.columns(['window_id', 'revision', 'recipient_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { row: inserted, created: true };
  const row = await findAcknowledgement(db, ack.windowId, ack.recipientId, ack.revision);
  return { row: row!, created: false };
}

export async function findAcknowledgement(db: Db, windowId: string, recipientId: string, revision: number): Promise<AcknowledgementRow | undefined> {
  return db
    .selectFrom('acknowledgements')
    .selectAll()
    .where('window_id', '=', windowId)
    .where('recipient_id', '=', recipientId)
    .where('revision', '=', revision)
    .executeTakeFirst();
}

/** The confirmations of each window's current revision (earlier revisions' do not count). */
export async function currentAcknowledgements(db: Db, windowIds: readonly string[]): Promise<AcknowledgementRow[]> {
  if (windowIds.length === 0) return [];
  return db
    .selectFrom('acknowledgements as a')
    .innerJoin('windows as w', (join) => join.onRef('w.id', '=', 'a.window_id').onRef('w.revision', '=', 'a.revision'))
    .selectAll('a')
    .where('a.window_id', 'in', [...windowIds])
    .execute();
}
