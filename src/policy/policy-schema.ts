import { z } from 'zod';
import { IANAZone } from 'luxon';

/** The four audiences of the routine; the contract names them, so they are not policy. */
export const AUDIENCES = ['managers', 'intranet', 'public', 'egetval'] as const;
export type Audience = (typeof AUDIENCES)[number];
export const audienceSchema = z.enum(AUDIENCES);

const clockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM (24-hour clock)');

const leadDays = z.number().int().min(0).max(365);

const audiencePolicy = z.strictObject({
  channel: z.enum(['email', 'publication', 'bulletin']),
  leadDays,
  displayName: z.string().min(1),
});

export const planStepSchema = z.strictObject({
  audience: audienceSchema,
  leadDays,
});
export type PlanStep = z.infer<typeof planStepSchema>;

export const policySchema = z.strictObject({
  municipality: z.string().min(1),
  /** The invitation's organizer name when MAIL_FROM is a bare address. */
  senderName: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .refine((name) => !/[\u0000-\u001f\u007f]/.test(name), 'must be one line without control characters')
    .default('Driftstopp'),
  timezone: z.string().refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA time zone'),
  holidays: z.strictObject({
    /** Country code understood by date-holidays, e.g. "SE". */
    country: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter country code'),
    /** date-holidays types that are not business days ("bank" covers the Swedish eves). */
    nonBusinessTypes: z.array(z.enum(['public', 'bank', 'school', 'optional', 'observance'])).min(1),
  }),
  minorWindow: z
    .strictObject({
      /** ISO weekdays, 1 = Monday … 7 = Sunday. */
      weekdays: z.array(z.number().int().min(1).max(7)).min(1),
      earliestStart: clockTime,
      latestEnd: clockTime,
    })
    .refine((slot) => slot.earliestStart < slot.latestEnd, {
      message: 'earliestStart must be before latestEnd',
      path: ['latestEnd'],
    }),
  sendTime: clockTime,
  audiences: z.strictObject({
    managers: audiencePolicy,
    intranet: audiencePolicy,
    public: audiencePolicy,
    egetval: audiencePolicy,
  }),
  reminder: z.strictObject({
    enabled: z.boolean(),
    audiences: z.array(audienceSchema),
    businessDaysBefore: z.number().int().min(1).max(30),
  }),
  extensivePlan: z.array(planStepSchema).min(1),
  systems: z
    .record(
      z.string().regex(/^[a-z][a-z0-9-]*$/, 'system ids are lower-case letters, digits and dashes'),
      z.strictObject({ displayName: z.string().min(1), description: z.string().default('') }),
    )
    .refine((systems) => Object.keys(systems).length > 0, 'at least one system is required'),
  support: z.strictObject({
    phone: z.string().min(1),
    internalPhone: z.string().min(1),
    menuChoice: z.string(),
    hours: z.array(z.string()),
    emails: z.array(z.strictObject({ address: z.email(), topic: z.string() })),
    lockFaults: z.string(),
    internalRoutinesReminder: z.string().min(1),
  }),
});

export type Policy = z.infer<typeof policySchema>;
