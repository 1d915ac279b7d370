import { z } from 'zod';
import {
  createDisruptionBody,
  disruptionIdParams,
  disruptionListSchema,
  disruptionSchema,
  disruptionUpdateBody,
  listDisruptionsQuery,
  cancelSeriesBody,
  createSeriesBody,
  moveSeriesBody,
  seriesSchema,
  cancelWindowBody,
  createWindowBody,
  idParams,
  listWindowsQuery,
  patchWindowBody,
  problemSchema,
  slotListSchema,
  slotsQuery,
  windowListSchema,
  windowSchema,
} from './api-schemas.js';
import {
  createRecipientBody,
  importRecipientsQuery,
  importReportSchema,
  listRecipientsQuery,
  patchRecipientBody,
  recipientIdParams,
  recipientListSchema,
  recipientSchema,
} from '../recipients/recipient-schemas.js';
import { STATUSPAGE_SCHEMAS } from '../publications/statuspage-schema.js';
import { signUpAcceptedSchema, signUpBodyDoc } from '../subscriptions/subscription-schemas.js';
import { auditQuery, complianceQuery } from './routes/compliance-routes.js';
import { acknowledgementListSchema } from './routes/acknowledgement-routes.js';
import { deliveryListSchema } from './routes/delivery-routes.js';
import { previewParams, previewQuery, previewSchema } from './routes/preview-routes.js';
import { supportNowQuery, supportNowSchema } from './routes/support-routes.js';

interface Operation {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  summary: string;
  /** Whether a bearer token is needed, and which role. */
  auth: 'none' | 'viewer' | 'admin';
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** A body that is not JSON (the CSV import): its media type, described as a string. */
  bodyContentType?: string;
  response?: { status: number; schema: z.ZodType; description: string; contentType?: string };
  errors?: number[];
}

