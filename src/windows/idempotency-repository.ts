import type { Db } from '../storage/database.js';

export interface IdempotencyRecord {
  key: string;
  actor: string;
  requestHash: string;
  windowId: string;
  createdAt: Date;
}

export async function findIdempotencyKey(db: Db, key: string): Promise<IdempotencyRecord | undefined> {
  const row = await db.selectFrom('idempotency_keys').selectAll().where('key', '=', key).executeTakeFirst();
  return row && { key: row.key, actor: row.actor, requestHash: row.request_hash, windowId: row.window_id, createdAt: row.created_at };
}

/** Fails with a unique violation when another request stored the key first. */
export async function insertIdempotencyKey(db: Db, record: IdempotencyRecord): Promise<void> {
  await db
    .insertInto('idempotency_keys')
    .values({ key: record.key, actor: record.actor, request_hash: record.requestHash, window_id: record.windowId, created_at: record.createdAt })
    .execute();
}
