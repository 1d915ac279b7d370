import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('recipients')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind in ('manager', 'provider')`))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('email', 'text', (col) => col.notNull())
    .addColumn('systems', sql`text[]`, (col) => col.notNull())
    .addColumn('unit', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    // Removed recipients are kept so that deliveries to them stay explainable.
    .addColumn('deleted_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('recipients_kind_email_active')
    .on('recipients')
    .columns(['kind', 'email'])
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('notice_id', 'uuid', (col) => col.notNull().references('notices.id').onDelete('cascade'))
    // A recipient's id, or "webhook" for the audience's CMS endpoint: one delivery each per notice.
    .addColumn('recipient_key', 'text', (col) => col.notNull())
    .addColumn('recipient_id', 'uuid', (col) => col.references('recipients.id'))
    .addColumn('channel', 'text', (col) => col.notNull().check(sql`channel in ('email', 'webhook')`))
    .addColumn('target', 'text', (col) => col.notNull())
    .addColumn('batch', 'integer', (col) => col.notNull())
    .addColumn('status', 'text', (col) =>
      col.notNull().check(sql`status in ('pending', 'sending', 'sent', 'failed', 'cancelled')`),
    )
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('claimed_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('message_id', 'text')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addUniqueConstraint('deliveries_once_per_recipient', ['notice_id', 'recipient_key'])
    .execute();
  await db.schema.createIndex('deliveries_notice_batch').on('deliveries').columns(['notice_id', 'batch']).execute();
  await db.schema
    .createIndex('deliveries_unfinished')
    .on('deliveries')
    .columns(['notice_id', 'batch'])
    .where(sql.ref('status'), 'in', ['pending', 'sending'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('deliveries').execute();
  await db.schema.dropTable('recipients').execute();
}
