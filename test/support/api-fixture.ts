import { afterAll, beforeAll } from 'vitest';
import { startTestApi, type TestApi } from './api.js';
import type { TestBackend, TestDatabase } from './database.js';

export interface ApiFixture {
  readonly api: TestApi;
  readonly database: TestDatabase;
  windowCount(): Promise<number>;
  /**
   * Marks every scheduled or running window completed, so that the next test's windows do not
   * overlap earlier tests' in the shared database. Rows stay, so counts still add up.
   */
  retireWindows(): Promise<void>;
}

/** Inside a describe: a database of its own on `backend` and the API over HTTP at a fixed `now`. */
export function useTestApi(backend: TestBackend, now: string): ApiFixture {
  let database: TestDatabase;
  let api: TestApi;
  beforeAll(async () => {
    database = await backend.open();
    api = await startTestApi(database.db, { now });
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });
  return {
    get api() {
      return api;
    },
    get database() {
      return database;
    },
    async windowCount() {
      const row = await database.db.selectFrom('windows').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async retireWindows() {
      await database.db.updateTable('windows').set({ status: 'completed' }).where('status', 'in', ['scheduled', 'in_progress']).execute();
    },
  };
}
