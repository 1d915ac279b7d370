import type { Kysely } from 'kysely';

/**
 * A claim names its holder, so a worker can renew all it holds in one statement (a heartbeat)
 * and a claim that is not renewed means a dead worker; `failing_since` is when a delivery first
 * failed, so one that has been retried for a long time can be told from a blip.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('deliveries')
    .addColumn('claimed_by', 'text')
    .addColumn('failing_since', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('deliveries').dropColumn('claimed_by').dropColumn('failing_since').execute();
}
