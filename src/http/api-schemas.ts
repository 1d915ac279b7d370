import { z } from 'zod';
import { AUDIENCES, planStepSchema } from '../policy/policy-schema.js';
import { DISRUPTION_STATUSES } from '../rules/disruption-status.js';
import { LINE, PROSE, REASON, refineText } from '../rules/text-rules.js';

/** The zod schemas that validate requests are also the source of /openapi.json. */

const instant = z.iso
  .datetime({ offset: true })
  .describe('ISO 8601 instant with an offset, e.g. 2027-03-30T09:00:00+02:00');

const instantOrDate = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .describe('ISO 8601 instant with an offset, or a date (local midnight in the policy time zone)');

const reason = z.string().trim().min(3, 'ska säga varför, med minst 3 tecken').max(1000).superRefine(refineText(REASON));
const title = z.string().trim().min(1).max(200).superRefine(refineText(LINE));
const description = z.string().max(5000).superRefine(refineText(PROSE));

export const shortNoticeSchema = z
  .strictObject({ reason })
  .describe('Accepts notice shorter than the routine requires; overdue notices go out at once, marked late.');

export const allowOverlapSchema = z
  .strictObject({ reason })
  .describe('Accepts an overlap with another scheduled or running window on a shared system; the reason is kept.');

export const allowBlackoutSchema = z
  .strictObject({ reason })
  .describe('Accepts an extensive window starting in a blackout period of the policy; the reason is kept.');

export const createWindowBody = z.strictObject({
  title,
  description: description.optional(),
  systems: z.array(z.string().min(1).max(50)).min(1).max(20).describe('System ids from the policy: tes, careapp, carelock'),
  kind: z.enum(['minor', 'extensive']),
  start: instant,
  end: instant,
  plan: z.array(planStepSchema).min(1).max(50).optional().describe('Extensive windows only: overrides the default plan'),
  shortNotice: shortNoticeSchema.optional(),
  allowOverlap: allowOverlapSchema.optional(),
  allowBlackout: allowBlackoutSchema.optional(),
});

export const patchWindowBody = z
  .strictObject({
    title: title.optional(),
    description: description.optional(),
    systems: z.array(z.string().min(1).max(50)).min(1).max(20).optional(),
    start: instant.optional(),
    end: instant.optional(),
    shortNotice: shortNoticeSchema.optional(),
    allowOverlap: allowOverlapSchema.optional(),
    allowBlackout: allowBlackoutSchema.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'ska ändra minst ett fält');

export const cancelWindowBody = z.strictObject({ reason });

const windowStatus = z.enum(['scheduled', 'in_progress', 'completed', 'cancelled']);

export const listWindowsQuery = z.strictObject({
  from: instantOrDate.optional(),
  to: instantOrDate.optional(),
  status: z
    .string()
    .transform((value) => value.split(',').map((s) => s.trim()))
    .pipe(z.array(windowStatus))
    .optional()
    .describe('One status or several separated by commas'),
});

export const slotsQuery = z.strictObject({
  from: instantOrDate.optional(),
  count: z.coerce.number().int().min(1).max(100).default(10),
  systems: z
    .string()
    .transform((value) => value.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string().min(1).max(50)).min(1).max(20))
    .optional()
    .describe('System ids separated by commas; a slot taken on one of them (or on a system depending on one) is skipped. Default: every system'),
});

const localDate = z.iso.date().describe('A local date YYYY-MM-DD in the policy time zone');
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'ska vara en tid TT:MM').describe('Local clock time HH:MM');

export const createSeriesBody = z
  .strictObject({
    title,
    description: description.optional(),
    systems: z.array(z.string().min(1).max(50)).min(1).max(20),
    kind: z.literal('minor'),
    rrule: z.string().trim().min(5).max(500).describe('RFC 5545 RRULE, e.g. FREQ=WEEKLY;INTERVAL=2;BYDAY=TU'),
    dtstart: localDate,
    start: clock,
    end: clock,
    until: localDate.optional(),
    count: z.number().int().min(1).max(100).optional(),
    dryRun: z.boolean().optional().describe('Returns the plan (200) without storing anything'),
  })
  .refine((body) => body.until === undefined || body.count === undefined, { message: 'ange antingen slutdatum eller antal, inte båda', path: ['count'] });

export const cancelSeriesBody = z.strictObject({
  reason,
  from: z.uuid().optional().describe('The occurrence (window id) from which on the series is cancelled; all when left out'),
});

