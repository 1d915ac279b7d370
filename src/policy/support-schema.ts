import { z } from 'zod';

/**
 * The routine's support rules as data: which line is open when, for whom, and what to do
 * when none is ("Vem ringer jag nu?"). `src/rules/support-now.ts` answers from this.
 */

/** Who can be asked "whom do I call now?": municipal staff, or staff of an external provider. */
export const SUPPORT_AUDIENCES = ['staff', 'provider'] as const;
export type SupportAudience = (typeof SUPPORT_AUDIENCES)[number];

const openingTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM (24-hour clock, 00:00–23:59)');
/** A closing time may be the end of the day, so a line open until midnight can say so. */
const closingTime = z
  .string()
  .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be a time HH:MM (24-hour clock, 00:01–24:00)');

/** `{ "from": "08:00", "to": "16:30" }`: local wall-clock time in the policy's zone, `to` not included. */
const span = { from: openingTime, to: closingTime };
/** Compared only when both are well-formed times, so a bad time is reported once, as itself. */
const fromBeforeTo = (hours: { from: string; to: string }) =>
  !(openingTime.safeParse(hours.from).success && closingTime.safeParse(hours.to).success) || hours.from < hours.to;
const fromBeforeToError = { message: 'from must be before to', path: ['to'] };
const interval = z.strictObject(span).refine(fromBeforeTo, fromBeforeToError);
export type ClockInterval = z.infer<typeof interval>;

/** ISO weekdays, 1 = Monday … 7 = Sunday, as `minorWindow.weekdays`. */
const weekdays = z.array(z.number().int().min(1).max(7)).min(1);

/** `{ "weekdays": [1, 2, 3, 4, 5], "from": "08:00", "to": "16:30" }` */
const weeklyHours = z.strictObject({ weekdays, ...span }).refine(fromBeforeTo, fromBeforeToError);

/**
 * A day whose hours differ from the week's. `on` is a date (`"2026-12-23"`), or one of the
 * kinds of day the holiday calendar knows:
 * - `"holiday"`: a public holiday or an eve the policy's `holidays.nonBusinessTypes` treat as
 *   one (midsummer eve, Christmas eve, New Year's eve), whatever weekday it falls on;
 * - `"dayBeforeHoliday"`: a business day followed by such a day, the routine's "dag före helg".
 * `hours` replaces the day's hours (`[]` = closed all day); left out, the week's hours apply
 * and only `note` is said (the routine's "Andra tider kan förekomma dag före helg" names no times).
 * A dated exception wins over `holiday`, which wins over `dayBeforeHoliday`.
 */
const exception = z
  .strictObject({
    on: z.union([z.iso.date('must be a date YYYY-MM-DD, "holiday" or "dayBeforeHoliday"'), z.enum(['holiday', 'dayBeforeHoliday'])]),
    hours: z.array(interval).optional(),
    /** Said to the reader on such a day, in Swedish. */
    note: z.string().trim().min(1).optional(),
  })
  .refine((day) => day.hours !== undefined || day.note !== undefined, {
    message: 'an exception needs hours or a note',
    path: ['hours'],
  });
export type SupportException = z.infer<typeof exception>;

const audiences = z.array(z.enum(SUPPORT_AUDIENCES)).min(1);

const supportLineHours = z.strictObject({
  /** Stable id, for tests and for readers of the JSON. */
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'line ids are lower-case letters, digits and dashes'),
  /** What the reader sees: `Kommunsupport: Tes, CareApp och CareLock`. */
  name: z.string().trim().min(1),
  /** The number as people dial it from outside. */
  phone: z.string().trim().min(1),
  /** The short number inside the municipality's exchange, shown to staff only. */
  internalPhone: z.string().trim().min(1).optional(),
  /** How to reach the right person once through, e.g. the menu choice; said with the line. */
  howTo: z.string().trim().min(1).optional(),
  /**
   * `support` answers questions and faults on its systems; `faultReport` takes only the fault
   * it names (the lock-fault line: "Ej support för CareApp eller telefoni"), so while only such
   * lines are open, the reader also gets the checklist and, staff, the on-call path.
   */
  kind: z.enum(['support', 'faultReport']),
  for: audiences,
  hours: z.array(weeklyHours),
  /** Closed inside the day's hours, every day the line is open, e.g. lunch 12:00–13:00. */
  breaks: z.array(interval).default([]),
  exceptions: z.array(exception).default([]),
});
export type SupportLineHours = z.infer<typeof supportLineHours>;

/**
 * The routine's last resort, "Driftstopp kvällar, helger och nätter": given when no line of
 * kind `support` is open for the reader.
 */
const whenClosed = z.strictObject({
  /** "Gör följande kontroller innan du ringer." */
  checklistIntro: z.string().trim().min(1),
  /** The checks, in order: cables, restart, other systems and a web page, a colleague's computer. */
  checklist: z.array(z.string().trim().min(1)).min(1),
  onCall: z.strictObject({
    /** Who may use it; the routine: not external providers. */
    for: audiences,
    phone: z.string().trim().min(1),
    /** What to do, in Swedish: call 2000, SOS Alarm, the on-call IT technician. */
    text: z.string().trim().min(1),
    /** What the on-call agreement does not cover (unlocking accounts, passwords). */
    notCovered: z.string().trim().min(1),
  }),
  /** Said to those the on-call path is not for (external providers), in Swedish. */
  noOnCall: z.string().trim().min(1),
});

export const supportNowSchema = z.strictObject({
  lines: z.array(supportLineHours).superRefine((lines, ctx) => {
    const seen = new Set<string>();
    lines.forEach((line, index) => {
      if (seen.has(line.id)) ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `names a line twice ("${line.id}")` });
      seen.add(line.id);
    });
  }),
  whenClosed,
});
export type SupportNowPolicy = z.infer<typeof supportNowSchema>;
