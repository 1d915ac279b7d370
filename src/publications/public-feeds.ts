import ical, { ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import { publicWindow } from '../delivery/notice-messages.js';
import { inviteUid, UID_DOMAIN } from '../messages/calendar-invite.js';
import { allSystemsText } from '../messages/notice-window.js';
import { vtimezone } from '../messages/vtimezone.js';
import type { Policy } from '../policy/policy-schema.js';
import { DISRUPTION_STATUS_LABELS, type DisruptionStatus } from '../rules/disruption-status.js';
import { formatInstant } from '../windows/window-view.js';
import {
  disruptionAnchor,
  ongoingUntil,
  windowAnchor,
  type DisruptionItem,
  type PublicItem,
  type PublicListing,
  type PublicationUrls,
} from './public-listing.js';

export interface FeedInput {
  listing: PublicListing;
  policy: Policy;
  urls: PublicationUrls;
}

/** The feed's name in calendars and readers. */
export function feedTitle(policy: Policy): string {
  return `Driftstopp och driftstörningar – ${oneLine(policy.municipality)}`;
}

/**
 * The iCalendar a calendar program subscribes to. Each window is the same event as in the
 * managers' invitations (same UID, SEQUENCE = revision − 1), so a manager who has both sees
 * one event. No METHOD: this is a published calendar, not an iTIP message. DTSTAMP is the
 * publication instant rather than the request's, so the same data gives the same bytes.
 */
export function renderIcs({ listing, policy, urls }: FeedInput): string {
  const zone = policy.timezone;
  const years = [
    ...listing.items.flatMap((item) => [item.window.start_at, item.window.end_at]),
    ...listing.disruptions.flatMap((item) => [item.disruption.createdAt, disruptionEnd(item, listing)]),
  ].map((d) => local(d, zone).year);
  const timezone = {
    name: null,
    generator: (name: string) => vtimezone(name, Math.min(...years) - 1, Math.max(...years) + 1),
  };
  const calendar = ical({
    prodId: { company: policy.municipality, product: 'driftstopp', language: 'SV' },
    name: feedTitle(policy),
    description: `Planerade driftstopp och driftstörningar i hemtjänstens IT-system. Mer information: ${urls.page}`,
    url: urls.page,
    // No `ttl`: ical-generator writes REFRESH-INTERVAL after the VTIMEZONE, where RFC 5545
    // allows no calendar property; clients poll subscriptions on their own schedule anyway.
    timezone,
  });
  for (const item of listing.items) {
    const cancelled = item.status === 'cancelled';
    // Luxon values in the zone, not Dates: ical-generator would format a Date in the process's zone.
    calendar.createEvent({
      id: inviteUid(item.window.id),
      sequence: Math.max(0, item.window.revision - 1),
      stamp: DateTime.fromJSDate(item.publishedAt, { zone: 'utc' }),
      start: local(item.window.start_at, zone),
      end: local(item.window.end_at, zone),
      timezone: zone,
      summary: entryTitle(item),
      description: plainText(item, policy, urls),
      url: `${urls.page}#${windowAnchor(item.window.id)}`,
      status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  for (const item of listing.disruptions) {
    const latest = item.updates[0];
    calendar.createEvent({
      id: disruptionUid(item.disruption.id),
      // Each update told raises the sequence, so a calendar replaces the event it has.
      sequence: Math.max(0, item.updates.length - 1),
      stamp: DateTime.fromJSDate(latest?.at ?? item.disruption.createdAt, { zone: 'utc' }),
      start: local(item.disruption.createdAt, zone),
      end: local(disruptionEnd(item, listing), zone),
      timezone: zone,
      summary: disruptionTitle(item),
      description: disruptionText(item, policy, urls),
      url: `${urls.page}#${disruptionAnchor(item.disruption.id)}`,
      status: ICalEventStatus.CONFIRMED,
    });
  }
  // RFC 5545 ends every content line with CRLF, the last one too; the generator leaves it off.
  const text = calendar.toString();
  return text.endsWith('\r\n') ? text : `${text}\r\n`;
}

/** Atom 1.0, written by hand: eight elements do not need a library, only careful escaping. */
export function renderAtom({ listing, policy, urls }: FeedInput): string {
  const updated = atomDate(listing.lastModified ?? new Date(0));
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="sv">',
    // A tag URI, not the page address: the feed stays the same feed if the service moves.
    `  <id>tag:${UID_DOMAIN},2026:driftstopp</id>`,
    `  <title type="text">${xml(feedTitle(policy))}</title>`,
    `  <subtitle type="text">${xml(`Planerade driftstopp och driftstörningar i ${allSystemsText(policy)}, hemtjänstens IT-system.`)}</subtitle>`,
    `  <updated>${updated}</updated>`,
    `  <author><name>${xml(policy.municipality)}</name></author>`,
    `  <link rel="self" type="application/atom+xml" href="${xml(urls.atom)}"/>`,
    `  <link rel="alternate" type="text/html" href="${xml(urls.page)}"/>`,
  ];
  // One entry per update told, so a reader shows each change of a disruption as news.
  for (const item of listing.disruptions) {
    for (const update of item.updates) {
      lines.push(
        '  <entry>',
        `    <id>tag:${UID_DOMAIN},2026:driftstorning:${xml(item.disruption.id)}:${xml(update.id)}</id>`,
        `    <title type="text">${xml(disruptionTitle(item, update.status))}</title>`,
        `    <updated>${atomDate(update.at)}</updated>`,
        `    <link rel="alternate" type="text/html" href="${xml(`${urls.page}#${disruptionAnchor(item.disruption.id)}`)}"/>`,
        ...item.systems.map((system) => `    <category term="${xml(system.id)}" label="${xml(system.name)}"/>`),
        `    <summary type="text">${xml(`${update.statusLabel}. ${update.message}`)}</summary>`,
        `    <content type="text">${xml(disruptionText(item, policy, urls, update))}</content>`,
        '  </entry>',
      );
    }
  }
  for (const item of listing.items) {
    lines.push(
      '  <entry>',
      `    <id>urn:uuid:${item.window.id}</id>`,
      `    <title type="text">${xml(entryTitle(item))}</title>`,
      `    <updated>${atomDate(item.publishedAt)}</updated>`,
      `    <link rel="alternate" type="text/html" href="${xml(`${urls.page}#${windowAnchor(item.window.id)}`)}"/>`,
      ...item.systems.map((system) => `    <category term="${xml(system.id)}" label="${xml(system.name)}"/>`),
      `    <summary type="text">${xml(summary(item))}</summary>`,
      `    <content type="text">${xml(plainText(item, policy, urls))}</content>`,
      '  </entry>',
    );
  }
  lines.push('</feed>', '');
  return lines.join('\n');
}

/** The JSON feed: the webhook's view of each window plus when it was published. */
export function renderJson({ listing, policy }: FeedInput): string {
  const zone = policy.timezone;
  return JSON.stringify({
    updated: formatInstant(listing.lastModified, zone),
    items: listing.items.map((item) => ({
      ...publicWindow(item.window, policy),
      publishedAt: formatInstant(item.publishedAt, zone),
    })),
    disruptions: listing.disruptions.map(({ disruption, resolvedAt, updates }) => ({
      id: disruption.id,
      title: disruption.title,
      description: disruption.description,
      systems: disruption.systems.map((id) => ({ id, name: policy.systems[id]?.displayName ?? id })),
      status: updates[0]?.status ?? disruption.status,
      start: formatInstant(disruption.createdAt, zone),
      resolvedAt: formatInstant(resolvedAt, zone),
      updates: updates.map((update) => ({ status: update.status, message: update.message, at: formatInstant(update.at, zone) })),
    })),
  });
}

/** `driftstorning-<id>@driftstopp.orebro.se`: a disruption's one event in calendars. */
export function disruptionUid(disruptionId: string): string {
  return `driftstorning-${disruptionId}@${UID_DOMAIN}`;
}

/** Resolved: when it was; still lasting: the next full hour, so calendars show it as going on now. */
function disruptionEnd(item: DisruptionItem, listing: PublicListing): Date {
  return item.resolvedAt ?? ongoingUntil(listing.at);
}

/** `Driftstörning i Tes (och därmed CareApp): Tes går inte att nå – Felsökning pågår`, or `Löst: driftstörning i …`. */
export function disruptionTitle(item: DisruptionItem, status: DisruptionStatus = item.updates[0]?.status ?? item.disruption.status): string {
  const subject = `i ${item.systemNames}: ${oneLine(item.disruption.title)}`;
  return status === 'resolved' ? `Löst: driftstörning ${subject}` : `Driftstörning ${subject} – ${DISRUPTION_STATUS_LABELS[status]}`;
}

/** A disruption's story in plain text: the update (or the latest), what users notice, every update, whom to ask. */
function disruptionText(item: DisruptionItem, policy: Policy, urls: PublicationUrls, update = item.updates[0]): string {
  const lines: string[] = [];
  if (update) lines.push(`${update.statusLabel} (${update.when}): ${update.message}`);
  const description = item.disruption.description.trim();
  if (description) lines.push('', description);
  lines.push('', `Berörda system: ${item.systemNames}.`, `Började: ${item.since}.${item.resolved ? ` Löst: ${item.resolved}.` : ''}`);
  if (item.updates.length > 1) {
    lines.push('', 'Alla uppdateringar:', ...item.updates.map((u) => `- ${u.when}: ${u.statusLabel}. ${u.message}`));
  }
  lines.push('', `Frågor: Kommunsupport ${policy.support.phone}. ${policy.support.menuChoice}`.trim());
  lines.push('', `Mer information: ${urls.page}`);
  return lines.join('\n');
}

/** `Planerat driftstopp i Tes och CareApp tisdag 30 mars 2027 kl. 09.00–12.00: Uppgradering av Tes` */
export function entryTitle(item: PublicItem): string {
  const prefix = item.status === 'cancelled' ? 'Inställt: planerat driftstopp' : 'Planerat driftstopp';
  return `${prefix} i ${item.systemNames} ${item.when}: ${oneLine(item.window.title)}`;
}

/** One paragraph: the status in a word, then what it means. */
function summary(item: PublicItem): string {
  const down = `${item.systemNames} går inte att använda ${item.when}.`;
  switch (item.status) {
    case 'cancelled':
      return `Inställt. Det planerade driftstoppet i ${item.systemNames} ${item.when} blir inte av. ${item.theSystems} fungerar som vanligt.${item.cancelReason ? ` Orsak: ${item.cancelReason}` : ''}`;
    case 'rescheduled':
      return `Ändrad tid. ${down} Tidigare meddelad tid var ${item.previousWhen}.`;
    case 'ongoing':
      return `Pågår. ${down}`;
    case 'completed':
      return `Genomfört. ${item.systemNames} gick inte att använda ${item.when}.`;
    case 'planned':
      return `Planerat. ${down}`;
  }
}

/** The whole story in plain text, for a calendar event's DESCRIPTION and an Atom entry's content. */
function plainText(item: PublicItem, policy: Policy, urls: PublicationUrls): string {
  const lines = [summary(item)];
  const description = item.window.description.trim();
  if (description && item.status !== 'cancelled') lines.push('', description);
  if (item.systems.length > 0) {
    lines.push('', 'Berörda system:', ...item.systems.map((s) => `- ${s.name}${s.description ? `: ${s.description}` : ''}`));
  }
  if (item.advice.length > 0) lines.push('', ...item.advice);
  lines.push('', `Frågor: Kommunsupport ${policy.support.phone}. ${policy.support.menuChoice}`.trim());
  lines.push('', `Mer information: ${urls.page}`);
  return lines.join('\n');
}

function local(instant: Date, zone: string): DateTime {
  return DateTime.fromJSDate(instant, { zone });
}

/** RFC 3339 in UTC without fractions: `2027-03-23T07:00:00Z`. */
function atomDate(instant: Date): string {
  return DateTime.fromJSDate(instant, { zone: 'utc' }).toISO({ suppressMilliseconds: true })!;
}

/** Characters XML 1.0 cannot carry at all, even escaped (most C0 controls, lone surrogates). */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text and attribute values: the five markup characters escaped, impossible characters dropped. */
function xml(text: string): string {
  return text
    .replace(NOT_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A title or name on one line: runs of white space and control characters become one space. */
export function oneLine(text: string): string {
  return text.replace(/[\s\p{Cc}]+/gu, ' ').trim();
}
