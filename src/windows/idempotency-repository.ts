import type { Db } from '../storage/database.js';

/** A key names what it created: a window or a disruption. */
export interface IdempotencyRecord {
  key: string;
  actor: string;
  requestHash: string;
  windowId: string | null;
  disruptionId?: string | null | undefined;
  createdAt: Date;
}

export async function findIdempotencyKey(db: Db, key: string): Promise<IdempotencyRecord | undefined> {
  const row = await db.selectFrom('idempotency_keys').selectAll().where('key', '=', key).executeTakeFirst();
  return row && { key: row.key, actor: row.actor, requestHash: row.request_hash, windowId: row.window_id, disruptionId: row.disruption_id, createdAt: row.created_at };
}

/** Fails with a unique violation when another request stored the key first. */
export async function insertIdempotencyKey(db: Db, record: IdempotencyRecord): Promise<void> {
  await db
    .insertInto('idempotency_keys')
    .values({ key: record.key, actor: record.actor, request_hash: record.requestHash, window_id: record.windowId, disruption_id: record.disruptionId ?? null, created_at: record.createdAt })
    .execute();
}

/** Whether an error is PostgreSQL's unique violation: another request stored the same key first. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505';
}
