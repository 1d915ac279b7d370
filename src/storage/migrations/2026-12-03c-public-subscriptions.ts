import { sql, type Kysely } from 'kysely';

/**
 * Public e-mail subscribers and their sign-ups. A subscriber is a recipient of kind
 * `subscriber` (the public audience's e-mail members), written only when the address opens its
 * confirmation link. Until then the sign-up waits in `subscription_requests`, one row per
 * address: the row carries the systems asked for, when its last confirmation e-mail was
 * asked for (the per-address limit counts from there) and that e-mail's delivery state, so
 * the e-mail is a row like every other message and survives a Redis or SMTP outage.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table recipients drop constraint if exists recipients_kind_check`.execute(db);
  await sql`alter table recipients add constraint recipients_kind_check check (kind in ('manager', 'provider', 'subscriber'))`.execute(db);
  await db.schema
    .createTable('subscription_requests')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('email', 'text', (col) => col.notNull().unique())
    .addColumn('systems', sql`text[]`, (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    // When the latest confirmation e-mail was asked for: one per address per limit period.
    .addColumn('mailed_at', 'timestamptz', (col) => col.notNull())
    .addColumn('mail_status', 'text', (col) => col.notNull().check(sql`mail_status in ('pending', 'sending', 'sent', 'failed')`))
    .addColumn('mail_attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('mail_claimed_at', 'timestamptz')
    .addColumn('mail_error', 'text')
    .addColumn('mail_sent_at', 'timestamptz')
    .addColumn('confirmed_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('subscription_requests_unsent')
    .on('subscription_requests')
    .column('mailed_at')
    .where(sql.ref('mail_status'), 'in', ['pending', 'sending'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('subscription_requests').execute();
  await sql`delete from deliveries where recipient_id in (select id from recipients where kind = 'subscriber')`.execute(db);
  await sql`delete from recipients where kind = 'subscriber'`.execute(db);
  await sql`alter table recipients drop constraint if exists recipients_kind_check`.execute(db);
  await sql`alter table recipients add constraint recipients_kind_check check (kind in ('manager', 'provider'))`.execute(db);
}
