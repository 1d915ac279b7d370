import { afterAll, beforeAll } from 'vitest';
import { startTestApi, type TestApi } from './api.js';
import type { TestBackend, TestDatabase } from './database.js';

export interface ApiFixture {
  readonly api: TestApi;
  readonly database: TestDatabase;
  windowCount(): Promise<number>;
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
  };
}