/** Every endpoint; routes register more operations here as they grow. */
export const operations: Operation[] = [
  { method: 'get', path: '/healthz', summary: 'The process is up', auth: 'none' },
  { method: 'get', path: '/readyz', summary: 'Database and Redis are reachable', auth: 'none', errors: [503] },
  {
    method: 'get',
    path: '/public/support/now',
    summary: 'Who to call now: the support lines open at an instant for staff or external providers, until when, and what to do when none is',
    auth: 'none',
    query: supportNowQuery,
    response: { status: 200, schema: supportNowSchema, description: 'The answer, in Swedish where people read it' },
    errors: [400],
  },
  {
    method: 'post',
    path: '/api/windows',
    summary: 'Register a maintenance window (honours Idempotency-Key)',
    auth: 'admin',
    body: createWindowBody,
    response: { status: 201, schema: windowSchema, description: 'The registered window with its planned notices' },
    errors: [400, 401, 403, 409, 422],
  },
  {
    method: 'get',
    path: '/api/windows',
    summary: 'Windows by start',
    auth: 'viewer',
    query: listWindowsQuery,
    response: { status: 200, schema: windowListSchema, description: 'Windows ordered by start' },
    errors: [400, 401],
  },
  {
    method: 'get',
    path: '/api/windows/{id}',
    summary: 'One window',
    auth: 'viewer',
    params: idParams,
    response: { status: 200, schema: windowSchema, description: 'The window' },
    errors: [400, 401, 404],
  },
  {
    method: 'patch',
    path: '/api/windows/{id}',
    summary: 'Change a window; a new time or new systems raise the revision and re-plan the notices',
    auth: 'admin',
    params: idParams,
    body: patchWindowBody,
    response: { status: 200, schema: windowSchema, description: 'The changed window' },
    errors: [400, 401, 403, 404, 409, 422],
  },
  {
    method: 'post',
    path: '/api/windows/{id}/cancel',
    summary: 'Cancel a window; those already told receive a cancellation',
    auth: 'admin',
    params: idParams,
    body: cancelWindowBody,
    response: { status: 200, schema: windowSchema, description: 'The cancelled window' },
    errors: [400, 401, 403, 404, 409],
  },
  {
    method: 'get',
    path: '/api/slots',
    summary: 'The next compliant minor-window slots whose every notice can still go out on time',
    auth: 'viewer',
    query: slotsQuery,
    response: { status: 200, schema: slotListSchema, description: 'Slots' },
    errors: [400, 401],
  },
  {
    method: 'post',
    path: '/api/disruptions',
    summary: 'Register a disruption (driftstörning): broadcast at once to every audience, without lead times (honours Idempotency-Key)',
    auth: 'admin',
    body: createDisruptionBody,
    response: { status: 201, schema: disruptionSchema, description: 'The disruption with its registration and its announcements, due now' },
    errors: [400, 401, 403, 409, 422],
  },
  {
    method: 'get',
    path: '/api/disruptions',
    summary: 'Disruptions going on at some time in [from, to), newest registration first',
    auth: 'viewer',
    query: listDisruptionsQuery,
    response: { status: 200, schema: disruptionListSchema, description: 'Disruptions, newest first' },
    errors: [400, 401],
  },
  {
    method: 'get',
    path: '/api/disruptions/{id}',
    summary: 'One disruption with its updates in order',
    auth: 'viewer',
    params: disruptionIdParams,
    response: { status: 200, schema: disruptionSchema, description: 'The disruption' },
    errors: [400, 401, 404],
  },
  {
    method: 'post',
    path: '/api/disruptions/{id}/updates',
    summary: 'A status update, told to exactly those told of the disruption; resolved closes it (then 409)',
    auth: 'admin',
    params: disruptionIdParams,
    body: disruptionUpdateBody,
    response: { status: 200, schema: disruptionSchema, description: 'The disruption with the new update' },
    errors: [400, 401, 403, 404, 409],
  },
  {
    method: 'post',
    path: '/api/series',
    summary: 'Register a recurring series: a window per occurrence that keeps every rule, the rest listed in skipped (dryRun: 200, nothing stored)',
    auth: 'admin',
    body: createSeriesBody,
    response: { status: 201, schema: seriesSchema, description: 'The series, its windows and the skipped occurrences' },
    errors: [400, 401, 403, 422],
  },
  {
    method: 'get',
    path: '/api/series/{id}',
    summary: 'One series with its windows',
    auth: 'viewer',
    params: idParams,
    response: { status: 200, schema: seriesSchema, description: 'The series' },
    errors: [400, 401, 404],
  },
  {
    method: 'post',
    path: '/api/series/{id}/cancel',
    summary: 'Cancel a series from an occurrence on ("this and following"), or all of it; one occurrence alone: cancel its window',
    auth: 'admin',
    params: idParams,
    body: cancelSeriesBody,
    response: { status: 200, schema: seriesSchema, description: 'The series' },
    errors: [400, 401, 403, 404, 409],
  },
  {
    method: 'post',
    path: '/api/series/{id}/move',
    summary: 'Move a series from an occurrence on; the following ones by as many days, to the same clock times',
    auth: 'admin',
    params: idParams,
    body: moveSeriesBody,
    response: { status: 200, schema: seriesSchema, description: 'The series' },
    errors: [400, 401, 403, 404, 409, 422],
  },
  {
    method: 'get',
    path: '/api/windows/{id}/preview/{audience}',
    summary: 'A notice rendered exactly as it will be sent (subject, HTML, text)',
    auth: 'viewer',
    params: previewParams,
    query: previewQuery,
    response: { status: 200, schema: previewSchema, description: 'The rendered notice' },
    errors: [400, 401, 404],
  },
  {
    method: 'get',
    path: '/api/windows/{id}/deliveries',
    summary: 'Who was told: every delivery of the window, with status, attempts and errors',
    auth: 'viewer',
    params: idParams,
    response: { status: 200, schema: deliveryListSchema, description: 'Deliveries' },
    errors: [400, 401, 404],
  },
  {
    method: 'get',
    path: '/api/windows/{id}/acknowledgements',
    summary:
      "Who is ready: the recipients of the policy's acknowledgement audiences told of the window (still in the register), each with their confirmation of the window's current revision (acknowledgedAt null until confirmed; a move asks again)",
    auth: 'viewer',
    params: idParams,
    response: { status: 200, schema: acknowledgementListSchema, description: 'Acknowledgements' },
    errors: [400, 401, 404],
  },
  {
    method: 'post',
    path: '/api/recipients',
    summary: 'Add a manager or external provider subscribed to systems',
    auth: 'admin',
    body: createRecipientBody,
    response: { status: 201, schema: recipientSchema, description: 'The recipient' },
    errors: [400, 401, 403, 409, 422],
  },
  {
    method: 'get',
    path: '/api/recipients',
    summary: 'Recipients, optionally by kind and system',
    auth: 'viewer',
    query: listRecipientsQuery,
    response: { status: 200, schema: recipientListSchema, description: 'Recipients' },
    errors: [400, 401],
  },
  {
    method: 'get',
    path: '/api/recipients/{id}',
    summary: 'One active recipient, with whether they receive messages and their deputy',
    auth: 'viewer',
    params: recipientIdParams,
    response: { status: 200, schema: recipientSchema, description: 'The recipient' },
    errors: [400, 401, 404],
  },
  {
    method: 'patch',
    path: '/api/recipients/{id}',
    summary: 'Change name, unit, address or systems; each change is audited with before and after, the same change again changes nothing',
    auth: 'admin',
    params: recipientIdParams,
    body: patchRecipientBody,
    response: { status: 200, schema: recipientSchema, description: 'The recipient as changed' },
    errors: [400, 401, 403, 404, 409, 422],
  },
  {
    method: 'post',
    path: '/public/subscriptions',
    summary:
      'Public e-mail sign-up (double opt-in): a confirmation e-mail with a link valid 48 hours, at most one per address per 10 minutes; the same 202 whether or not the address is subscribed. Also takes the public page\'s form (urlencoded), answered with a page',
    auth: 'none',
    body: signUpBodyDoc,
    response: { status: 202, schema: signUpAcceptedSchema, description: 'Accepted; subscribed only once the link in the e-mail is confirmed' },
    errors: [400, 429],
  },
  {
    method: 'delete',
    path: '/api/recipients/{id}',
    summary: 'Remove a recipient (kept for the record of what was sent to them)',
    auth: 'admin',
    params: recipientIdParams,
    errors: [400, 401, 403, 404],
  },
  {
    method: 'post',
    path: '/api/recipients/import',
    summary: 'Import recipients from CSV (name,email,kind,systems,unit) with a per-row report',
    auth: 'admin',
    query: importRecipientsQuery,
    bodyContentType: 'text/csv',
    response: { status: 200, schema: importReportSchema, description: 'What was imported and what was refused, row by row' },
    errors: [400, 401, 403, 415],
  },
  {
    method: 'get',
    path: '/api/compliance',
    summary: 'Per window and audience: required by, sent at, on time or late and why; JSON, or CSV with ?format=csv',
    auth: 'viewer',
    query: complianceQuery,
    response: {
      status: 200,
      schema: z.object({
        items: z.array(
          z.looseObject({
            windowId: z.uuid(),
            atRisk: z.boolean(),
            acknowledgements: z
              .object({ asked: z.int(), confirmed: z.int(), share: z.number().nullable() })
              .describe('Who of those asked confirmed that their unit is prepared for the current time; share is confirmed/asked, null when nobody was asked'),
          }),
        ),
        generatedAt: z.string(),
      }),
      description: 'The compliance report',
    },
    errors: [400, 401],
  },
  {
    method: 'get',
    path: '/api/audit',
    summary: 'Who registered, moved and cancelled what, and when; JSON, or CSV with ?format=csv',
    auth: 'viewer',
    query: auditQuery,
    response: { status: 200, schema: z.object({ items: z.array(z.looseObject({ action: z.string(), actor: z.string() })) }), description: 'The audit trail' },
    errors: [400, 401],
  },
  ...statuspageOperations(),
];

