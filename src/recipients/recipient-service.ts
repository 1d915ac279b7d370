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
  lockActiveRecipient,
  softDeleteRecipient,
  updateRecipient,
  type NewRecipient,
  type RecipientChange,
  type RecipientFilter,
} from './recipient-repository.js';
import {
  RECIPIENT_PAGE_SIZE,
  toRecipientView,
  type ImportReport,
  type NewRecipientInput,
  type RecipientChangeInput,
  type RecipientListQuery,
  type RecipientView,
} from './recipient-schemas.js';

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

export interface RecipientPage {
  items: RecipientView[];
  total: number;
  /** The page shown, 1 when none was asked for; `pages` is at least 1. */
  page: number;
  pages: number;
}

/** Swedish order (å, ä, ö after z), case and accents aside, numbers as numbers. */
const SWEDISH = new Intl.Collator('sv', { sensitivity: 'base', numeric: true });

/**
 * The register as the admin reads it: searched by name, unit, address and system (its id or
 * name), narrowed by kind and system, in Swedish alphabetical order of the name (of the
 * address for a subscriber, who has none), a page at a time when a page is asked for.
 */
export async function findRecipients(deps: RecipientServiceDeps, query: RecipientListQuery): Promise<RecipientPage> {
  const q = query.q?.trim() || undefined;
  const words = q?.toLocaleLowerCase('sv');
  const qSystems = words
    ? Object.entries(deps.policy.systems).flatMap(([id, s]) => (id.includes(words) || s.displayName.toLocaleLowerCase('sv').includes(words) ? [id] : []))
    : [];
  const rows = await listRecipients(deps.db, { kind: query.kind, system: query.system, q, qSystems });
  const sortName = (r: { name: string; email: string }) => r.name.trim() || r.email;
  rows.sort((a, b) => SWEDISH.compare(sortName(a), sortName(b)) || SWEDISH.compare(a.email, b.email) || a.id.localeCompare(b.id));
  const views = rows.map((row) => toRecipientView(row, deps.policy.timezone));
  if (query.page === undefined) return { items: views, total: views.length, page: 1, pages: 1 };
  const pages = Math.max(1, Math.ceil(views.length / RECIPIENT_PAGE_SIZE));
  const from = (query.page - 1) * RECIPIENT_PAGE_SIZE;
  return { items: views.slice(from, from + RECIPIENT_PAGE_SIZE), total: views.length, page: query.page, pages };
}

/** One active recipient; a NotFoundError when unknown or removed. */
export async function recipientView(deps: RecipientServiceDeps, id: string): Promise<RecipientView> {
  const row = await deps.db.transaction().execute((trx) => lockActiveRecipient(trx, id));
  if (!row) throw new NotFoundError(`Mottagaren ${id}`);
  return toRecipientView(row, deps.policy.timezone);
}

/**
 * Changes a recipient's name, unit, address or systems. Only what differs is written, and
 * with its before and after in the audit trail in the same transaction; the same change
 * again changes and records nothing (a PATCH is idempotent by itself). An address another
 * active recipient of the same kind has is a 409, as on creation.
 */
export async function changeRecipient(
  deps: RecipientServiceDeps,
  id: string,
  input: RecipientChangeInput,
  actor: string,
): Promise<{ recipient: RecipientView; changed: (keyof RecipientChange)[] }> {
  if (input.systems) {
    const violations = unknownSystems(deps.policy, input.systems);
    if (violations.length > 0) throw new RuleViolationError(violations);
  }
  const now = deps.clock().toJSDate();
  const duplicate = (email: string) => new ConflictError(`E-postadressen ${email} används redan av en annan aktiv mottagare av samma typ.`);
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const before = await lockActiveRecipient(trx, id);
      if (!before) throw new NotFoundError(`Mottagaren ${id}`);
      const wanted: RecipientChange = {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.unit !== undefined ? { unit: input.unit } : {}),
        ...(input.email !== undefined ? { email: input.email } : {}),
        ...(input.systems !== undefined ? { systems: [...new Set(input.systems)] } : {}),
      };
      const change: RecipientChange = {};
      const details: Record<string, { before: unknown; after: unknown }> = {};
      for (const [key, after] of Object.entries(wanted) as [keyof RecipientChange, unknown][]) {
        const was = before[key];
        const same = Array.isArray(after) && Array.isArray(was) ? sameSet(after, was) : after === was;
        if (same) continue;
        Object.assign(change, { [key]: after });
        details[key] = { before: was, after };
      }
      const changed = Object.keys(change) as (keyof RecipientChange)[];
      if (changed.length === 0) return { recipient: toRecipientView(before, deps.policy.timezone), changed };
      if (change.email !== undefined && (await findActiveByEmails(trx, [{ kind: before.kind, email: change.email }])).length > 0) {
        throw duplicate(change.email);
      }
      const after = (await updateRecipient(trx, id, change))!;
      await recordAudit(trx, {
        windowId: null,
        actor,
        action: 'recipient.changed',
        at: now,
        details: { recipientId: id, kind: before.kind, ...details },
      });
      return { recipient: toRecipientView(after, deps.policy.timezone), changed };
    });
  } catch (error) {
    // Another request took the address between the look-up and the write: the index decides.
    if ((error as { code?: unknown } | null)?.code === '23505' && input.email) throw duplicate(input.email);
    throw error;
  }
}

function sameSet(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
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
