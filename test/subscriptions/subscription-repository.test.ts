import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimConfirmationMail, forgetOldSignUps, recordSignUp, settleConfirmationMail } from '../../src/subscriptions/subscription-repository.js';
import { CONFIRMATION_MAIL_EVERY_MS, SIGN_UP_KEPT_MS } from '../../src/subscriptions/subscription-service.js';
import { testBackends, type TestDatabase } from '../support/database.js';

const MINUTE = 60_000;
const T0 = new Date('2027-03-01T08:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * MINUTE);

/** The per-address limit and the forgetting of old sign-ups, on a clock the test moves. */
describe.each(testBackends)('sign-ups in the database on $name', (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await backend.open();
  });
  afterAll(async () => {
    await database?.close();
  });

  const signUp = (email: string, now: Date, systems = ['tes']) =>
    recordSignUp(database.db, { id: crypto.randomUUID(), email, systems, now, mailAgainAfter: new Date(now.getTime() - CONFIRMATION_MAIL_EVERY_MS) });
  const rowOf = (email: string) => database.db.selectFrom('subscription_requests').selectAll().where('email', '=', email).executeTakeFirstOrThrow();

  it('when one address signs up again within ten minutes, then no second e-mail is due; after them one is, under the same id', async () => {
    const first = await signUp('limit@example.org', at(0));
    expect(first.mail).toBe(true);
    const concurrent = await Promise.all(Array.from({ length: 10 }, (_, i) => signUp('limit@example.org', at(1 + i / 10), ['careapp'])));
    expect(concurrent.map((r) => r.mail)).toEqual(Array(10).fill(false));
    expect(new Set(concurrent.map((r) => r.id))).toEqual(new Set([first.id]));
    // The latest choice of systems is what the link confirms.
    expect((await rowOf('limit@example.org')).systems).toEqual(['careapp']);
    expect((await signUp('limit@example.org', at(9.9))).mail).toBe(false);
    const later = await signUp('limit@example.org', at(10.1));
    expect(later).toEqual({ id: first.id, mail: true, mailedAt: at(10.1) });
  });

  it('when a sign-up is old and its e-mail settled, then it is forgotten; one still being sent is kept', async () => {
    await signUp('old-sent@example.org', at(0));
    await signUp('old-unsent@example.org', at(0));
    const sent = await claimConfirmationMail(database.db, (await rowOf('old-sent@example.org')).id, { now: at(0), abandonedAfterMs: MINUTE });
    await settleConfirmationMail(database.db, sent!.id, { status: 'sent', at: at(0) });
    // What the reconciler does at `now`: forget what was last mailed before now − SIGN_UP_KEPT_MS.
    const forgetAt = (now: Date) => forgetOldSignUps(database.db, new Date(now.getTime() - SIGN_UP_KEPT_MS));
    const keptUntil = new Date(at(0).getTime() + SIGN_UP_KEPT_MS);
    expect(await forgetAt(new Date(keptUntil.getTime() - MINUTE))).toBe(0);
    expect(await forgetAt(new Date(keptUntil.getTime() + MINUTE))).toBe(1);
    expect(await database.db.selectFrom('subscription_requests').select('email').where('email', 'like', 'old-%').execute()).toEqual([{ email: 'old-unsent@example.org' }]);
  });
});
