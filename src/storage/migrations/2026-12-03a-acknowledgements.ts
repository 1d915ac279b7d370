import { sql, type Kysely } from 'kysely';

/**
 * A manager's confirmation that their unit is prepared for a window, per revision: a moved
 * window asks again, so the confirmation of an earlier time stays recorded but does not
 * count for the new one. A chase is a reminder notice sent only to those told who have not
 * confirmed the current revision; the flag keeps it apart from the policy's plain reminder.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('acknowledgements')
    .addColumn('window_id', 'uuid', (col) => col.notNull().references('windows.id').onDelete('cascade'))
    .addColumn('recipient_id', 'uuid', (col) => col.notNull().references('recipients.id').onDelete('cascade'))
    .addColumn('revision', 'integer', (col) => col.notNull())
    .addColumn('acknowledged_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('acknowledgements_pkey', ['window_id', 'revision', 'recipient_id'])
    .execute();
  await db.schema.alterTable('notices').addColumn('chase', 'boolean', (col) => col.notNull().defaultTo(false)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('notices').dropColumn('chase').execute();
  await db.schema.dropTable('acknowledgements').execute();
}
