import { sql, type Kysely } from 'kysely';

/**
 * A recurring series (a supplier's release train) and the windows it made. Each occurrence
 * is a window of its own with its own notices; the series keeps the recurrence as asked, so
 * "this and following" can find its windows. Local dates and clock times are text: they are
 * wall-clock values in the policy's zone, which a `date` column would let a driver shift.
 *
 * A window also keeps why it was accepted against a rule that refuses by default: overlapping
 * another window, or starting in a blackout period.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('series')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('title', 'text', (col) => col.notNull())
    .addColumn('description', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('systems', sql`text[]`, (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind in ('minor', 'extensive')`))
    .addColumn('rrule', 'text', (col) => col.notNull())
    .addColumn('dtstart', 'text', (col) => col.notNull())
    .addColumn('start_time', 'text', (col) => col.notNull())
    .addColumn('end_time', 'text', (col) => col.notNull())
    .addColumn('until', 'text')
    .addColumn('count', 'integer')
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .execute();
  await db.schema
    .alterTable('windows')
    .addColumn('series_id', 'uuid', (col) => col.references('series.id'))
    .addColumn('overlap_reason', 'text')
    .addColumn('blackout_reason', 'text')
    .execute();
  await db.schema.createIndex('windows_series_id').on('windows').column('series_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('windows_series_id').execute();
  await db.schema.alterTable('windows').dropColumn('series_id').dropColumn('overlap_reason').dropColumn('blackout_reason').execute();
  await db.schema.dropTable('series').execute();
}
