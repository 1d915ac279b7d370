import { sql } from 'kysely';
import type { Db } from '../storage/database.js';
import type { RecipientRow, SubscriptionRequestRow } from '../storage/schema.js';

export interface SignUp {
  /** The id a new row gets; an address signed up before keeps its row and id. */
  id: string;
  email: string;
  systems: string[];
  now: Date;
  /** A confirmation e-mail asked for before this instant may be followed by another. */
  mailAgainAfter: Date;
}

/**
 * Records a sign-up in one statement: a new address gets a row and a confirmation e-mail; an
 * address already there gets the systems asked for now and, only when its last e-mail was
 * asked for before `mailAgainAfter`, a new one. Concurrent sign-ups of one address meet at
 * the row's lock, so of ten in a second exactly one gets `mail: true`.
 */
export async function recordSignUp(db: Db, s: SignUp): Promise<{ id: string; mail: boolean; mailedAt: Date }> {
  const { rows } = await sql<{ id: string; mailed_at: Date; mail: boolean }>`
    insert into subscription_requests as r (id, email, systems, created_at, mailed_at, mail_status, mail_attempts)
    values (${s.id}, ${s.email}, ${sql.val(s.systems)}::text[], ${s.now}::timestamptz, ${s.now}::timestamptz, 'pending', 0)
    on conflict (email) do update set
      systems = excluded.systems,
      mail_status = case when r.mailed_at < ${s.mailAgainAfter}::timestamptz then 'pending' else r.mail_status end,
      mail_attempts = case when r.mailed_at < ${s.mailAgainAfter}::timestamptz then 0 else r.mail_attempts end,
      mail_error = case when r.mailed_at < ${s.mailAgainAfter}::timestamptz then null else r.mail_error end,
      confirmed_at = case when r.mailed_at < ${s.mailAgainAfter}::timestamptz then null else r.confirmed_at end,
      mailed_at = case when r.mailed_at < ${s.mailAgainAfter}::timestamptz then excluded.mailed_at else r.mailed_at end
    returning r.id, r.mailed_at, (r.mailed_at = ${s.now}::timestamptz and r.mail_status = 'pending') as mail
  `.execute(db);
  const row = rows[0]!;
  return { id: row.id, mail: row.mail, mailedAt: new Date(row.mailed_at) };
}

export async function findSubscriptionRequest(db: Db, id: string): Promise<SubscriptionRequestRow | undefined> {
  return db.selectFrom('subscription_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Claims the request's confirmation e-mail for sending, when nobody is sending it: pending, or
 * claimed by a worker that has since died. Undefined when it is sent, failed or being sent.
 */
export async function claimConfirmationMail(
  db: Db,
  id: string,
  claim: { now: Date; abandonedAfterMs: number },
): Promise<SubscriptionRequestRow | undefined> {
  const abandonedBefore = new Date(claim.now.getTime() - claim.abandonedAfterMs);
  return db
    .updateTable('subscription_requests')
    .set((eb) => ({ mail_status: 'sending', mail_claimed_at: claim.now, mail_attempts: eb('mail_attempts', '+', 1) }))
    .where('id', '=', id)
    .where((eb) => eb.or([eb('mail_status', '=', 'pending'), eb.and([eb('mail_status', '=', 'sending'), eb('mail_claimed_at', '<', abandonedBefore)])]))
    .returningAll()
    .executeTakeFirst();
}

/** How the claimed e-mail ended: sent, given back for another attempt, or failed for good. */
export async function settleConfirmationMail(
  db: Db,
  id: string,
  outcome: { status: 'sent'; at: Date } | { status: 'pending' | 'failed'; error: string },
): Promise<void> {
  await db
    .updateTable('subscription_requests')
    .set(
      outcome.status === 'sent'
        ? { mail_status: 'sent', mail_sent_at: outcome.at, mail_error: null, mail_claimed_at: null }
        : { mail_status: outcome.status, mail_error: outcome.error, mail_claimed_at: null },
    )
    .where('id', '=', id)
    .where('mail_status', '=', 'sending')
    .execute();
}

/** Requests whose confirmation e-mail nobody is sending yet: what the reconciler gives a job. */
export async function unsentConfirmationMails(db: Db, now: Date, abandonedAfterMs: number): Promise<Pick<SubscriptionRequestRow, 'id' | 'mailed_at'>[]> {
  const abandonedBefore = new Date(now.getTime() - abandonedAfterMs);
  return db
    .selectFrom('subscription_requests')
    .select(['id', 'mailed_at'])
    .where((eb) => eb.or([eb('mail_status', '=', 'pending'), eb.and([eb('mail_status', '=', 'sending'), eb('mail_claimed_at', '<', abandonedBefore)])]))
    .execute();
}

/** Marks the request confirmed, if it was not; returns it as it now is. */
export async function markConfirmed(db: Db, id: string, at: Date): Promise<SubscriptionRequestRow | undefined> {
  await db.updateTable('subscription_requests').set({ confirmed_at: at }).where('id', '=', id).where('confirmed_at', 'is', null).execute();
  return db.selectFrom('subscription_requests').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/**
 * The address's public subscriber, created or given the systems now confirmed. The partial
 * unique index on (kind, email) of active recipients keeps one subscriber per address.
 */
export async function upsertSubscriber(db: Db, s: { id: string; email: string; systems: string[]; now: Date }): Promise<{ row: RecipientRow; before: string[] | null }> {
  const existing = await db
    .selectFrom('recipients')
    .selectAll()
    .where('kind', '=', 'subscriber')
    .where('email', '=', s.email)
    .where('deleted_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
  if (existing) {
    // Signed up and confirmed anew: they want messages again, also after unsubscribing.
    const row = await db
      .updateTable('recipients')
      .set({ systems: s.systems, unsubscribed_at: null })
      .where('id', '=', existing.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { row, before: existing.systems };
  }
  const row = await db
    .insertInto('recipients')
    .values({ id: s.id, kind: 'subscriber', name: '', email: s.email, systems: s.systems, unit: null, created_at: s.now, deleted_at: null })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { row, before: null };
}

/**
 * Forgets sign-ups whose last e-mail was asked for before `before` and is no longer being
 * sent: an address that never confirmed is not kept (GDPR), and a confirmed one is a recipient
 * now. Their links have long expired. Returns how many.
 */
export async function forgetOldSignUps(db: Db, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('subscription_requests')
    .where('mailed_at', '<', before)
    .where('mail_status', 'in', ['sent', 'failed'])
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
