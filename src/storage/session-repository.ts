import type { Db } from './database.js';

/** Remembers a signed-out session until it would have expired, and forgets those that have. */
export async function revokeSession(db: Db, id: string, expiresAt: Date, now: Date): Promise<void> {
  await db.insertInto('revoked_sessions').values({ id, expires_at: expiresAt }).onConflict((oc) => oc.column('id').doNothing()).execute();
  await db.deleteFrom('revoked_sessions').where('expires_at', '<=', now).execute();
}

export async function isSessionRevoked(db: Db, id: string): Promise<boolean> {
  return (await db.selectFrom('revoked_sessions').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}
