import { randomUUID } from 'node:crypto';
import type { DateTime } from 'luxon';
import { ConflictError, NotFoundError, RuleViolationError, type FieldError } from '../errors.js';
import type { Policy } from '../policy/policy-schema.js';
import type { Db } from '../storage/database.js';
import type { RecipientKind } from '../storage/schema.js';
import { recordAudit } from '../windows/audit-repository.js';
import { parseRecipientCsv, unknownSystemError, type RefusedRow } from './csv-import.js';
import {
  findActiveByEmails,
  insertRecipient,
  insertRecipients,
  listRecipients,
  softDeleteRecipient,
  type NewRecipient,
  type RecipientFilter,
} from './recipient-repository.js';
import { toRecipientView, type ImportReport, type NewRecipientInput, type RecipientView } from './recipient-schemas.js';

export interface RecipientServiceDeps {
  db: Db;
  policy: Policy;
  clock: () => DateTime;
}

const keyOf = (r: { kind: RecipientKind; email: string }) => `${r.kind} ${r.email}`;

function toNewRecipient(input: NewRecipientInput, createdAt: Date): NewRecipient {
  return { ...input, id: randomUUID(), systems: [...new Set(input.systems)], createdAt };
}

function unknownSystems(policy: Policy, systems: readonly string[]): FieldError[] {
  return systems.flatMap((system, index) =>
    Object.hasOwn(policy.systems, system) ? [] : [unknownSystemError(policy.systems, system, index)],
  );
}

export async function createRecipient(deps: RecipientServiceDeps, input: NewRecipientInput, actor: string): Promise<RecipientView> {
  const violations = unknownSystems(deps.policy, input.systems);
  if (violations.length > 0) throw new RuleViolationError(violations);
  const now = deps.clock().toJSDate();
  const row = await deps.db.transaction().execute(async (trx) => {
    const inserted = await insertRecipient(trx, toNewRecipient(input, now));
    if (!inserted) {
      throw new ConflictError(`Det finns redan en aktiv mottagare av typen ${input.kind} med e-posten ${input.email}.`);
    }
    await recordAudit(trx, {
      windowId: null,
      actor,
      action: 'recipient.created',
      at: now,
      details: { recipientId: inserted.id, kind: inserted.kind, email: inserted.email, systems: inserted.systems },
    });
    return inserted;
  });
  return toRecipientView(row, deps.policy.timezone);
}

export async function listRecipientViews(deps: RecipientServiceDeps, filter: RecipientFilter): Promise<RecipientView[]> {
  const rows = await listRecipients(deps.db, filter);
  return rows.map((row) => toRecipientView(row, deps.policy.timezone));
}

/** Removes an active recipient; a NotFoundError when it is unknown or already removed. */
export async function removeRecipient(deps: RecipientServiceDeps, id: string, actor: string): Promise<void> {
  const now = deps.clock().toJSDate();
  await deps.db.transaction().execute(async (trx) => {
    const removed = await softDeleteRecipient(trx, id, now);
    if (!removed) throw new NotFoundError(`Mottagaren ${id}`);
    await recordAudit(trx, {
      windowId: null,
      actor,
      action: 'recipient.removed',
      at: now,
      details: { recipientId: removed.id, kind: removed.kind, email: removed.email },
    });
  });
}

/**
 * Imports a CSV recipient list: every valid row that is not already an active recipient is
 * written in one transaction, every other row is reported with its line number. A dry run
 * gives the same report and writes nothing.
 */
export async function importRecipients(
  deps: RecipientServiceDeps,
  csv: string,
  options: { dryRun: boolean },
  actor: string,
): Promise<ImportReport> {
  const { accepted, refused } = parseRecipientCsv(csv, deps.policy.systems);
  const now = deps.clock().toJSDate();
  const duplicate = (row: number, email: string): RefusedRow => ({
    row,
    email,
    errors: [{ path: 'email', code: 'duplicate', message: 'Finns redan som aktiv mottagare av samma typ.' }],
  });

  const imported = await deps.db.transaction().execute(async (trx) => {
    const existing = new Set((await findActiveByEmails(trx, accepted.map((a) => a.recipient))).map(keyOf));
    const fresh = accepted.filter(({ row, recipient }) => {
      if (!existing.has(keyOf(recipient))) return true;
      refused.push(duplicate(row, recipient.email));
      return false;
    });
    if (options.dryRun || fresh.length === 0) return fresh.length;

    const inserted = new Set((await insertRecipients(trx, fresh.map((a) => toNewRecipient(a.recipient, now)))).map(keyOf));
    // A row another request added since the look-up above is skipped by the unique index.
    for (const { row, recipient } of fresh) {
      if (!inserted.has(keyOf(recipient))) refused.push(duplicate(row, recipient.email));
    }
    if (inserted.size === 0) return 0;
    await recordAudit(trx, {
      windowId: null,
      actor,
      action: 'recipients.imported',
      at: now,
      details: { imported: inserted.size, refused: refused.length },
    });
    return inserted.size;
  });

  refused.sort((a, b) => a.row - b.row);
  return { imported, dryRun: options.dryRun, refused };
}
