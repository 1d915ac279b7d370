import { AUDIENCES, type Audience, type Policy } from '../policy/policy-schema.js';
import type { NoticeKind } from './notice-plan.js';

/**
 * Who was told of a window, and who must hear of it next: the one rule that the window
 * service, the fan-out, the admin pages, the compliance record and the public outputs ask.
 * Pure: it reads facts about notices and deliveries and decides; SQL that must run the same
 * decision over many rows takes the sets below as parameters rather than restating them.
 */

export type DeliveryState = 'pending' | 'sending' | 'sent' | 'failed' | 'cancelled';
export type NoticeState = 'pending' | 'sent' | 'failed' | 'cancelled';

/** Messages that tell someone of a window; a cancellation only takes it back. */
export const TELLING_KINDS: readonly NoticeKind[] = ['announcement', 'update', 'reminder'];

/** A delivery that reached its recipient: an e-mail the SMTP server accepted, a webhook answered 2xx. */
export const REACHED: readonly DeliveryState[] = ['sent'];

/** Being sent right now: it may reach its recipient any moment, so a change waits for it. */
export const IN_FLIGHT: readonly DeliveryState[] = ['sending'];

/**
 * A recipient with a telling delivery in one of these states has had (or is having) their
 * try and is owed no catch-up; one whose delivery was withdrawn before it left is owed one.
 */
export const TRIED: readonly DeliveryState[] = ['pending', 'sending', 'sent', 'failed'];

/** The recipient key of an audience's CMS endpoint; e-mail recipients are keyed by their id. */
export const WEBHOOK_KEY = 'webhook';

/** The key under which the feeds count: a publication audience without a CMS endpoint is told by them. */
export const FEED_KEY = 'feed';

/**
 * Whom a notice of each kind goes to when it is fanned out. A *subscriber* of an audience is
 * an active recipient of its kind who follows one of the window's systems and has not
 * stopped receiving messages (self-service or one-click unsubscribe):
 * - `untold_subscribers`: the audience's current subscribers not yet tried with an
 *   announcement of the window (so a catch-up announcement reaches only the newcomers);
 * - `subscribers`: the audience's current subscribers (a reminder of a window they are
 *   subscribed to; whoever joined late was owed the announcement at once);
 * - `told`: exactly those told, whatever their subscriptions are now, also the removed and
 *   the unsubscribed (they were told; they must be untold, their calendar entry corrected).
 *
 * So an unsubscribed recipient gets no announcement, catch-up or reminder of any window, and
 * still the update or cancellation of a window they were told of. Someone who starts
 * receiving again is a newcomer to the windows announced meanwhile: owed the catch-up.
 *
 * A recipient counts as told whichever address a message reached: their own, or their
 * deputy's while a deputy range covered the day it went out (src/rules/deputies.ts). Where
 * each message goes is decided when it goes out, so an update after the range reaches the
 * recipient in person.
 */
export type Reach = 'untold_subscribers' | 'subscribers' | 'told';

export function reachOf(kind: NoticeKind): Reach {
  if (kind === 'announcement') return 'untold_subscribers';
  if (kind === 'reminder') return 'subscribers';
  return 'told';
}

/** The notice order everywhere a window's notices are listed: due instant, creation, the routine's audience order. */
export function compareNotices(
  a: { due_at: Date; created_at: Date; audience: Audience },
  b: { due_at: Date; created_at: Date; audience: Audience },
): number {
  return (
    a.due_at.getTime() - b.due_at.getTime() ||
    a.created_at.getTime() - b.created_at.getTime() ||
    AUDIENCES.indexOf(a.audience) - AUDIENCES.indexOf(b.audience)
  );
}

/** The people an audience is made of; the policy's channel says whether they are reached by e-mail at all. */
export const AUDIENCE_MEMBERS: Partial<Record<Audience, 'manager' | 'provider' | 'subscriber'>> = { managers: 'manager', egetval: 'provider', public: 'subscriber' };

