import type { Logger } from 'pino';
import type { SignUpInput } from '../subscriptions/subscription-schemas.js';
import * as subscriptions from '../subscriptions/subscription-service.js';
import type { ConfirmationMail, PendingSignUp } from '../subscriptions/subscription-service.js';
import { catchUpNewcomers, type RecipientDeps } from './recipient-commands.js';

export type { ConfirmationMail, PendingSignUp, SignUpInput };
export { SIGN_UP_ACCEPTED, signUpBody } from '../subscriptions/subscription-schemas.js';

export interface SubscriptionDeps extends RecipientDeps {
  logger: Logger;
  /**
   * Hands a confirmation e-mail to the queue at once. @defaultValue none: the reconciler
   * finds the row and sends it within a minute
   */
  onSignUp?: ((mail: ConfirmationMail) => Promise<void>) | undefined;
}

/**
 * A public sign-up: stored, and its confirmation e-mail queued unless the address had one
 * within the limit. Nothing here tells whether the address is subscribed already.
 */
export async function signUpForPublicMail(deps: SubscriptionDeps, input: SignUpInput): Promise<void> {
  const mail = await subscriptions.signUp(deps, input, deps.clock().toJSDate());
  if (!mail || !deps.onSignUp) return;
  try {
    await deps.onSignUp(mail);
  } catch (error) {
    // Stored is stored: the reconciler queues the e-mail within a minute.
    deps.logger.warn({ subscriptionRequestId: mail.requestId, error: (error as Error).message }, 'could not queue a confirmation e-mail now; the reconciler will');
  }
}

/** What the confirmation page shows of the sign-up its link names; null when it is gone. */
export function pendingSignUp(deps: SubscriptionDeps, requestId: string): Promise<PendingSignUp | null> {
  return subscriptions.pendingSignUp(deps, requestId);
}

/**
 * The confirmation button: the address becomes a public subscriber, and is owed at once the
 * announcement of every window already announced to the public (src/rules/told.ts).
 * Returns false when the sign-up is gone.
 */
export async function confirmSubscription(deps: SubscriptionDeps, requestId: string): Promise<boolean> {
  const confirmed = await subscriptions.confirmSignUp(deps, requestId, deps.clock().toJSDate());
  if (confirmed?.changed) await catchUpNewcomers(deps);
  return confirmed !== null;
}
