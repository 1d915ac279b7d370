import { sql } from 'kysely';
import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import type { Db } from './database.js';
import * as windowsAndNotices from './migrations/2026-11-25-windows-and-notices.js';
import * as recipientsAndDeliveries from './migrations/2026-11-26-recipients-and-deliveries.js';
import * as windowsEndAt from './migrations/2026-11-27-windows-end-at.js';
import * as registerChanges from './migrations/2026-11-28-register-changes.js';
import * as revokedSessions from './migrations/2026-11-29-revoked-sessions.js';
import * as catchUpNotices from './migrations/2026-11-30-catch-up-notices.js';
import * as deliveryClaims from './migrations/2026-12-01-delivery-claims.js';
import * as series from './migrations/2026-12-02-series.js';
import * as acknowledgements from './migrations/2026-12-03a-acknowledgements.js';
import * as selfService from './migrations/2026-12-03b-self-service.js';
import * as publicSubscriptions from './migrations/2026-12-03c-public-subscriptions.js';
import * as disruptions from './migrations/2026-12-04-disruptions.js';

/** Append-only, in order of their date-stamped names. */
const MIGRATIONS: Record<string, Migration> = {
  '2026-11-25-windows-and-notices': windowsAndNotices,
  '2026-11-26-recipients-and-deliveries': recipientsAndDeliveries,
  '2026-11-27-windows-end-at': windowsEndAt,
  '2026-11-28-register-changes': registerChanges,
  '2026-11-29-revoked-sessions': revokedSessions,
  '2026-11-30-catch-up-notices': catchUpNotices,
  '2026-12-01-delivery-claims': deliveryClaims,
  '2026-12-02-series': series,
  '2026-12-03a-acknowledgements': acknowledgements,
  '2026-12-03b-self-service': selfService,
  '2026-12-03c-public-subscriptions': publicSubscriptions,
  '2026-12-04-disruptions': disruptions,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/**
 * Kysely looks for its own bookkeeping tables in any schema unless told which; name the
 * schema in use, so that installations (and test schemas) sharing one database stay apart.
 */
async function migrator(db: Db): Promise<Migrator> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return new Migrator({ db, provider, migrationTableSchema: rows[0]!.schema });
}

function unwrap(result: MigrationResultSet): void {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${String(result.error)}`, { cause: result.error });
  }
}

/**
 * Catalog errors of a schema, table or column that vanished while being read:
 * invalid_schema_name, undefined_table, undefined_column (pg_get_serial_sequence on a table
 * being dropped), and the internal "cache lookup failed" of an object dropped mid-read.
 */
const VANISHED = new Set(['3F000', '42P01', '42703', 'XX000']);
/** Each repeat is a fresh read of the catalog; under heavy churn a few in a row can meet a drop. */
const ATTEMPTS = 40;

/**
 * Kysely finds its bookkeeping tables by reading the catalog of every schema in the database.
 * When another installation (or test) drops its schema during that read, the read fails before
 * any migration ran; the run is then simply repeated.
 */
async function migrate(run: () => Promise<MigrationResultSet>): Promise<MigrationResultSet> {
  for (let attempt = 1; ; attempt++) {
    const result = await run();
    const code = (result.error as { code?: unknown } | undefined)?.code;
    // Nothing ran (no results, or every one not executed): the failure was the catalog read.
    const nothingRan = !result.results?.some((r) => r.status !== 'NotExecuted');
    const vanished = nothingRan && typeof code === 'string' && VANISHED.has(code);
    if (!vanished || attempt === ATTEMPTS) return result;
    await new Promise((resolve) => setTimeout(resolve, Math.min(10 * attempt, 100)));
  }
}

/** Brings the schema up to date; safe to run from several processes at once (Kysely locks). */
export async function migrateToLatest(db: Db): Promise<void> {
  const m = await migrator(db);
  unwrap(await migrate(() => m.migrateToLatest()));
}

/** Undoes every migration: for the up-down-up test. */
export async function migrateDownAll(db: Db): Promise<void> {
  const m = await migrator(db);
  for (;;) {
    const result = await migrate(() => m.migrateDown());
    unwrap(result);
    if (!result.results?.length) return;
  }
}
