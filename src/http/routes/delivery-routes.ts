import { Router } from 'express';
import { z } from 'zod';
import type { ApplicationDeps } from '../../application/app-deps.js';
import { whoWasTold } from '../../application/compliance-queries.js';
import { AUDIENCES } from '../../policy/policy-schema.js';
import { recipientKindSchema } from '../../recipients/recipient-schemas.js';
import { formatInstant } from '../../windows/window-view.js';
import { idParams } from '../api-schemas.js';
import { parseInput } from '../validate.js';

export const deliverySchema = z.object({
  id: z.uuid(),
  noticeId: z.uuid(),
  audience: z.enum(AUDIENCES),
  kind: z.enum(['announcement', 'update', 'cancellation', 'reminder']),
  revision: z.int(),
  channel: z.enum(['email', 'webhook']),
  recipient: z.object({
    name: z.string().nullable(),
    kind: recipientKindSchema.nullable(),
    unit: z.string().nullable(),
    email: z.string().nullable(),
    url: z.string().nullable(),
  }),
  status: z.enum(['pending', 'sending', 'sent', 'failed', 'cancelled']),
  attempts: z.int(),
  lastError: z.string().nullable(),
  sentAt: z.string().nullable(),
  messageId: z.string().nullable(),
});
export const deliveryListSchema = z.object({ items: z.array(deliverySchema) });

/** Who was told: every delivery of a window, with its status and, for a failure, why. */
export function deliveryRoutes(deps: Pick<ApplicationDeps, 'db'> & { zone: string }): Router {
  const router = Router();
  router.get('/windows/:id/deliveries', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'params');
    const { deliveries } = await whoWasTold(deps, id);
    res.json({
      items: deliveries.map((row) => ({
        id: row.id,
        noticeId: row.notice_id,
        audience: row.audience,
        kind: row.kind,
        revision: row.revision,
        channel: row.channel,
        recipient: {
          name: row.recipient_name,
          kind: row.recipient_kind,
          unit: row.recipient_unit,
          email: row.channel === 'email' ? row.target : null,
          url: row.channel === 'webhook' ? row.target : null,
        },
        status: row.status,
        attempts: row.attempts,
        lastError: row.last_error,
        sentAt: formatInstant(row.sent_at, deps.zone),
        messageId: row.message_id,
      })),
    });
  });
  return router;
}
