import { z } from 'zod';
import { LINE, refineText } from '../rules/text-rules.js';
import type { RecipientKind, RecipientRow } from '../storage/schema.js';
import { formatInstant } from '../windows/window-view.js';

/** The zod schemas of the recipient API; they validate requests and can describe /openapi.json. */

export const RECIPIENT_KINDS = ['manager', 'provider', 'subscriber'] as const satisfies readonly RecipientKind[];
export const recipientKindSchema = z.enum(RECIPIENT_KINDS);
/** The kinds an administrator adds; public e-mail subscribers add themselves (double opt-in). */
export const ADDED_KINDS = ['manager', 'provider'] as const satisfies readonly RecipientKind[];

/** Stored lower-cased and trimmed, so that the unique (kind, email) index sees one address once. */
export const emailAddress = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email('ska vara en e-postadress').max(254, 'får vara högst 254 tecken'));

const name = z.string().trim().min(1, 'får inte vara tomt').max(200).superRefine(refineText(LINE));
export const systemIds = z
  .array(z.string().trim().min(1).max(50))
  .min(1, 'ska ange minst ett system')
  .max(20)
  .describe('System ids from the policy: tes, careapp, carelock');
const unit = z
  .string()
  .trim()
  .max(200)
  .superRefine(refineText(LINE))
  .nullish()
  .transform((unit) => unit || null)
  .describe('The unit the recipient manages or serves, e.g. "Hemtjänst Väster"');

export const createRecipientBody = z.strictObject({
  kind: z.enum(ADDED_KINDS),
  name,
  email: emailAddress,
  systems: systemIds,
  unit,
});
export type NewRecipientInput = z.output<typeof createRecipientBody>;

/** A change of a recipient: only the fields given change; `unit: null` (or "") clears the unit. */
export const patchRecipientBody = z
  .strictObject({ name: name.optional(), unit: unit.optional(), email: emailAddress.optional(), systems: systemIds.optional() })
  .refine((body) => Object.keys(body).length > 0, { message: 'ska ange minst ett av name, unit, email och systems', params: { code: 'empty_change' } });
export type RecipientChangeInput = z.output<typeof patchRecipientBody>;

/** Recipients on one page of a paged list. */
export const RECIPIENT_PAGE_SIZE = 50;

export const listRecipientsQuery = z.strictObject({
  kind: recipientKindSchema.optional(),
  system: z.string().min(1).max(50).optional().describe('Only recipients of this system'),
  q: z.string().trim().max(200).optional().describe('Words found in the name, unit, address or a followed system (case does not matter)'),
  page: z.coerce.number().int().min(1).max(100_000).optional().describe(`A page of ${RECIPIENT_PAGE_SIZE}, from 1; without it every match`),
});
export type RecipientListQuery = z.output<typeof listRecipientsQuery>;

export const recipientIdParams = z.strictObject({ id: z.uuid('ska vara en mottagares id (UUID)') });

export const importRecipientsQuery = z.strictObject({
  dryRun: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => value === 'true')
    .describe('Report what would be imported without writing anything'),
});

const fieldError = z.object({ path: z.string(), code: z.string(), message: z.string() });

export const recipientSchema = z.object({
  id: z.uuid(),
  kind: recipientKindSchema,
  name: z.string(),
  email: z.string(),
  systems: z.array(z.string()),
  unit: z.string().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  unsubscribedAt: z.iso.datetime({ offset: true }).nullable().describe('When they stopped receiving messages themselves; null while they receive them'),
  deputy: z
    .object({ name: z.string(), email: z.string(), from: z.iso.date(), to: z.iso.date() })
    .nullable()
    .describe('Who receives their messages instead, from and to these local dates (both included)'),
});
export type RecipientView = z.infer<typeof recipientSchema>;

export const recipientListSchema = z.object({
  items: z.array(recipientSchema),
  total: z.int().describe('Recipients matching the filter, on every page'),
  page: z.int().optional().describe('The page given, when one was'),
  pages: z.int().optional().describe('How many pages there are, when a page was asked for'),
});

export const importReportSchema = z.object({
  imported: z.int().describe('Rows written, or that would be written on a dry run'),
  dryRun: z.boolean(),
  refused: z.array(
    z.object({
      row: z.int().describe('1-based line number in the file'),
      email: z.string().optional(),
      errors: z.array(fieldError),
    }),
  ),
});
export type ImportReport = z.infer<typeof importReportSchema>;

export function toRecipientView(row: RecipientRow, zone: string): RecipientView {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    email: row.email,
    systems: row.systems,
    unit: row.unit,
    createdAt: formatInstant(row.created_at, zone)!,
    unsubscribedAt: formatInstant(row.unsubscribed_at, zone),
    deputy:
      row.deputy_name !== null && row.deputy_email !== null && row.deputy_from !== null && row.deputy_to !== null
        ? { name: row.deputy_name, email: row.deputy_email, from: row.deputy_from, to: row.deputy_to }
        : null,
  };
}
