import { sql, type Kysely } from 'kysely';

/**
 * Every committed change of a window or a notice sends a NOTIFY on `driftstopp_register`
 * (payload: the schema), so that API processes can trust what they rendered until they hear
 * one. NOTIFY is transactional: it arrives after the commit, never for a rollback, and
 * PostgreSQL folds repeats within one transaction into one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function notify_register_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('driftstopp_register', tg_table_schema);
      return null;
    end
    $$`.execute(db);
  for (const table of ['windows', 'notices']) {
    // Per row, so that a statement that changes nothing (a worker's empty pass) stays silent.
    await sql`
      create trigger ${sql.id(`${table}_changed`)} after insert or update or delete on ${sql.table(table)}
      for each row execute function notify_register_changed()`.execute(db);
    await sql`
      create trigger ${sql.id(`${table}_truncated`)} after truncate on ${sql.table(table)}
      for each statement execute function notify_register_changed()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['windows', 'notices']) {
    await sql`drop trigger ${sql.id(`${table}_changed`)} on ${sql.table(table)}`.execute(db);
    await sql`drop trigger ${sql.id(`${table}_truncated`)} on ${sql.table(table)}`.execute(db);
  }
  await sql`drop function notify_register_changed()`.execute(db);
}
