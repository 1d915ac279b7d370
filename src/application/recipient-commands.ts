import type { RecipientFilter } from '../recipients/recipient-repository.js';
import type { ImportReport, NewRecipientInput, RecipientView } from '../recipients/recipient-schemas.js';
import * as recipients from '../recipients/recipient-service.js';
import type { RecipientServiceDeps } from '../recipients/recipient-service.js';

/** What the recipient commands need: the database, the policy's systems, and the clock. */
export type RecipientDeps = RecipientServiceDeps;
export type { ImportReport, NewRecipientInput, RecipientFilter, RecipientView };

/*
 * The register of recipients as both adapters change and read it. These delegate to the
 * recipient service, which checks systems against the policy and writes the audit trail in
 * the same transaction; the adapters never reach past these names.
 */

/** Adds one recipient; a second active recipient of the same kind and e-mail is a 409. */
export function createRecipient(deps: RecipientDeps, input: NewRecipientInput, actor: string): Promise<RecipientView> {
  return recipients.createRecipient(deps, input, actor);
}

/** The active recipients, narrowed by kind or system when the filter says so. */
export function listRecipients(deps: RecipientDeps, filter: RecipientFilter): Promise<RecipientView[]> {
  return recipients.listRecipientViews(deps, filter);
}

/** Removes a recipient from the register; what they were already sent stays on record. */
export function removeRecipient(deps: RecipientDeps, id: string, actor: string): Promise<void> {
  return recipients.removeRecipient(deps, id, actor);
}

/**
 * Imports a CSV list: valid new rows in one transaction, every other row reported by its
 * line number. A dry run reports the same and writes nothing.
 */
export function importRecipients(deps: RecipientDeps, csv: string, options: { dryRun: boolean }, actor: string): Promise<ImportReport> {
  return recipients.importRecipients(deps, csv, options, actor);
}
