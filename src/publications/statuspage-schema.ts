import { z } from 'zod';

/**
 * Atlassian Statuspage's public API v2, field by field, written from its documentation and
 * not from `statuspage.ts` (the tests hold the answers to it; /openapi.json describes them
 * with it), as a Statuspage page documents it at
 * `/api` ("summary.json", "status.json", "components.json", "incidents/unresolved.json",
 * "incidents.json", "scheduled-maintenances/upcoming.json", "…/active.json",
 * "scheduled-maintenances.json") and as the clients written against it read it: the
 * TypeScript interfaces of the `statuspage.io` npm client (ffflorian/api-clients,
 * `src/interfaces/Result.ts`) and the Go structs of a client that unmarshals into
 * `time.Time` (Gowee/github-status-bot, `pkg/api/types.go`). Every object is strict: a field
 * missing, misspelt or extra fails, so the answers are exactly the documented shapes.
 */

/**
 * Statuspage writes instants in the page's zone with milliseconds and offset
 * (`2014-05-14T14:22:39.441-06:00`); Go's time.Time and JavaScript's Date read that form.
 */
export const instant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$/, 'Statuspage instant')
  .refine((value) => !Number.isNaN(Date.parse(value)), 'parses as a date');

export const pageSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  url: z.url(),
  time_zone: z.string().min(1),
  updated_at: instant,
});

export const COMPONENT_STATUSES = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'] as const;

export const componentSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  status: z.enum(COMPONENT_STATUSES),
  created_at: instant,
  updated_at: instant,
  position: z.number().int(),
  description: z.string().nullable(),
  showcase: z.boolean(),
  start_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable(),
  group_id: z.string().nullable(),
  page_id: z.string().min(1),
  group: z.boolean(),
  only_show_if_degraded: z.boolean(),
});

const affectedComponentSchema = z.strictObject({
  code: z.string().min(1),
  name: z.string().min(1),
  old_status: z.enum(COMPONENT_STATUSES),
  new_status: z.enum(COMPONENT_STATUSES),
});

const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved', 'postmortem'] as const;
const MAINTENANCE_STATUSES = ['scheduled', 'in_progress', 'verifying', 'completed'] as const;

function updateSchema<S extends readonly [string, ...string[]]>(statuses: S) {
  return z.strictObject({
    id: z.string().min(1),
    status: z.enum(statuses),
    body: z.string().min(1),
    incident_id: z.string().min(1),
    created_at: instant,
    updated_at: instant,
    display_at: instant,
    affected_components: z.array(affectedComponentSchema).nullable(),
    deliver_notifications: z.boolean(),
    custom_tweet: z.string().nullable(),
    tweet_id: z.string().nullable(),
  });
}

const incidentFields = {
  id: z.string().min(1),
  name: z.string().min(1),
  created_at: instant,
  updated_at: instant,
  monitoring_at: instant.nullable(),
  resolved_at: instant.nullable(),
  shortlink: z.url(),
  started_at: instant,
  page_id: z.string().min(1),
  components: z.array(componentSchema),
};

export const incidentSchema = z.strictObject({
  ...incidentFields,
  status: z.enum(INCIDENT_STATUSES),
  impact: z.enum(['none', 'minor', 'major', 'critical']),
  incident_updates: z.array(updateSchema(INCIDENT_STATUSES)),
});

export const maintenanceSchema = z.strictObject({
  ...incidentFields,
  status: z.enum(MAINTENANCE_STATUSES),
  impact: z.enum(['none', 'minor', 'major', 'critical', 'maintenance']),
  incident_updates: z.array(updateSchema(MAINTENANCE_STATUSES)),
  scheduled_for: instant,
  scheduled_until: instant,
});

export const statusSchema = z.strictObject({
  indicator: z.enum(['none', 'minor', 'major', 'critical', 'maintenance']),
  description: z.string().min(1),
});

export const STATUSPAGE_SCHEMAS = {
  'summary.json': z.strictObject({
    page: pageSchema,
    components: z.array(componentSchema),
    incidents: z.array(incidentSchema),
    scheduled_maintenances: z.array(maintenanceSchema),
    status: statusSchema,
  }),
  'status.json': z.strictObject({ page: pageSchema, status: statusSchema }),
  'components.json': z.strictObject({ page: pageSchema, components: z.array(componentSchema) }),
  'incidents.json': z.strictObject({ page: pageSchema, incidents: z.array(incidentSchema) }),
  'incidents/unresolved.json': z.strictObject({ page: pageSchema, incidents: z.array(incidentSchema) }),
  'scheduled-maintenances.json': z.strictObject({ page: pageSchema, scheduled_maintenances: z.array(maintenanceSchema) }),
  'scheduled-maintenances/upcoming.json': z.strictObject({ page: pageSchema, scheduled_maintenances: z.array(maintenanceSchema) }),
  'scheduled-maintenances/active.json': z.strictObject({ page: pageSchema, scheduled_maintenances: z.array(maintenanceSchema) }),
} as const;

export type StatuspagePath = keyof typeof STATUSPAGE_SCHEMAS;
