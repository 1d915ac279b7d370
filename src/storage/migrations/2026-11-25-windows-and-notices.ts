import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('windows')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('title', 'text', (col) => col.notNull())
    .addColumn('description', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('systems', sql`text[]`, (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind in ('minor', 'extensive')`))
    .addColumn('start_at', 'timestamptz', (col) => col.notNull())
    .addColumn('end_at', 'timestamptz', (col) => col.notNull())
    .addColumn('status', 'text', (col) =>
      col.notNull().check(sql`status in ('scheduled', 'in_progress', 'completed', 'cancelled')`),
    )
    .addColumn('revision', 'integer', (col) => col.notNull())
    .addColumn('plan', 'jsonb')
    .addColumn('short_notice_reason', 'text')
    .addColumn('cancel_reason', 'text')
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('windows_start_at').on('windows').column('start_at').execute();
  await db.schema.createIndex('windows_status_start_at').on('windows').columns(['status', 'start_at']).execute();

  await db.schema
    .createTable('notices')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('window_id', 'uuid', (col) => col.notNull().references('windows.id').onDelete('cascade'))
    .addColumn('revision', 'integer', (col) => col.notNull())
    .addColumn('audience', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) =>
      col.notNull().check(sql`kind in ('announcement', 'update', 'cancellation', 'reminder')`),
    )
    .addColumn('lead_days', 'integer')
    // For an update: the time the audience was told before, so the message can say what changed.
    .addColumn('previous_start_at', 'timestamptz')
    .addColumn('previous_end_at', 'timestamptz')
    .addColumn('due_at', 'timestamptz', (col) => col.notNull())
    .addColumn('required_by', 'timestamptz', (col) => col.notNull())
    .addColumn('status', 'text', (col) =>
      col.notNull().check(sql`status in ('pending', 'sent', 'failed', 'cancelled')`),
    )
    .addColumn('late', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('dispatched_at', 'timestamptz')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('error', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('notices_window_id').on('notices').column('window_id').execute();
  // The reconciler asks for pending notices by due instant: keep that an index range scan.
  await db.schema
    .createIndex('notices_pending_due_at')
    .on('notices')
    .column('due_at')
    .where(sql.ref('status'), '=', 'pending')
    .execute();

  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('window_id', 'uuid')
    .addColumn('actor', 'text', (col) => col.notNull())
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('at', 'timestamptz', (col) => col.notNull())
    .addColumn('details', 'jsonb', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('audit_events_window_id').on('audit_events').columns(['window_id', 'id']).execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('key', 'text', (col) => col.primaryKey())
    .addColumn('actor', 'text', (col) => col.notNull())
    .addColumn('request_hash', 'text', (col) => col.notNull())
    .addColumn('window_id', 'uuid', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('idempotency_keys').execute();
  await db.schema.dropTable('audit_events').execute();
  await db.schema.dropTable('notices').execute();
  await db.schema.dropTable('windows').execute();
}
