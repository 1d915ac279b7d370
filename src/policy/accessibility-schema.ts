import { z } from 'zod';

/**
 * The accessibility statement (tillgänglighetsredogörelse) that the law on accessibility of
 * digital public service (lagen (2018:1937), DOS-lagen) requires of the public page: how well
 * it complies, what is not accessible and why, whom to contact, and the supervisory authority.
 * The headings and the law's wording are the page's; what the municipality states is here.
 */
const text = z.string().trim().min(1).max(2000);
const localDate = z.iso.date('must be a date YYYY-MM-DD');

/** The Swedish supervisory authority and its form for reports on accessibility. */
export const DIGG = { name: 'Myndigheten för digital förvaltning (Digg)', url: 'https://www.digg.se/tdosanmalan' } as const;

export const ACCESSIBILITY_STATUSES = ['full', 'partial', 'none'] as const;

export const accessibilitySchema = z
  .strictObject({
    /** Helt (`full`), delvis (`partial`) or inte (`none`) förenlig med lagen. */
    status: z.enum(ACCESSIBILITY_STATUSES),
    /** Paragraphs under "Hur tillgänglig är sidan?", in Swedish. @defaultValue none */
    intro: z.array(text).default([]),
    /** What is not accessible, and why; required unless the status is `full`. */
    knownIssues: z.array(text).default([]),
    /** Where a reader reports a problem or asks for the content in another form. */
    contact: z.strictObject({
      email: z.email(),
      phone: z.string().trim().min(1).optional(),
      /** When a reader can expect an answer, e.g. "Vi svarar inom fem arbetsdagar." */
      responseTime: text.optional(),
    }),
    /** How the page was assessed ("Vi har gjort en egen granskning …") and when. */
    assessment: z.strictObject({ method: text, date: localDate }),
    /** When the statement was last updated. */
    updated: localDate,
    /** The supervisory authority; Digg in Sweden. */
    /** @defaultValue Digg, with its form for reports */
    supervisor: z.strictObject({ name: text, url: z.url({ protocol: /^https$/ }) }).default(DIGG),
  })
  .refine((statement) => statement.status === 'full' || statement.knownIssues.length > 0, {
    message: 'a statement that is not "full" must name its known issues',
    path: ['knownIssues'],
  });
export type AccessibilityStatement = z.infer<typeof accessibilitySchema>;
