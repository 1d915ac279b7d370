import { sql } from 'kysely';
import type { Db } from '../storage/database.js';
import type { RecipientKind, RecipientRow } from '../storage/schema.js';

/** A recipient to store; `email` is already lower-cased and trimmed. */
export interface NewRecipient {
  id: string;
  kind: RecipientKind;
  name: string;
  email: string;
  systems: string[];
  unit: string | null;
  createdAt: Date;
}

export interface RecipientFilter {
  kind?: RecipientKind | undefined;
  /** Only recipients of this system. */
  system?: string | undefined;
  /** Text found (case-insensitively) in the name, unit or address, or, through `qSystems`, a followed system. */
  q?: string | undefined;
  /** The systems whose id or name holds `q`: a recipient following one matches too. */
  qSystems?: readonly string[] | undefined;
}

/** What a notice to one audience needs: the kind of recipient and the systems the window touches. */
export interface AudienceQuery {
  kind: RecipientKind;
  systems: readonly string[];
}

const INSERT_BATCH_ROWS = 500;

const toRow = (r: NewRecipient) => ({
  id: r.id,
  kind: r.kind,
  name: r.name,
  email: r.email,
  systems: r.systems,
  unit: r.unit,
  created_at: r.createdAt,
  deleted_at: null,
});

/**
 * Inserts the recipients that have no active twin (same kind and e-mail) and returns those
 * inserted. The partial unique index decides, so two concurrent requests cannot both win.
 */
export async function insertRecipients(db: Db, recipients: readonly NewRecipient[]): Promise<RecipientRow[]> {
  const inserted: RecipientRow[] = [];
  // PostgreSQL takes at most 65,535 parameters a statement; 8 columns × 500 rows stays well below.
  for (let i = 0; i < recipients.length; i += INSERT_BATCH_ROWS) {
    const rows = await db
      .insertInto('recipients')
      .values(recipients.slice(i, i + INSERT_BATCH_ROWS).map(toRow))
      .onConflict((oc) => oc.columns(['kind', 'email']).where('deleted_at', 'is', null).doNothing())
      .returningAll()
      .execute();
    inserted.push(...rows);
  }
  return inserted;
}

/** The stored recipient, or undefined when an active one of the same kind and e-mail exists. */
export async function insertRecipient(db: Db, recipient: NewRecipient): Promise<RecipientRow | undefined> {
  const [row] = await insertRecipients(db, [recipient]);
  return row;
}

/** Active recipients, by kind and name. */
export async function listRecipients(db: Db, filter: RecipientFilter = {}): Promise<RecipientRow[]> {
  let query = db.selectFrom('recipients').selectAll().where('deleted_at', 'is', null);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.system) query = query.where(sql<boolean>`${filter.system} = any(${sql.ref('systems')})`);
  if (filter.q) {
    // The words as text, not a pattern: % and _ in a search are themselves.
    const pattern = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const systems = [...(filter.qSystems ?? [])];
    query = query.where((eb) =>
      eb.or([
        eb('name', 'ilike', pattern),
        eb('email', 'ilike', pattern),
        eb('unit', 'ilike', pattern),
        ...(systems.length > 0 ? [sql<boolean>`${sql.ref('systems')} && ${sql.val(systems)}::text[]`] : []),
      ]),
    );
  }
  return query.orderBy('kind').orderBy('name').orderBy('id').execute();
}

/** The recipient, removed or not. */
export async function findRecipient(db: Db, id: string): Promise<RecipientRow | undefined> {
  return db.selectFrom('recipients').selectAll().where('id', '=', id).executeTakeFirst();
}

/** What a change of a recipient may set. */
export interface RecipientChange {
  name?: string;
  unit?: string | null;
  email?: string;
  systems?: string[];
}

/** Changes an active recipient and returns it; undefined when it is unknown or removed. */
export async function updateRecipient(db: Db, id: string, change: RecipientChange): Promise<RecipientRow | undefined> {
  return db.updateTable('recipients').set(change).where('id', '=', id).where('deleted_at', 'is', null).returningAll().executeTakeFirst();
}

/** The active recipient, locked until the transaction ends: a change reads and writes it whole. */
export async function lockActiveRecipient(db: Db, id: string): Promise<RecipientRow | undefined> {
  return db.selectFrom('recipients').selectAll().where('id', '=', id).where('deleted_at', 'is', null).forUpdate().executeTakeFirst();
}

