import { sql, type Kysely } from 'kysely';

/**
 * What a recipient decides for themselves on "Mina inställningar" (or with one click in
 * their mail program): whether they still receive messages, and a deputy who receives them
 * instead for a range of days.
 *
 * - `unsubscribed_at`: when they stopped receiving messages; null while they receive them.
 *   Unsubscribed, they hear of no window they were not already told of; of one they were
 *   told, they still get the update or cancellation (src/rules/told.ts).
 * - `deputy_*`: the deputy's name and (lower-cased) address and the first and last day,
 *   inclusive, as local dates `YYYY-MM-DD` in the policy's zone. Text, as the series' dates
 *   are: a wall-clock date that a `date` column would let a driver shift. All four or none.
 *
 * A delivery keeps the name of the deputy it went to (`deputy_name`, null when it went to
 * the recipient in person; `target` is then the deputy's address): the message is addressed
 * to the deputy by name, and the recipient can see what went where on their behalf.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('recipients')
    .addColumn('unsubscribed_at', 'timestamptz')
    .addColumn('deputy_name', 'text')
    .addColumn('deputy_email', 'text')
    .addColumn('deputy_from', 'text')
    .addColumn('deputy_to', 'text')
    .execute();
  await sql`
    alter table recipients add constraint recipients_deputy_whole check (
      (deputy_name is null and deputy_email is null and deputy_from is null and deputy_to is null)
      or (deputy_name is not null and deputy_email is not null and deputy_from is not null and deputy_to is not null
          and deputy_from <= deputy_to))`.execute(db);
  await db.schema.alterTable('deliveries').addColumn('deputy_name', 'text').execute();
  // The settings page lists what was sent to one recipient, and the changes they or others made.
  await db.schema.createIndex('deliveries_recipient_id').on('deliveries').column('recipient_id').execute();
  await sql`create index audit_events_recipient_id on audit_events ((details->>'recipientId')) where details ? 'recipientId'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('audit_events_recipient_id').execute();
  await db.schema.dropIndex('deliveries_recipient_id').execute();
  await db.schema.alterTable('deliveries').dropColumn('deputy_name').execute();
  await sql`alter table recipients drop constraint recipients_deputy_whole`.execute(db);
  await db.schema
    .alterTable('recipients')
    .dropColumn('unsubscribed_at')
    .dropColumn('deputy_name')
    .dropColumn('deputy_email')
    .dropColumn('deputy_from')
    .dropColumn('deputy_to')
    .execute();
}
