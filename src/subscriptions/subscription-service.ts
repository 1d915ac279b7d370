import { randomUUID } from 'node:crypto';
import type { Policy } from '../policy/policy-schema.js';
import type { Db } from '../storage/database.js';
import { recordAudit } from '../windows/audit-repository.js';
import { findSubscriptionRequest, markConfirmed, recordSignUp, upsertSubscriber } from './subscription-repository.js';

const MINUTE = 60_000;

/**
 * At most one confirmation e-mail per address in this time, however often it is signed up:
 * a form cannot be used to flood someone's inbox, and the answer is the same every time.
 */
export const CONFIRMATION_MAIL_EVERY_MS = 10 * MINUTE;

/** A sign-up is kept this long after its last e-mail (whose link holds 48 hours), then forgotten. */
export const SIGN_UP_KEPT_MS = 7 * 24 * 60 * MINUTE;

export interface SubscriptionDeps {
  db: Db;
  policy: Policy;
}

/** A confirmation e-mail to send: its request and the instant it was asked for (its job id derives from both). */
export interface ConfirmationMail {
  requestId: string;
  mailedAt: Date;
}

/**
 * Records a public sign-up: the address and systems wait for the confirmation link, and a
 * confirmation e-mail is due unless one went to the address within the limit. Whether the
 * address is subscribed already changes nothing here, so the answer can never tell.
 */
export async function signUp(deps: SubscriptionDeps, input: { email: string; systems: string[] }, now: Date): Promise<ConfirmationMail | null> {
  const recorded = await recordSignUp(deps.db, {
    id: randomUUID(),
    email: input.email,
    systems: [...new Set(input.systems)],
    now,
    mailAgainAfter: new Date(now.getTime() - CONFIRMATION_MAIL_EVERY_MS),
  });
  return recorded.mail ? { requestId: recorded.id, mailedAt: recorded.mailedAt } : null;
}

/** What the confirmation page shows: the address the link was sent to and what it asked for. */
export interface PendingSignUp {
  email: string;
  systems: string[];
  confirmed: boolean;
}

export async function pendingSignUp(deps: SubscriptionDeps, requestId: string): Promise<PendingSignUp | null> {
  const request = await findSubscriptionRequest(deps.db, requestId);
  return request ? { email: request.email, systems: request.systems, confirmed: request.confirmed_at !== null } : null;
}

/**
 * The link was followed: the address becomes (or stays) a public subscriber of the systems
 * asked for, in one transaction with its audit entry. A link followed again changes nothing.
 * Returns null when the sign-up is gone.
 */
export async function confirmSignUp(deps: SubscriptionDeps, requestId: string, now: Date): Promise<{ changed: boolean } | null> {
  return deps.db.transaction().execute(async (trx) => {
    const before = await findSubscriptionRequest(trx, requestId);
    if (!before) return null;
    // Confirmed before: an old link opened again (even after unsubscribing) subscribes nobody anew.
    if (before.confirmed_at !== null) return { changed: false };
    const request = (await markConfirmed(trx, requestId, now))!;
    const systems = request.systems.filter((s) => Object.hasOwn(deps.policy.systems, s));
    const { row, before: systemsBefore } = await upsertSubscriber(trx, { id: randomUUID(), email: request.email, systems, now });
    await recordAudit(trx, {
      windowId: null,
      // Done by the person who opened the link sent to the address, as self-service changes are named.
      actor: `mottagaren själv: ${request.email}`,
      action: systemsBefore === null ? 'recipient.created' : 'recipient.systems_changed',
      at: now,
      details: { recipientId: row.id, kind: 'subscriber', email: row.email, via: 'public-sign-up', systems: { before: systemsBefore, after: row.systems } },
    });
    return { changed: true };
  });
}
