import { z } from 'zod';
import Holidays from 'date-holidays';
import { IANAZone } from 'luxon';
import { accessibilitySchema } from './accessibility-schema.js';
import { supportNowSchema } from './support-schema.js';

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

/**
 * Who reads a support line: municipal staff (managers, the intranet), external providers
 * (Eget Val) and the public. A line is shown only to those it names.
 */
export const SUPPORT_READERS = ['staff', 'provider', 'public'] as const;
export type SupportReader = (typeof SUPPORT_READERS)[number];

/** Which readers each audience's texts are written for. */
export const READER_OF: Readonly<Record<Audience, SupportReader>> = {
  managers: 'staff',
  intranet: 'staff',
  egetval: 'provider',
  public: 'public',
};

const STAFF_ONLY: SupportReader[] = ['staff'];
const readers = z.array(z.enum(SUPPORT_READERS)).min(1);

/**
 * One support text and who it is for: `{ "text": "...", "for": ["staff", "provider"] }`.
 * A plain string, as policy files before readers were named wrote it, still loads and is
 * shown to staff only: no line reaches outside readers unless someone marked it for them.
 */
const supportLine = z.union([
  z.string().transform((text) => ({ text, for: STAFF_ONLY })),
  z.strictObject({ text: z.string(), for: readers }),
]);
export type SupportLine = z.output<typeof supportLine>;

const localDate = z.iso.date('must be a date YYYY-MM-DD');

/**
 * A period in which no window may start, e.g. the Christmas weeks. Dates are local calendar
 * days in the policy's zone, both inclusive; the reason is shown to people, so Swedish.
 */
const blackoutSchema = z
  .strictObject({
    from: localDate,
    to: localDate,
    reason: z.string().trim().min(3).max(300),
  })
  .refine((period) => period.from <= period.to, { message: 'from must not be after to', path: ['to'] });
export type BlackoutPeriod = z.infer<typeof blackoutSchema>;

const systemSchema = z.strictObject({
  displayName: z.string().min(1),
  description: z.string().default(''),
  /**
   * Systems this one cannot work without: downtime of any of them is downtime of this one too
   * (its subscribers are told, its name is in the notices, its time is taken).
   * @defaultValue none
   */
  dependsOn: z.array(z.string()).default([]),
  /** Why, for the people who maintain the policy; JSON has no comments. */
  $comment: z.string().optional(),
});

const HOLIDAY_COUNTRIES: Readonly<Record<string, string>> = new Holidays().getCountries();

export const policySchema = z.strictObject({
  /** Notes for the people who maintain the policy; JSON has no comments. */
  $comment: z.union([z.string(), z.array(z.string())]).optional(),
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
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be a two-letter country code')
      // date-holidays gives an unknown country no holidays at all, which would make every day a business day.
      .refine((country) => Object.hasOwn(HOLIDAY_COUNTRIES, country), 'is not a country date-holidays knows'),
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
  /**
   * How far ahead a window may start, in calendar days from now: a start years away is a
   * typo (the year 9999 was accepted), and nobody is told of it in any useful way.
   * Optional so that policy files written before it keep loading.
   * @defaultValue 548 (18 months)
   */
  horizonDays: z.number().int().min(1).max(3650).default(548),
  /**
   * The longest window of any kind, in hours. A minor window is held inside its slot anyway;
   * this bounds the extensive ones, whose end would otherwise be unchecked.
   * @defaultValue 72
   */
  maxWindowHours: z.number().int().min(1).max(24 * 366).default(72),
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
      systemSchema,
    )
    .refine((systems) => Object.keys(systems).length > 0, 'at least one system is required')
    .superRefine((systems, ctx) => {
      for (const [id, system] of Object.entries(systems)) {
        system.dependsOn.forEach((other, index) => {
          if (other === id || !Object.hasOwn(systems, other)) {
            ctx.addIssue({
              code: 'custom',
              path: [id, 'dependsOn', index],
              message: other === id ? 'a system cannot depend on itself' : `names no system of the policy ("${other}")`,
            });
          }
        });
      }
    }),
  /**
   * Periods in which no window may start. An extensive window may still be registered in one
   * with `allowBlackout`; a minor one never. @defaultValue none
   */
  blackouts: z.array(blackoutSchema).default([]),
  support: z.strictObject({
    /** The number everyone may call. */
    phone: z.string().min(1),
    /** The short number inside the municipality's exchange: staff only. */
    internalPhone: z.string().min(1),
    menuChoice: z.string(),
    hours: z.array(supportLine),
    emails: z.array(
      z
        .strictObject({ address: z.email(), topic: z.string(), for: readers.optional() })
        // Like a plain line: an address nobody marked for outside readers is staff only.
        .transform(({ for: forReaders, ...email }) => ({ ...email, for: forReaders ?? STAFF_ONLY })),
    ),
    lockFaults: supportLine,
    /** The routine's "Viktigt att interna rutiner finns vid driftstopp!": a note to staff, never to the public. */
    internalRoutinesReminder: z.string().min(1),
    /**
     * The lines with their hours and the routine's advice when they are closed ("Vem ringer jag
     * nu?"). Optional so that policy files written before it keep loading; without it the
     * answer has no open line and points to the `hours` texts above.
     */
    now: supportNowSchema.optional(),
  }),
  /**
   * The public page's accessibility statement (DOS-lagen). Optional so that policy files written
   * before it keep loading; without it the statement says so and gives the support contacts.
   */
  accessibility: accessibilitySchema.optional(),
});

export type Policy = z.infer<typeof policySchema>;
