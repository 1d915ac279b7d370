import type { Server } from 'node:http';
import express from 'express';
import { DateTime } from 'luxon';
import { pino } from 'pino';
import { recipientRoutes } from '../../src/http/routes/recipient-routes.js';
import { notFoundHandler, problemHandler } from '../../src/http/problem.js';
import { loadPolicy } from '../../src/policy/load-policy.js';
import type { Db } from '../../src/storage/database.js';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { TestBackend, TestDatabase } from '../support/database.js';

export const NOW = '2026-11-25T12:00:00Z';

export interface RecipientTestApi {
  request(
    method: string,
    path: string,
    options?: { json?: unknown; csv?: string | ArrayBuffer; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/**
 * The recipient router alone over real HTTP on a free port, behind the same JSON parser and
 * problem handler as the app, with an admin principal set as the token middleware would.
 */
export async function startRecipientApi(db: Db): Promise<RecipientTestApi> {
  const app = express();
  app.use(express.json({ limit: '100kb', type: ['application/json', 'application/*+json'] }));
  app.use((req, _res, next) => {
    req.principal = { role: 'admin', actor: 'admin:test' };
    next();
  });
  app.use('/api', recipientRoutes({ db, policy: loadPolicy(), clock: () => DateTime.fromISO(NOW) }));
  app.use(notFoundHandler);
  app.use(problemHandler(pino({ level: 'silent' })));

  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    async request(method, path, { json, csv, headers = {} } = {}) {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(csv !== undefined ? { 'content-type': 'text/csv; charset=utf-8' } : {}),
          ...headers,
        },
        body: json !== undefined ? (typeof json === 'string' ? json : JSON.stringify(json)) : csv,
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON (204, or text): keep the text
      }
      return { status: response.status, body, headers: response.headers };
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Rows in a table, to prove that a refused request wrote nothing. */
export async function countRows(db: Db, table: 'recipients' | 'audit_events'): Promise<number> {
  const row = await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The recipient API of one describe block: a database of its own, the API over it, and the
 * `tables` emptied before each test (each test arranges its own rows). Read `db` and `api`
 * inside a test.
 */
export function useRecipientApi(backend: TestBackend, tables: readonly ('recipients' | 'audit_events')[]): { readonly db: Db; readonly api: RecipientTestApi } {
  let database: TestDatabase | undefined;
  let api: RecipientTestApi | undefined;
  beforeAll(async () => {
    database = await backend.open();
    api = await startRecipientApi(database.db);
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });
  beforeEach(async () => {
    for (const table of tables) await database!.db.deleteFrom(table).execute();
  });
  return {
    get db() {
      return database!.db;
    },
    get api() {
      return api!;
    },
  };
}
