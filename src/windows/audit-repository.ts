import { sql } from 'kysely';
import type { Db } from '../storage/database.js';
import type { NewAuditEventRow } from '../storage/schema.js';

export interface AuditEvent {
  windowId: string | null;
  /** The disruption the event is about, if any. */
  disruptionId?: string | null | undefined;
  actor: string;
  action: string;
  at: Date;
  details: Record<string, unknown>;
}

export async function recordAudit(db: Db, event: AuditEvent): Promise<void> {
  await db.insertInto('audit_events').values(auditRow(event)).execute();
}

/** The row that records an event, for a statement that writes it beside other rows. */
export function auditRow(event: AuditEvent): NewAuditEventRow {
  return {
    window_id: event.windowId,
    disruption_id: event.disruptionId ?? null,
    actor: event.actor,
    action: event.action,
    at: event.at,
    details: JSON.stringify(event.details),
  };
}

export async function listAudit(db: Db, filter: { windowId?: string | undefined; disruptionId?: string | undefined; from?: Date | undefined; to?: Date | undefined }) {
  let query = db.selectFrom('audit_events').selectAll().orderBy('id');
  if (filter.windowId) query = query.where('window_id', '=', filter.windowId);
  if (filter.disruptionId) query = query.where('disruption_id', '=', filter.disruptionId);
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
