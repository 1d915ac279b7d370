import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import type { Policy } from '../policy/policy-schema.js';
import { formatWhen } from './swedish-time.js';
import { systemNames, type NoticeWindow } from './notice-window.js';
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
  organizer: InviteParty;
  /** The one recipient of this copy; calendar clients want to find themselves among the attendees. */
  attendee?: InviteParty;
  /** DTSTAMP, when this copy was made. @defaultValue the current instant */
  stamp?: Date;
}

/** The domain part of every UID: the same window keeps the same UID through all its revisions. */
export const UID_DOMAIN = 'driftstopp.orebro.se';

export function inviteUid(windowId: string): string {
  return `driftstopp-${windowId}@${UID_DOMAIN}`;
}

/**
 * The iCalendar text of one window's invitation. The UID is stable per window and the
 * SEQUENCE is `revision - 1` (revision 1 is the first announcement, sequence 0), so a
 * client replaces the event in place on an update and removes it on METHOD:CANCEL.
 * Callers pass the window as it is now: its revision is already raised for a change.
 */
export function buildInvite(input: InviteInput): string {
  const { window, policy, method, organizer, attendee } = input;
  const zone = policy.timezone;
  const start = DateTime.fromJSDate(window.start).setZone(zone);
  const end = DateTime.fromJSDate(window.end).setZone(zone);
  if (!start.isValid || !end.isValid) throw new RangeError(`window ${window.id} has no valid start or end`);
  // The VTIMEZONE starts a year early so the observance in force at the start is defined.
  // The calendar itself gets no zone name: ical-generator would then write DTSTAMP as a
  // floating local time, where RFC 5545 requires UTC. The event's own zone still gets
  // its VTIMEZONE from the generator.
  const timezone = { name: null, generator: (name: string) => vtimezone(name, start.year - 1, end.year + 1) };

  const calendar = ical({
    prodId: { company: policy.municipality, product: 'driftstopp', language: 'SV' },
    method: method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
    timezone,
  });
  const cancelled = method === 'CANCEL';
  const systems = systemNames(policy, window.systems).join(', ');
  // Luxon values, not Dates: with a time zone set, ical-generator formats a JS Date in the
  // process's own zone, which would be wrong on any server not running in Stockholm.
  calendar.createEvent({
    id: inviteUid(window.id),
    sequence: Math.max(0, window.revision - 1),
    stamp: input.stamp ?? new Date(),
    start,
    end,
    timezone: zone,
    summary: `${cancelled ? 'Inställt: p' : 'P'}lanerat driftstopp i ${systems}: ${oneLine(window.title)}`,
    description: describe(window, policy, systems, cancelled),
    status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: { name: organizer.name, email: organizer.email },
    attendees: attendee
      ? [{ name: attendee.name, email: attendee.email, role: ICalAttendeeRole.OPT, status: ICalAttendeeStatus.NEEDSACTION, rsvp: false }]
      : [],
  });
  return calendar.toString();
}

/** Plain text for the event's DESCRIPTION: what stops, when, and whom to call. */
function describe(window: NoticeWindow, policy: Policy, systems: string, cancelled: boolean): string {
  const when = formatWhen(window.start, window.end, policy.timezone);
  const lines = cancelled
    ? [`Det planerade driftstoppet i ${systems} ${when} är inställt.`]
    : [`Planerat driftstopp i ${systems} ${when}.`, 'Systemen går inte att använda under den tiden.'];
  if (cancelled && window.cancelReason) lines.push(`Orsak: ${window.cancelReason}`);
  if (!cancelled && window.description.trim()) lines.push('', window.description.trim());
  if (!cancelled) lines.push('', policy.support.internalRoutinesReminder);
  lines.push('', `Kommunsupport: ${policy.support.phone} (internt ${policy.support.internalPhone}).`);
  return lines.join('\n');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
