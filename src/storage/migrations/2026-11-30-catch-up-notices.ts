import type { Kysely } from 'kysely';

/**
 * A catch-up announcement tells recipients who joined an audience after its announcement
 * went out. It is an announcement like any other, judged against the same deadline, and the
 * record says why it came late.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('notices').addColumn('catch_up', 'boolean', (col) => col.notNull().defaultTo(false)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('notices').dropColumn('catch_up').execute();
}
