import { z } from 'zod';
import { LINE, refineText } from '../rules/text-rules.js';
import type { RecipientKind, RecipientRow } from '../storage/schema.js';
import { formatInstant } from '../windows/window-view.js';

/** The zod schemas of the recipient API; they validate requests and can describe /openapi.json. */

export const RECIPIENT_KINDS = ['manager', 'provider'] as const satisfies readonly RecipientKind[];
export const recipientKindSchema = z.enum(RECIPIENT_KINDS);

/** Stored lower-cased and trimmed, so that the unique (kind, email) index sees one address once. */
const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email('ska vara en e-postadress').max(254, 'får vara högst 254 tecken'));

export const createRecipientBody = z.strictObject({
  kind: recipientKindSchema,
  name: z.string().trim().min(1, 'får inte vara tomt').max(200).superRefine(refineText(LINE)),
  email,
  systems: z
    .array(z.string().trim().min(1).max(50))
    .min(1, 'ska ange minst ett system')
    .max(20)
    .describe('System ids from the policy: tes, careapp, carelock'),
  unit: z
    .string()
    .trim()
    .max(200)
    .superRefine(refineText(LINE))
    .nullish()
    .transform((unit) => unit || null)
    .describe('The unit the recipient manages or serves, e.g. "Hemtjänst Väster"'),
});
export type NewRecipientInput = z.output<typeof createRecipientBody>;

export const listRecipientsQuery = z.strictObject({
  kind: recipientKindSchema.optional(),
  system: z.string().min(1).max(50).optional().describe('Only recipients of this system'),
});

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
});
export type RecipientView = z.infer<typeof recipientSchema>;

export const recipientListSchema = z.object({ items: z.array(recipientSchema) });

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
  };
}