/**
 * The status in the shapes of Atlassian Statuspage's public API v2, without a token: components
 * are the policy's systems, incidents are disruptions, scheduled maintenances the windows told
 * to the public. ETag, Last-Modified and `Cache-Control: public, max-age=60` as the feeds.
 */
function statuspageOperations(): Operation[] {
  const summaries: Record<keyof typeof STATUSPAGE_SCHEMAS, string> = {
    'summary.json': 'Statuspage v2: the page, every system, unresolved disruptions, upcoming and running windows, the overall status',
    'status.json': 'Statuspage v2: the overall status (indicator none, maintenance, major or critical, and a Swedish description)',
    'components.json': 'Statuspage v2: every system as a component (operational, under_maintenance or major_outage)',
    'incidents.json': 'Statuspage v2: the 50 latest disruptions of the last 90 days, resolved ones included',
    'incidents/unresolved.json': 'Statuspage v2: disruptions not yet resolved',
    'scheduled-maintenances.json': 'Statuspage v2: the 50 latest windows told to the public (a cancelled one is completed)',
    'scheduled-maintenances/upcoming.json': 'Statuspage v2: windows told to the public that have not started',
    'scheduled-maintenances/active.json': 'Statuspage v2: windows under way',
  };
  return Object.entries(STATUSPAGE_SCHEMAS).map(([path, schema]) => ({
    method: 'get' as const,
    path: `/public/api/v2/${path}`,
    summary: summaries[path as keyof typeof STATUSPAGE_SCHEMAS],
    auth: 'none' as const,
    response: { status: 200, schema, description: 'In the shape of Statuspage public API v2' },
  }));
}

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

function parameters(schema: z.ZodObject | undefined, location: 'path' | 'query') {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: location,
    required: location === 'path' || !(field as z.ZodType).safeParse(undefined).success,
    schema: jsonSchema(field as z.ZodType),
  }));
}

/** The API described in OpenAPI 3.1, built from the same zod schemas that validate requests. */
export function buildOpenApi(version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const responses: Record<string, unknown> = {};
    if (op.response) {
      responses[String(op.response.status)] = {
        description: op.response.description,
        content: { [op.response.contentType ?? 'application/json']: { schema: jsonSchema(op.response.schema) } },
      };
    } else {
      responses[op.method === 'delete' ? '204' : '200'] = { description: op.method === 'delete' ? 'Done' : 'OK' };
    }
    for (const status of op.errors ?? []) {
      responses[String(status)] = {
        description: 'Problem (RFC 9457)',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      summary: op.summary,
      ...(op.auth === 'none' ? { security: [] } : { 'x-required-role': op.auth }),
      parameters: [...parameters(op.params, 'path'), ...parameters(op.query, 'query')],
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(op.body) } } } } : {}),
      ...(op.bodyContentType ? { requestBody: { required: true, content: { [op.bodyContentType]: { schema: { type: 'string' } } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'driftstopp',
      version,
      description: 'Planerade driftstopp av Tes, CareApp och CareLock: registrering, varsel och uppföljning.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Problem: jsonSchema(problemSchema) },
    },
    security: [{ bearer: [] }],
    paths,
  };
}
