import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSessionRevoked, revokeSession } from '../../src/storage/session-repository.js';
import { testBackends, type TestDatabase } from '../support/database.js';

describe.each(testBackends)('signed-out admin sessions on $name', (backend) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await backend.open();
  });
  afterEach(async () => {
    await database?.close();
  });

  it('when a session is signed out twice, then it is revoked once and others are not', async () => {
    const now = new Date('2026-11-26T10:00:00Z');
    const expires = new Date('2026-11-26T18:00:00Z');
    await revokeSession(database.db, 'a', expires, now);
    await revokeSession(database.db, 'a', expires, now);
    expect(await isSessionRevoked(database.db, 'a')).toBe(true);
    expect(await isSessionRevoked(database.db, 'b')).toBe(false);
  });

  it('when a revoked session has passed its expiry, then the next sign-out forgets it', async () => {
    await revokeSession(database.db, 'old', new Date('2026-11-26T08:00:00Z'), new Date('2026-11-26T07:00:00Z'));
    await revokeSession(database.db, 'new', new Date('2026-11-26T20:00:00Z'), new Date('2026-11-26T12:00:00Z'));
    const left = await database.db.selectFrom('revoked_sessions').select('id').execute();
    expect(left.map((r) => r.id)).toEqual(['new']);
  });
});
