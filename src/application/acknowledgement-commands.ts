import { acknowledge, findAcknowledgement } from '../acknowledgements/acknowledgement-repository.js';
import type { LinkClaims } from '../links/link-tokens.js';
import { findRecipient } from '../recipients/recipient-repository.js';
import { owesCatchUp } from '../rules/told.js';
import type { RecipientRow, WindowRow } from '../storage/schema.js';
import { recordAudit } from '../windows/audit-repository.js';
import { findWindow } from '../windows/window-repository.js';
import type { ApplicationDeps } from './app-deps.js';

/**
 * What the acknowledgement link's page shows, decided from the signed claims (recipient,
 * window, revision) and the window as it is now:
 * - `gone`: the window or the recipient is no longer there (the link is useless);
 * - `cancelled` / `ended`: nothing to prepare for any more;
 * - `open`: the link's time is the window's time and it is not confirmed yet;
 * - `moved`: the window's time changed after the link was sent and the new time is not
 *   confirmed: the page shows the new time and lets the person confirm it (see below);
 * - `confirmed`: the current time is confirmed, at `acknowledgedAt`.
 */
export type AcknowledgementPage =
  | { state: 'gone' }
  | { state: 'cancelled' | 'ended'; window: WindowRow; recipient: RecipientRow }
  | { state: 'open' | 'moved'; window: WindowRow; recipient: RecipientRow }
  | { state: 'confirmed'; window: WindowRow; recipient: RecipientRow; acknowledgedAt: Date; justNow: boolean };

/** A link's claims checked by requireLink: an acknowledgement link carries the window and revision. */
type AckClaims = Pick<LinkClaims, 'subject' | 'windowId' | 'revision'>;

export async function acknowledgementPage(deps: Pick<ApplicationDeps, 'db' | 'clock'>, claims: AckClaims): Promise<AcknowledgementPage> {
  const { db } = deps;
  if (!claims.windowId || claims.revision === undefined) return { state: 'gone' };
  const [window, recipient] = await Promise.all([findWindow(db, claims.windowId), findRecipient(db, claims.subject)]);
  // A revision ahead of the window's was never sent: such a link is not one of ours.
  if (!window || !recipient || recipient.deleted_at !== null || claims.revision > window.revision) return { state: 'gone' };
  if (window.status === 'cancelled') return { state: 'cancelled', window, recipient };
  if (!owesCatchUp(window, deps.clock().toJSDate())) return { state: 'ended', window, recipient };
  const current = await findAcknowledgement(db, window.id, recipient.id, window.revision);
  if (current) return { state: 'confirmed', window, recipient, acknowledgedAt: current.acknowledged_at, justNow: false };
  return { state: claims.revision === window.revision ? 'open' : 'moved', window, recipient };
}

/**
 * Confirms that the recipient's unit is prepared for the window at the time the page showed
 * (`shownRevision`, from the form). Idempotent: a second click keeps the first time. A link
 * of an earlier revision may confirm the new time, because the page it opened showed the
 * new time and said it had changed: the person confirms what they saw, never a time they
 * did not see (a page older than the latest change only shows the change again).
 */
export async function confirmAcknowledgement(
  deps: Pick<ApplicationDeps, 'db' | 'clock'>,
  claims: AckClaims,
  shownRevision: number,
): Promise<AcknowledgementPage> {
  return deps.db.transaction().execute(async (trx) => {
    const page = await acknowledgementPage({ db: trx, clock: deps.clock }, claims);
    if ((page.state !== 'open' && page.state !== 'moved') || shownRevision !== page.window.revision) return page;
    const now = deps.clock().toJSDate();
    const { row, created } = await acknowledge(trx, { windowId: page.window.id, recipientId: page.recipient.id, revision: page.window.revision, at: now });
    if (created) {
      await recordAudit(trx, {
        windowId: page.window.id,
        actor: `recipient:${page.recipient.id}`,
        action: 'window.acknowledged',
        at: now,
        details: {
          text: `bekräftat av ${page.recipient.name}`,
          recipientId: page.recipient.id,
          name: page.recipient.name,
          unit: page.recipient.unit,
          revision: page.window.revision,
        },
      });
    }
    return { state: 'confirmed', window: page.window, recipient: page.recipient, acknowledgedAt: row.acknowledged_at, justNow: created };
  });
}
