import ical, { ICalCalendarMethod, ICalEventStatus, ICalEventTransparency, type ICalEventData } from 'ical-generator';
import { DateTime } from 'luxon';
import { affectedSystemsText } from '../rules/dependencies.js';
import type { Audience, Policy } from '../policy/policy-schema.js';
import { foldLines } from './ical-fold.js';
import { formatWhen } from './swedish-time.js';
import type { NoticeWindow } from './notice-window.js';
import { supportForAudience } from './support-lines.js';
import { vtimezone } from './vtimezone.js';

export type InviteMethod = 'REQUEST' | 'CANCEL';

export interface InviteParty {
  name: string;
  email: string;
}

export interface InviteInput {
  window: NoticeWindow;
  policy: Policy;
  method: InviteMethod;
  /** The sender (MAIL_FROM, named from the policy when it has no name). */
  organizer: InviteParty;
  /** Whose texts the description follows: staff see the internal number, providers do not. @defaultValue 'managers' */
  audience?: Audience | undefined;
  /** The one recipient of this copy; calendar clients want to find themselves among the attendees. */
  attendee?: InviteParty | undefined;
  /** DTSTAMP, when this copy was made. @defaultValue the current instant */
  stamp?: Date | undefined;
}

/** One notice's invitation, built once, written out per recipient. */
export interface InviteTemplate {
  method: InviteMethod;
  /** `driftstopp-tes-careapp-2027-03-30.ics`: the systems and the local start date. */
  filename: string;
  /** The .ics text naming this recipient as the one ATTENDEE. */
  forAttendee(attendee: InviteParty): string;
}

/** The domain part of every UID: the same window keeps the same UID through all its revisions. */
export const UID_DOMAIN = 'driftstopp.orebro.se';

export function inviteUid(windowId: string): string {
  return `driftstopp-${windowId}@${UID_DOMAIN}`;
}

/** The .ics file's name: what and when, in characters every mail program keeps as they are. */
export function inviteFilename(window: Pick<NoticeWindow, 'systems' | 'start'>, zone: string): string {
  const systems = window.systems.map((id) => id.toLowerCase().replace(/[^a-z0-9-]/g, '')).filter(Boolean);
  const date = DateTime.fromJSDate(window.start, { zone }).toISODate();
  return `${['driftstopp', ...systems, date].join('-')}.ics`;
}

/**
 * The iCalendar text of one window's invitation. The UID is stable per window and the
 * SEQUENCE is `revision - 1` (revision 1 is the first announcement, sequence 0), so a
 * client replaces the event in place on an update and removes it on METHOD:CANCEL.
 * Callers pass the window as it is now: its revision is already raised for a change.
 */
export function buildInvite(input: InviteInput): string {
  const { attendee, ...rest } = input;
  const parts = inviteParts(rest);
  return attendee ? `${parts.before}${attendeeLine(attendee)}${parts.after}` : `${parts.before}${parts.after}`;
}

/**
 * The invitation of one notice for many recipients: the calendar is generated once, and
 * each copy only writes its ATTENDEE line into it, so a fan-out to thousands stays one build.
 */
export function inviteTemplate(input: Omit<InviteInput, 'attendee'>): InviteTemplate {
  const { before, after } = inviteParts(input);
  return {
    method: input.method,
    filename: inviteFilename(input.window, input.policy.timezone),
    forAttendee: (attendee) => `${before}${attendeeLine(attendee)}${after}`,
  };
}

/**
 * The calendar split where the attendee goes (just before END:VEVENT).
 *
 * What the event says, checked against RFC 5546 and the big calendar programs:
 * - METHOD:REQUEST with ORGANIZER (the sender) and one ATTENDEE (the recipient): RFC 5546
 *   3.2.2 requires both, and a client only updates or cancels an event in place when it
 *   finds its own address among the attendees.
 * - RSVP=FALSE: no reply is expected (the sender is a no-reply address); Exchange reads it
 *   as "no response requested" (MS-OXCICAL, PidTagResponseRequested).
 * - TRANSP:TRANSPARENT and X-MICROSOFT-CDO-BUSYSTATUS:FREE: the downtime does not book
 *   anyone busy; Outlook reads the latter first (MS-OXCICAL 2.1.3.1.1.20.25).
 * - No VALARM: the recipient's own calendar settings decide reminders.
 */
function inviteParts(input: Omit<InviteInput, 'attendee'>): { before: string; after: string } {
  const { policy, method } = input;
  const event = inviteEvent(input);
  // The calendar itself gets no zone name: ical-generator would then write DTSTAMP as a
  // floating local time, where RFC 5545 requires UTC. Only the event is written by the
  // generator (calendarHead writes what comes before it), so the calendar needs no zone.
  const calendarEvent = ical({ timezone: { name: null } }).createEvent(event);
  const vevent = foldLines(calendarEvent.toString());
  const at = vevent.lastIndexOf('END:VEVENT\r\n');
  if (at < 0) throw new Error('the generated event has no END:VEVENT');
  // The VTIMEZONE starts a year early so the observance in force at the start is defined.
  const head = calendarHead(policy.municipality, method, calendarEvent.timezone(), event.start.year - 1, event.end.year + 1);
  return { before: head + vevent.slice(0, at), after: `${vevent.slice(at)}END:VCALENDAR` };
}