/** Active recipients among these (kind, e-mail) pairs: what an import would collide with. */
export async function findActiveByEmails(
  db: Db,
  pairs: readonly { kind: RecipientKind; email: string }[],
): Promise<Pick<RecipientRow, 'id' | 'kind' | 'email'>[]> {
  if (pairs.length === 0) return [];
  // One array parameter rather than one parameter per address: a large file stays one query.
  const emails = [...new Set(pairs.map((p) => p.email))];
  const rows = await db
    .selectFrom('recipients')
    .select(['id', 'kind', 'email'])
    .where('deleted_at', 'is', null)
    .where(sql<boolean>`${sql.ref('email')} = any(${sql.val(emails)}::text[])`)
    .execute();
  const wanted = new Set(pairs.map((p) => `${p.kind} ${p.email}`));
  return rows.filter((row) => wanted.has(`${row.kind} ${row.email}`));
}

/**
 * Marks an active recipient removed and returns it; undefined when it is unknown or already
 * removed. The row stays so that deliveries already made to it remain explainable.
 */
export async function softDeleteRecipient(db: Db, id: string, at: Date): Promise<RecipientRow | undefined> {
  return db
    .updateTable('recipients')
    .set({ deleted_at: at })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Active recipients of the kind who follow at least one of the systems (array overlap `&&`)
 * and have not stopped receiving messages: an audience's subscribers.
 */
export async function recipientsForAudience(db: Db, audience: AudienceQuery): Promise<RecipientRow[]> {
  if (audience.systems.length === 0) return [];
  return db
    .selectFrom('recipients')
    .selectAll()
    .where('deleted_at', 'is', null)
    .where('unsubscribed_at', 'is', null)
    .where('kind', '=', audience.kind)
    .where(sql<boolean>`${sql.ref('systems')} && ${sql.val([...audience.systems])}::text[]`)
    .orderBy('name')
    .orderBy('id')
    .execute();
}

/** The ids of an audience's subscribers (as `recipientsForAudience`). */
export async function subscriberIds(db: Db, audience: AudienceQuery): Promise<string[]> {
  if (audience.systems.length === 0) return [];
  const rows = await db
    .selectFrom('recipients')
    .select('id')
    .where('deleted_at', 'is', null)
    .where('unsubscribed_at', 'is', null)
    .where('kind', '=', audience.kind)
    .where(sql<boolean>`${sql.ref('systems')} && ${sql.val([...audience.systems])}::text[]`)
    .execute();
  return rows.map((r) => r.id);
}

/** The recipients with these ids that are still in the register (not removed). */
export async function activeRecipientsByIds(db: Db, ids: readonly string[]): Promise<RecipientRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('recipients').selectAll().where('id', 'in', [...ids]).where('deleted_at', 'is', null).orderBy('name').orderBy('id').execute();
}

/** A deputy as stored: local dates YYYY-MM-DD in the policy's zone, both days included. */
export interface StoredDeputy {
  name: string;
  /** Lower-cased. */
  email: string;
  from: string;
  to: string;
}

/** The recipient, locked until the transaction ends: a self-service change reads and writes it whole. */
export async function lockRecipient(db: Db, id: string): Promise<RecipientRow | undefined> {
  return db.selectFrom('recipients').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Sets the systems an active recipient follows; returns the row, or undefined when removed or unknown. */
export async function setRecipientSystems(db: Db, id: string, systems: readonly string[]): Promise<RecipientRow | undefined> {
  return db
    .updateTable('recipients')
    .set({ systems: [...systems] })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Sets (or with null removes) an active recipient's deputy; returns the row, or undefined when removed or unknown. */
export async function setDeputy(db: Db, id: string, deputy: StoredDeputy | null): Promise<RecipientRow | undefined> {
  return db
    .updateTable('recipients')
    .set({
      deputy_name: deputy?.name ?? null,
      deputy_email: deputy?.email ?? null,
      deputy_from: deputy?.from ?? null,
      deputy_to: deputy?.to ?? null,
    })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Stops (`at`) or restarts (null) a recipient's messages. Only a change is written: stopping
 * twice keeps the first instant, and the row comes back only when something changed, so the
 * caller audits each change once.
 */
export async function setUnsubscribed(db: Db, id: string, at: Date | null): Promise<RecipientRow | undefined> {
  return db
    .updateTable('recipients')
    .set({ unsubscribed_at: at })
    .where('id', '=', id)
    .where('unsubscribed_at', at === null ? 'is not' : 'is', null)
    .returningAll()
    .executeTakeFirst();
}
