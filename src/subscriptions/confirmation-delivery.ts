import type { Logger } from 'pino';
import { classifyFailure, describeFailure } from '../delivery/failure-kinds.js';
import type { Mailer } from '../delivery/mailer.js';
import type { Db } from '../storage/database.js';
import type { ConfirmationMessages } from './confirmation-email.js';
import { claimConfirmationMail, settleConfirmationMail } from './subscription-repository.js';

export interface ConfirmationDeliveryDeps {
  db: Db;
  mailer: Mailer;
  messages: ConfirmationMessages;
  logger: Logger;
  now: () => Date;
  /** A claim older than this belongs to a dead worker and is taken over. */
  abandonedAfterMs: number;
}

/**
 * What became of one attempt: `sent`; `nothing` when it was sent, failed or is being sent
 * already; `retry` after a transient failure (given back for the next attempt); `failed` for
 * good; `programming` when retrying cannot help.
 */
export type ConfirmationOutcome = 'sent' | 'nothing' | 'retry' | 'failed' | 'programming';

/**
 * Sends a sign-up's confirmation e-mail through the same mailer and failure table as every
 * notice: claimed first, so two workers never both send it; a transient failure (SMTP away,
 * 421) gives it back for the job's next attempt, a permanent one (550) ends it.
 */
export async function sendConfirmationMail(
  deps: ConfirmationDeliveryDeps,
  requestId: string,
  options: { finalAttempt: boolean },
): Promise<ConfirmationOutcome> {
  const request = await claimConfirmationMail(deps.db, requestId, { now: deps.now(), abandonedAfterMs: deps.abandonedAfterMs });
  if (!request) return 'nothing';
  try {
    const email = await deps.messages.emailFor({ id: request.id, email: request.email, systems: request.systems, mailedAt: request.mailed_at });
    await deps.mailer.send(email);
  } catch (error) {
    const kind = classifyFailure(error);
    const reason = describeFailure(error);
    const again = kind === 'transient' && !options.finalAttempt;
    await settleConfirmationMail(deps.db, request.id, { status: again ? 'pending' : 'failed', error: reason });
    if (!again) deps.logger.warn({ subscriptionRequestId: request.id, kind, error: reason }, 'confirmation e-mail failed for good');
    return again ? 'retry' : kind === 'programming' ? 'programming' : 'failed';
  }
  await settleConfirmationMail(deps.db, request.id, { status: 'sent', at: deps.now() });
  return 'sent';
}
