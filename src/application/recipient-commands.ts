import { planAllCatchUps } from '../notices/catch-up.js';
import { listAuditOfRecipient } from '../windows/audit-repository.js';
import type { RecipientFilter } from '../recipients/recipient-repository.js';
import type { ImportReport, NewRecipientInput, RecipientChangeInput, RecipientListQuery, RecipientView } from '../recipients/recipient-schemas.js';
import * as recipients from '../recipients/recipient-service.js';
import type { RecipientServiceDeps } from '../recipients/recipient-service.js';
import type { WindowServiceDeps } from '../windows/window-service.js';

/** What the recipient commands need: the database, the policy's systems, and the clock. */
export interface RecipientDeps extends RecipientServiceDeps {
  /**
   * Schedules the catch-up announcements a newcomer is owed. @defaultValue none: the
   * reconciler plans and schedules them within a minute
   */
  onCommitted?: WindowServiceDeps['onCommitted'] | undefined;
  /** The CMS endpoints, as the catch-up planner needs them. */
  webhooks?: WindowServiceDeps['webhooks'];
}
export type { ImportReport, NewRecipientInput, RecipientChangeInput, RecipientFilter, RecipientListQuery, RecipientView };
export type { RecipientPage } from '../recipients/recipient-service.js';

/*
 * The register of recipients as both adapters change and read it. These delegate to the
 * recipient service, which checks systems against the policy and writes the audit trail in
 * the same transaction; the adapters never reach past these names.
 */

/** Adds one recipient; a second active recipient of the same kind and e-mail is a 409. */
export async function createRecipient(deps: RecipientDeps, input: NewRecipientInput, actor: string): Promise<RecipientView> {
  const created = await recipients.createRecipient(deps, input, actor);
  await catchUpNewcomers(deps);
  return created;
}

/**
 * A recipient who joins after an announcement of a window they follow went out is owed it
 * at once (src/rules/told.ts): planned and scheduled here rather than at the next reconcile.
 */
export async function catchUpNewcomers(deps: RecipientDeps): Promise<void> {
  if (!deps.onCommitted) return;
  const options = { now: deps.clock().toJSDate(), policy: deps.policy, webhooks: deps.webhooks ?? {} };
  for (const change of await planAllCatchUps(deps.db, options)) await deps.onCommitted(change);
}

/** The active recipients, narrowed by kind or system when the filter says so. */
export function listRecipients(deps: RecipientDeps, filter: RecipientFilter): Promise<RecipientView[]> {
  return recipients.listRecipientViews(deps, filter);
}

/** The register searched and paged as the admin reads it (see recipient-service `findRecipients`). */
export function findRecipients(deps: RecipientDeps, query: RecipientListQuery): Promise<recipients.RecipientPage> {
  return recipients.findRecipients(deps, query);
}

/** A change in the register's record of one recipient: when, what (the audit action), by whom, and its details. */
export interface RecipientEvent {
  at: Date;
  action: string;
  actor: string;
  details: Record<string, unknown>;
}

/** The audit trail of one recipient, oldest first: an administrator's changes and their own (self-service, sign-up). */
export async function recipientHistory(deps: RecipientDeps, id: string): Promise<RecipientEvent[]> {
  const rows = await listAuditOfRecipient(deps.db, id);
  return rows.map((r) => ({ at: r.at, action: r.action, actor: r.actor, details: r.details }));
}

/** One active recipient; 404 when unknown or removed. */
export function recipientDetail(deps: RecipientDeps, id: string): Promise<RecipientView> {
  return recipients.recipientView(deps, id);
}

/**
 * Changes a recipient's name, unit, address or systems, with the change in the audit trail.
 * Systems added may make them owed the announcement of a window already announced: planned at once.
 */
export async function changeRecipient(deps: RecipientDeps, id: string, input: RecipientChangeInput, actor: string): Promise<RecipientView> {
  const { recipient, changed } = await recipients.changeRecipient(deps, id, input, actor);
  if (changed.includes('systems')) await catchUpNewcomers(deps);
  return recipient;
}

/** Removes a recipient from the register; what they were already sent stays on record. */
export function removeRecipient(deps: RecipientDeps, id: string, actor: string): Promise<void> {
  return recipients.removeRecipient(deps, id, actor);
}

/**
 * Imports a CSV list: valid new rows in one transaction, every other row reported by its
 * line number. A dry run reports the same and writes nothing.
 */
export async function importRecipients(deps: RecipientDeps, csv: string, options: { dryRun: boolean }, actor: string): Promise<ImportReport> {
  const report = await recipients.importRecipients(deps, csv, options, actor);
  if (report.imported > 0 && !report.dryRun) await catchUpNewcomers(deps);
  return report;
}
