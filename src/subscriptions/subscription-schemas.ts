import { z } from 'zod';
import type { Policy } from '../policy/policy-schema.js';
import { emailAddress, systemIds } from '../recipients/recipient-schemas.js';

/**
 * `POST /public/subscriptions` `{ email, systems }` (contract), as JSON or as the public page's
 * form (`email`, one `systems` per ticked box). A system the policy does not name is a 400
 * naming it, like any other malformed field: the form offers only the policy's.
 */
export function signUpBody(policy: Policy) {
  return z.strictObject({
    email: emailAddress,
    systems: z
      .union([z.string(), systemIds])
      .transform((value) => (typeof value === 'string' ? [value] : value))
      .pipe(systemIds)
      .superRefine((systems, ctx) => {
        systems.forEach((system, index) => {
          if (!Object.hasOwn(policy.systems, system)) {
            ctx.addIssue({ code: 'custom', path: [index], message: `okänt system "${system}"; välj bland ${Object.keys(policy.systems).join(', ')}`, params: { code: 'unknown_system' } });
          }
        });
      }),
  });
}
export type SignUpInput = z.output<ReturnType<typeof signUpBody>>;

/** The same answer to every accepted sign-up, subscribed already or not. */
export const SIGN_UP_ACCEPTED = {
  status: 'pending',
  detail: 'Tack! Om adressen kan ta emot e-post kommer ett meddelande med en länk. Prenumerationen börjar först när du har öppnat länken och bekräftat. Länken gäller i 48 timmar.',
} as const;

/** The sign-up body as /openapi.json describes it (the systems are the policy's ids). */
export const signUpBodyDoc = z.strictObject({
  email: z.string().describe('The address to send the confirmation link to'),
  systems: z.array(z.string()).min(1).describe('System ids from the policy: tes, careapp, carelock'),
});

export const signUpAcceptedSchema = z.object({ status: z.literal('pending'), detail: z.string() });