/** The event of one window's invitation, as ical-generator takes it; `start` and `end` in the policy's zone. */
export function inviteEvent(input: Omit<InviteInput, 'attendee'>): ICalEventData & { start: DateTime; end: DateTime } {
  const { window, policy, method, organizer } = input;
  const zone = policy.timezone;
  const start = DateTime.fromJSDate(window.start, { zone });
  const end = DateTime.fromJSDate(window.end, { zone });
  if (!start.isValid || !end.isValid) throw new RangeError(`window ${window.id} has no valid start or end`);
  const cancelled = method === 'CANCEL';
  const systems = affectedSystemsText(policy, window.systems);
  // Luxon values, not Dates: with a time zone set, ical-generator formats a JS Date in the
  // process's own zone, which would be wrong on any server not running in Stockholm.
  return {
    id: inviteUid(window.id),
    sequence: Math.max(0, window.revision - 1),
    stamp: input.stamp ?? new Date(),
    start,
    end,
    timezone: zone,
    summary: `${cancelled ? 'Inställt: p' : 'P'}lanerat driftstopp i ${systems}: ${oneLine(window.title)}`,
    description: describe(window, policy, input.audience ?? 'managers', systems, cancelled),
    status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    transparency: ICalEventTransparency.TRANSPARENT,
    organizer: { name: organizer.name, email: organizer.email },
    x: [['X-MICROSOFT-CDO-BUSYSTATUS', 'FREE']],
  };
}

/**
 * What comes before the event, as ical-generator's `calendar.toString()` writes it for
 * this calendar (VERSION, PRODID, METHOD and the VTIMEZONE of the event's zone, which UTC
 * has none of), folded. It
 * depends only on the policy, the method and the years, so it is written once per process
 * rather than re-serialised and re-folded for every notice.
 */
function calendarHead(municipality: string, method: InviteMethod, zone: string | null, fromYear: number, toYear: number): string {
  const key = `${municipality}|${method}|${zone}|${fromYear}|${toYear}`;
  let head = heads.get(key);
  if (head === undefined) {
    const prodId = ical({ prodId: { company: municipality, product: 'driftstopp', language: 'SV' } }).prodId();
    const calendarMethod = method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST;
    const timezone = zone && !zone.startsWith('/') ? `${vtimezone(zone, fromYear, toYear).replace(/\r\n/g, '\n').replace(/\n/g, '\r\n').trim()}\r\n` : '';
    head = foldLines(`BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-${prodId}\r\nMETHOD:${calendarMethod}\r\n${timezone}`);
    heads.set(key, head);
  }
  return head;
}

const heads = new Map<string, string>();

/**
 * `ATTENDEE;RSVP=FALSE;ROLE=OPT-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN="…":mailto:…`, folded
 * at 75 octets. The name is a quoted parameter value, which cannot hold a double quote or
 * a control character (RFC 5545 3.1): those become a single quote and a space.
 */
export function attendeeLine(attendee: InviteParty): string {
  const name = attendee.name.replace(/"/g, "'").replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').trim();
  const email = attendee.email.replace(/[\s\p{Cc}"]/gu, '');
  const cn = name ? `;CN="${name}"` : '';
  return foldLine(`ATTENDEE;RSVP=FALSE;ROLE=OPT-PARTICIPANT;PARTSTAT=NEEDS-ACTION${cn}:mailto:${email}`);
}

/** RFC 5545 3.1: lines of at most 75 octets, continued after CRLF and a space, never inside a character. */
function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  let limit = 75;
  for (const char of line) {
    const size = Buffer.byteLength(char);
    if (octets + size > limit) {
      out.push(current);
      current = '';
      octets = 0;
      limit = 74; // the leading space of a continuation counts
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return `${out.join('\r\n ')}\r\n`;
}

/** Plain text for the event's DESCRIPTION: what stops, when, and whom to call, as the audience's texts say it. */
function describe(window: NoticeWindow, policy: Policy, audience: Audience, systems: string, cancelled: boolean): string {
  const support = supportForAudience(policy, audience);
  const when = formatWhen(window.start, window.end, policy.timezone);
  const plural = window.systems.length > 1;
  const lines = cancelled
    ? [`Det planerade driftstoppet i ${systems} ${when} är inställt.`, `Ingenting ändras: ${plural ? 'systemen' : 'systemet'} går att använda som vanligt.`]
    : [`Planerat driftstopp i ${systems} ${when}.`, `${plural ? 'Systemen' : 'Systemet'} går inte att använda under den tiden.`];
  if (cancelled && window.cancelReason) lines.push(`Orsak: ${window.cancelReason}`);
  if (!cancelled && window.description.trim()) lines.push('', window.description.trim());
  if (!cancelled && support.routines) lines.push('', support.routines);
  lines.push('', `Kommunsupport: ${support.phone}${support.internalPhone ? ` (internt ${support.internalPhone})` : ''}.`);
  return lines.join('\n');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