/**
 * The recipients an audience reaches by e-mail, if any: managers and providers unless the
 * policy publishes to their audience instead, and always the public's e-mail subscribers
 * (who signed up on the public page and confirmed): the public audience is a publication
 * (CMS webhook, feeds) and, besides, an e-mail to each of them, told by the same rule.
 */
export function emailMembersOf(policy: Policy, audience: Audience): 'manager' | 'provider' | 'subscriber' | undefined {
  const members = AUDIENCE_MEMBERS[audience];
  if (members === 'subscriber') return members;
  return members && policy.audiences[audience].channel !== 'publication' ? members : undefined;
}

/** Audiences reached by publication (a CMS webhook and the feeds) rather than by e-mail to people. */
export function publicationAudiences(policy: Policy): ReadonlySet<Audience> {
  return new Set(AUDIENCES.filter((a) => policy.audiences[a].channel === 'publication'));
}

export interface NoticeFact {
  id: string;
  audience: Audience;
  kind: NoticeKind;
  status: NoticeState;
  dispatched_at: Date | null;
}

export interface DeliveryFact {
  notice_id: string;
  recipient_key: string;
  status: DeliveryState;
}

export interface AudienceTold {
  /** Recipient keys a telling message reached. */
  told: Set<string>;
  /** Recipient keys a telling message is being sent to now. */
  inFlight: Set<string>;
  /** Recipient keys an announcement was tried with (sent, being sent, waiting, or failed for good). */
  tried: Set<string>;
  /** Notices of the audience, of any kind, that reached anyone (or went out on the feeds). */
  reachedNotices: Set<string>;
  /** Whether the audience's announcement has gone out (been fanned out), to anyone or to nobody. */
  announced: boolean;
}

/**
 * Who a window's messages reached, per audience. A delivery counts once it reached its
 * recipient; a publication audience without a CMS endpoint counts as told by the feeds once
 * its notice went out (and was not withdrawn). Cancellations tell nothing.
 */
export function whoWasTold(
  notices: readonly NoticeFact[],
  deliveries: readonly DeliveryFact[],
  publications: ReadonlySet<Audience>,
): Map<Audience, AudienceTold> {
  const byNotice = new Map(notices.map((n) => [n.id, n]));
  const result = new Map<Audience, AudienceTold>(
    AUDIENCES.map((a) => [a, { told: new Set(), inFlight: new Set(), tried: new Set(), reachedNotices: new Set(), announced: false }]),
  );
  // E-mails to a publication audience's subscribers do not stand for its CMS endpoint: only a webhook delivery does.
  const withWebhook = new Set<string>();
  for (const d of deliveries) {
    const notice = byNotice.get(d.notice_id);
    if (d.recipient_key === WEBHOOK_KEY) withWebhook.add(d.notice_id);
    if (!notice) continue;
    const entry = result.get(notice.audience)!;
    const reached = REACHED.includes(d.status);
    if (reached) entry.reachedNotices.add(notice.id);
    if (!TELLING_KINDS.includes(notice.kind)) continue;
    if (reached) entry.told.add(d.recipient_key);
    else if (IN_FLIGHT.includes(d.status)) entry.inFlight.add(d.recipient_key);
    if (notice.kind === 'announcement' && TRIED.includes(d.status)) entry.tried.add(d.recipient_key);
  }
  for (const n of notices) {
    if (n.dispatched_at === null) continue;
    const entry = result.get(n.audience)!;
    const byFeed = wentOutOnFeedsAlone(n, withWebhook.has(n.id), publications);
    if (byFeed) entry.reachedNotices.add(n.id);
    if (!TELLING_KINDS.includes(n.kind)) continue;
    if (n.kind === 'announcement') entry.announced = true;
    if (byFeed) entry.told.add(FEED_KEY);
  }
  for (const entry of result.values()) for (const key of entry.told) entry.inFlight.delete(key);
  return result;
}

