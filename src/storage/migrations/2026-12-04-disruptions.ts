import { sql, type Kysely } from 'kysely';

/**
 * Disruptions (driftstörningar): unplanned outages, registered as they happen and broadcast at
 * once. A disruption keeps its current status; each registration and status change is an
 * update row, numbered from 1 (the registration) without gaps.
 *
 * Their messages are notices like a window's: a notice belongs to exactly one window or one
 * disruption, so deliveries, claims, retries, the reconciler and the told rule serve both
 * unchanged. A disruption notice's `revision` is the number of the update it tells of.
 * The audit trail and idempotency keys may name a disruption instead of a window.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('disruptions')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('title', 'text', (col) => col.notNull())
    .addColumn('description', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('systems', sql`text[]`, (col) => col.notNull())
    .addColumn('status', 'text', (col) =>
      col.notNull().check(sql`status in ('investigating', 'identified', 'monitoring', 'resolved')`),
    )
    // The number of the latest update (1: only the registration).
    .addColumn('revision', 'integer', (col) => col.notNull())
    .addColumn('created_by', 'text', (col) => col.notNull())
    // When it was registered: the instant from which every audience is owed the news.
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull())
    .addColumn('resolved_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('disruptions_created_at').on('disruptions').column('created_at').execute();
  await db.schema
    .createIndex('disruptions_unresolved')
    .on('disruptions')
    .column('created_at')
    .where(sql.ref('status'), '<>', 'resolved')
    .execute();

  await db.schema
    .createTable('disruption_updates')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('disruption_id', 'uuid', (col) => col.notNull().references('disruptions.id').onDelete('cascade'))
    .addColumn('sequence', 'integer', (col) => col.notNull())
    .addColumn('status', 'text', (col) =>
      col.notNull().check(sql`status in ('investigating', 'identified', 'monitoring', 'resolved')`),
    )
    .addColumn('message', 'text', (col) => col.notNull())
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('at', 'timestamptz', (col) => col.notNull())
    .addUniqueConstraint('disruption_updates_sequence', ['disruption_id', 'sequence'])
    .execute();

  await db.schema.alterTable('notices').alterColumn('window_id', (col) => col.dropNotNull()).execute();
  await db.schema
    .alterTable('notices')
    .addColumn('disruption_id', 'uuid', (col) => col.references('disruptions.id').onDelete('cascade'))
    .execute();
  await sql`alter table notices add constraint notices_one_subject
    check ((window_id is null) <> (disruption_id is null))`.execute(db);
  await db.schema
    .createIndex('notices_disruption_id')
    .on('notices')
    .column('disruption_id')
    .where(sql.ref('disruption_id'), 'is not', null)
    .execute();

  await db.schema.alterTable('audit_events').addColumn('disruption_id', 'uuid').execute();
  await db.schema
    .createIndex('audit_events_disruption_id')
    .on('audit_events')
    .columns(['disruption_id', 'id'])
    .where(sql.ref('disruption_id'), 'is not', null)
    .execute();

  await db.schema.alterTable('idempotency_keys').alterColumn('window_id', (col) => col.dropNotNull()).execute();
  await db.schema.alterTable('idempotency_keys').addColumn('disruption_id', 'uuid').execute();

  // A change of a disruption is a change of the register, as a window's is (see register-changes).
  for (const table of ['disruptions', 'disruption_updates']) {
    await sql`
      create trigger ${sql.id(`${table}_changed`)} after insert or update or delete on ${sql.table(table)}
      for each row execute function notify_register_changed()`.execute(db);
    await sql`
      create trigger ${sql.id(`${table}_truncated`)} after truncate on ${sql.table(table)}
      for each statement execute function notify_register_changed()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('window_id', 'is', null).execute();
  await db.schema.alterTable('idempotency_keys').dropColumn('disruption_id').execute();
  await db.schema.alterTable('idempotency_keys').alterColumn('window_id', (col) => col.setNotNull()).execute();
  await db.schema.dropIndex('audit_events_disruption_id').execute();
  await db.schema.alterTable('audit_events').dropColumn('disruption_id').execute();
  // A disruption's notices (and, by cascade, their deliveries) go with it.
  await db.deleteFrom('notices').where('window_id', 'is', null).execute();
  await db.schema.dropIndex('notices_disruption_id').execute();
  await sql`alter table notices drop constraint notices_one_subject`.execute(db);
  await db.schema.alterTable('notices').dropColumn('disruption_id').execute();
  await db.schema.alterTable('notices').alterColumn('window_id', (col) => col.setNotNull()).execute();
  await db.schema.dropTable('disruption_updates').execute();
  await db.schema.dropTable('disruptions').execute();
}
