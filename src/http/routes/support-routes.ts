import { Router } from 'express';
import type { DateTime } from 'luxon';
import { z } from 'zod';
import type { Policy } from '../../policy/policy-schema.js';
import { SUPPORT_AUDIENCES } from '../../policy/support-schema.js';
import { supportNow } from '../../rules/support-now.js';
import { parseInput } from '../validate.js';

export const supportNowQuery = z.strictObject({
  at: z.iso
    .datetime({ offset: true })
    // Far-off years are typos, and the holiday tables have nothing to say about them.
    .refine((value) => /^(19|2\d)\d\d-/.test(value), {
      message: 'ska vara en tidpunkt mellan år 1900 och 2999',
      // Said only of a well-formed instant: a malformed one has its own message.
      when: (payload) => payload.issues.length === 0,
    })
    .optional()
    .describe('The instant to answer for, ISO 8601 with an offset; default now'),
  for: z
    .enum(SUPPORT_AUDIENCES, { error: 'ska vara staff (kommunens personal) eller provider (extern utförare)' })
    // A reader who does not say is treated as outside the municipality: no internal-only line.
    .default('provider')
    .describe('Who asks: staff (municipal staff) or provider (an external provider); default provider, which names no internal-only line'),
});

const openLineSchema = z.object({
  id: z.string(),
  name: z.string(),
  phone: z.string(),
  internalPhone: z.string().nullable().describe('The internal short number; staff only'),
  howTo: z.string().nullable(),
  kind: z.enum(['support', 'faultReport']),
  until: z.string().describe('When it closes, ISO 8601 with offset'),
  untilText: z.string().describe('The same in Swedish, e.g. "kl. 16.30"'),
});

/** The answer of `GET /public/support/now`; the contract's `{ at, open, advice }` and more. */
export const supportNowSchema = z.object({
  at: z.string(),
  audience: z.enum(SUPPORT_AUDIENCES),
  open: z.array(openLineSchema),
  advice: z.array(z.string()).describe('What to do, in Swedish, one sentence or step each'),
  checklist: z.array(z.string()),
  checklistIntro: z.string().nullable(),
  onCall: z.object({ phone: z.string(), text: z.string(), notCovered: z.string() }).nullable(),
  noOnCall: z.string().nullable().describe('Said when no support line is open and the on-call path is not for this reader'),
  closed: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      phone: z.string(),
      internalPhone: z.string().nullable(),
      opensAt: z.string().nullable(),
      opensAtText: z.string().nullable(),
    }),
  ),
  notes: z.array(z.string()),
  since: z.string().describe('The answer holds from this instant'),
  changesAt: z.string().describe('…until this one'),
});

export interface SupportRoutesDeps {
  policy: Policy;
  clock: () => DateTime;
}

/** A reader may keep an answer for a minute, or until it changes if that is sooner. */
const MAX_AGE_SECONDS = 60;

/** "Vem ringer jag nu?" without a token: the support lines open at an instant, for staff or providers. */
export function supportRoutes(deps: SupportRoutesDeps): Router {
  const router = Router();
  router.get('/public/support/now', (req, res) => {
    const query = parseInput(supportNowQuery, req.query, 'query');
    const now = deps.clock().toJSDate();
    const at = query.at === undefined ? now : new Date(query.at);
    const answer = supportNow(deps.policy, at, query.for);
    // An answer for a stated instant only changes with the policy; one for "now" at its next edge.
    const untilChange = Math.floor((Date.parse(answer.changesAt) - now.getTime()) / 1000);
    const maxAge = query.at === undefined ? Math.max(0, Math.min(MAX_AGE_SECONDS, untilChange)) : MAX_AGE_SECONDS;
    res.set('Cache-Control', `public, max-age=${maxAge}`);
    res.set('Access-Control-Allow-Origin', '*');
    res.json(answer);
  });
  return router;
}
