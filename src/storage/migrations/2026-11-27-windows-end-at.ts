import type { Kysely } from 'kysely';

/** The public page and feeds read windows that have not ended yet. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('windows_end_at').on('windows').column('end_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('windows_end_at').execute();
}
