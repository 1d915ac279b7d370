import { sql } from 'kysely';
import type { Db } from '../storage/database.js';

export interface AuditEvent {
  windowId: string | null;
  actor: string;
  action: string;
  at: Date;
  details: Record<string, unknown>;
}

export async function recordAudit(db: Db, event: AuditEvent): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      window_id: event.windowId,
      actor: event.actor,
      action: event.action,
      at: event.at,
      details: JSON.stringify(event.details),
    })
    .execute();
}

export async function listAudit(db: Db, filter: { windowId?: string; from?: Date; to?: Date }) {
  let query = db.selectFrom('audit_events').selectAll().orderBy('id');
  if (filter.windowId) query = query.where('window_id', '=', filter.windowId);
  if (filter.from) query = query.where('at', '>=', filter.from);
  if (filter.to) query = query.where('at', '<', filter.to);
  return query.execute();
}

/** The audit trail of one recipient: every event whose details name them, oldest first. */
export async function listAuditOfRecipient(db: Db, recipientId: string) {
  return db
    .selectFrom('audit_events')
    .selectAll()
    .where(sql<boolean>`details ? 'recipientId'`)
    .where(sql<boolean>`details->>'recipientId' = ${recipientId}`)
    .orderBy('id')
    .execute();
}