export const moveSeriesBody = z.strictObject({
  from: z.uuid().describe('The occurrence (window id) from which on the series moves'),
  start: instant.describe('The new start of that occurrence; the following ones move by as many days, to the same clock times'),
  end: instant.optional(),
  shortNotice: shortNoticeSchema.optional(),
  allowOverlap: allowOverlapSchema.optional(),
});

export const skippedSchema = z.object({
  date: localDate,
  code: z.string(),
  message: z.string(),
  suggestedStart: instant.nullable(),
  suggestedEnd: instant.nullable(),
});

export const idParams = z.strictObject({ id: z.uuid('ska vara ett driftstopps id (UUID)') });

export const noticeSchema = z.object({
  id: z.uuid(),
  audience: z.enum(AUDIENCES),
  kind: z.enum(['announcement', 'update', 'cancellation', 'reminder']),
  revision: z.int(),
  dueAt: instant,
  requiredBy: instant,
  status: z.enum(['pending', 'sent', 'failed', 'cancelled']),
  sentAt: instant.nullable(),
  late: z.boolean(),
  catchUp: z.boolean(),
  chase: z.boolean().describe('a reminder only to those told who have not confirmed that their unit is prepared'),
  error: z.string().nullable(),
});

export const windowSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  description: z.string(),
  systems: z.array(z.string()),
  kind: z.enum(['minor', 'extensive']),
  start: instant,
  end: instant,
  status: windowStatus,
  revision: z.int(),
  shortNotice: z.object({ reason: z.string() }).nullable(),
  plan: z.array(planStepSchema).nullable(),
  cancelReason: z.string().nullable(),
  allowOverlap: z.object({ reason: z.string() }).nullable(),
  allowBlackout: z.object({ reason: z.string() }).nullable(),
  seriesId: z.uuid().nullable(),
  createdBy: z.string(),
  createdAt: instant,
  updatedAt: instant,
  notices: z.array(noticeSchema),
});

export const seriesSchema = z.object({
  id: z.uuid().nullable().describe('Null for a dry run'),
  title: z.string(),
  rrule: z.string(),
  windows: z.array(windowSchema),
  skipped: z.array(skippedSchema),
});

export const windowListSchema = z.object({ items: z.array(windowSchema) });
export const slotListSchema = z.object({ items: z.array(z.object({ start: instant, end: instant })) });

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  instance: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })).optional(),
  earliestCompliantStart: instant.optional(),
  suggestedStart: instant.optional().describe('The compliant slot nearest to the one asked for'),
  suggestedEnd: instant.optional(),
  conflicts: z.array(z.object({ id: z.uuid(), title: z.string(), start: instant, end: instant })).optional(),
});

const disruptionStatus = z.enum(DISRUPTION_STATUSES);

export const createDisruptionBody = z.strictObject({
  title,
  systems: z.array(z.string().min(1).max(50)).min(1).max(20).describe('System ids from the policy: tes, careapp, carelock'),
  description: z
    .string()
    .trim()
    .min(1, 'ska säga vad användarna märker')
    .max(5000)
    .superRefine(refineText(PROSE))
    .describe('What users notice; also the message of the registration'),
  status: disruptionStatus.optional().describe('investigating (default), identified or monitoring; a disruption is not registered as resolved'),
});

export const disruptionUpdateBody = z.strictObject({
  status: disruptionStatus.describe('Any status; resolved closes the disruption, after which no update is accepted (409)'),
  message: z.string().trim().min(1, 'ska säga vad som är nytt').max(2000).superRefine(refineText(PROSE)),
});

export const listDisruptionsQuery = z.strictObject({
  from: instantOrDate.optional().describe('Disruptions not resolved before this instant'),
  to: instantOrDate.optional().describe('Disruptions registered before this instant'),
  status: z
    .string()
    .transform((value) => value.split(',').map((s) => s.trim()))
    .pipe(z.array(disruptionStatus))
    .optional()
    .describe('One status or several separated by commas'),
});

export const disruptionIdParams = z.strictObject({ id: z.uuid('ska vara en driftstörnings id (UUID)') });

export const disruptionSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  description: z.string(),
  systems: z.array(z.string()),
  status: disruptionStatus,
  revision: z.number().int().describe('The number of the latest update (1: only the registration)'),
  createdBy: z.string(),
  createdAt: instant.describe('When it was registered'),
  updatedAt: instant,
  resolvedAt: instant.nullable(),
  updates: z
    .array(z.object({ sequence: z.number().int(), status: disruptionStatus, message: z.string(), at: instant, by: z.string() }))
    .describe('The registration first, then each update in order'),
  notices: z.array(noticeSchema).describe('Its messages to each audience: announcements (catchUp for newcomers) and updates'),
});

export const disruptionListSchema = z.object({ items: z.array(disruptionSchema) });