/**
 * A publication notice that went out without a webhook delivery (no CMS endpoint) and was not
 * withdrawn reached its audience through the feeds alone (e-mails to its subscribers aside).
 */
export function wentOutOnFeedsAlone(
  notice: Pick<NoticeFact, 'audience' | 'status' | 'dispatched_at'>,
  hasWebhookDelivery: boolean,
  publications: ReadonlySet<Audience>,
): boolean {
  return notice.dispatched_at !== null && publications.has(notice.audience) && !hasWebhookDelivery && notice.status !== 'cancelled';
}

/**
 * The audiences that must hear of a change (an update or a cancellation): those someone of
 * which was told, or is being told right now. Nobody else hears anything.
 */
export function audiencesToTellOfChange(told: ReadonlyMap<Audience, AudienceTold>): Audience[] {
  return AUDIENCES.filter((a) => {
    const entry = told.get(a);
    return entry !== undefined && (entry.told.size > 0 || entry.inFlight.size > 0);
  });
}

/**
 * Whether an audience's announcement is still to be planned after a change: only while it
 * has not gone out. Once it has, its newcomers are owed a catch-up announcement instead.
 */
export function stillToAnnounce(told: ReadonlyMap<Audience, AudienceTold>, audience: Audience): boolean {
  return !told.get(audience)?.announced;
}

/** Whether an audience was told of the window: someone (or the feeds) received a telling message. */
export function wasTold(told: ReadonlyMap<Audience, AudienceTold>, audience: Audience): boolean {
  return (told.get(audience)?.told.size ?? 0) > 0;
}

/**
 * Whether a change's message to an audience must wait: a telling message to it is being sent
 * right now, and only its outcome says whether that recipient is owed the change.
 */
export function mustWaitForInFlight(told: ReadonlyMap<Audience, AudienceTold>, audience: Audience): boolean {
  return (told.get(audience)?.inFlight.size ?? 0) > 0;
}

/**
 * Windows whose newcomers are owed the announcement: planned or running (not cancelled, not
 * ended). A recipient who subscribes after a cancellation or after the end is owed nothing.
 */
export function owesCatchUp(window: { status: string; end_at: Date }, now: Date): boolean {
  return (window.status === 'scheduled' || window.status === 'in_progress') && window.end_at.getTime() > now.getTime();
}

/**
 * Disruptions whose newcomers are owed the announcement: those still going on. Once resolved
 * a disruption owes nobody anything new; those told still hear that it was resolved.
 */
export function owesDisruptionCatchUp(disruption: { status: string }): boolean {
  return disruption.status !== 'resolved';
}

/**
 * Whom a notice reaches, decided from who was told: `subscribers` limits it to the audience's
 * current subscribers (false: removed recipients too), `only` to these keys, `except` never these.
 */
export interface Selection {
  subscribers: boolean;
  only: ReadonlySet<string> | null;
  except: ReadonlySet<string>;
}

const NOBODY: ReadonlySet<string> = new Set();

/**
 * A chase (the acknowledgement's reminder) reaches those told of the window who are still
 * subscribed and have not confirmed its current revision (`acknowledged`: their keys);
 * nobody who was never told, whatever they subscribe to now.
 */
export function selectionFor(kind: NoticeKind, entry: AudienceTold, chase?: { acknowledged: ReadonlySet<string> }): Selection {
  if (chase) return { subscribers: true, only: entry.told, except: chase.acknowledged };
  const reach = reachOf(kind);
  if (reach === 'untold_subscribers') return { subscribers: true, only: null, except: entry.tried };
  if (reach === 'subscribers') return { subscribers: true, only: null, except: NOBODY };
  return { subscribers: false, only: entry.told, except: NOBODY };
}

/** Whether one recipient (by key, subscribed now or not) is selected. */
export function isSelected(selection: Selection, key: string, subscribed: boolean): boolean {
  return (subscribed || !selection.subscribers) && (selection.only === null || selection.only.has(key)) && !selection.except.has(key);
}
