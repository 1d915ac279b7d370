import { deputyLinkSubject } from '../links/deputy-links.js';
import { personalLinks, unsubscribeHeaders, type PersonalLinkInput } from '../links/message-links.js';
import { inviteTemplate } from '../messages/calendar-invite.js';
import { composeNotice } from '../messages/compose-email.js';
import type { MailSender } from '../messages/mail-sender.js';
import { noticeWindowFromRow } from '../messages/notice-window.js';
import { INVITE_SLOT, prebuildEmail, type AddressEmail, type OutgoingEmail, type PersonalParts } from '../messages/prebuilt-email.js';
import { publicPageUrlFor, renderNotice, type NoticeLinks } from '../messages/render-notice.js';
import { renderDisruptionRow, type DisruptionFacts } from '../messages/render-disruption.js';
import { textSlot } from '../messages/text-slots.js';
import { asksToAcknowledge } from '../rules/acknowledgement.js';
import type { Policy } from '../policy/policy-schema.js';
import { DISRUPTION_STATUS_LABELS } from '../rules/disruption-status.js';
import type { NoticeRow, WindowRow } from '../storage/schema.js';
import { formatInstant } from '../windows/window-view.js';

/** Addresses a compiled message to one recipient (or their deputy), with their personal links. */
export type AddressedEmail = (to: { name: string; email: string }, recipientKey: string, options?: AddressOptions) => OutgoingEmail;

/** What a notice tells of, as its message needs it: a window, or a disruption with its updates. */
export type MessageSubject = { kind: 'window'; window: WindowRow } | { kind: 'disruption'; facts: DisruptionFacts };

export interface NoticeMessages {
  /**
   * Renders and compiles the notice once; the returned function addresses it to one
   * recipient, with their personal links (the recipient key is their id).
   */
  emailFor(notice: NoticeRow, window: WindowRow): Promise<AddressedEmail>;
  /** The webhook body of a publication: `{ audience, kind, window, publishedAt }` (contract). */
  publicationBody(notice: NoticeRow, window: WindowRow): string;
  /** A disruption's message, compiled once: no calendar invitation, since it is happening now. */
  disruptionEmailFor(notice: NoticeRow, facts: DisruptionFacts): Promise<AddressedEmail>;
  /** The webhook body of a disruption's publication: `{ audience, kind, disruption, publishedAt }`. */
  disruptionBody(notice: NoticeRow, facts: DisruptionFacts): string;
}

export interface AddressOptions {
  /** The copy goes to the recipient's deputy (`to`): its settings and unsubscribe links are the deputy's own. */
  deputy?: boolean | undefined;
}

export interface MessageOptions {
  policy: Policy;
  /** MAIL_FROM as config parsed it. */
  mailFrom: MailSender;
  /** PUBLIC_BASE_URL as config normalised it. */
  publicBaseUrl: string;
  /** LINK_SECRET: signs the personal links in every e-mail to a person. */
  linkSecret: string;
  /** TEMPLATES_DIR. @defaultValue the bundled templates */
  templatesDir?: URL | undefined;
}

/** What each audience is shown of a window: the same in the webhook, the feeds and the page. */
export function publicWindow(window: WindowRow, policy: Policy) {
  return {
    id: window.id,
    title: window.title,
    description: window.description,
    systems: window.systems.map((id) => ({ id, name: policy.systems[id]?.displayName ?? id })),
    kind: window.kind,
    start: formatInstant(window.start_at, policy.timezone),
    end: formatInstant(window.end_at, policy.timezone),
    status: window.status,
    revision: window.revision,
    cancelReason: window.cancel_reason,
  };
}

/** The links of a message as text slots, filled per recipient by prebuildEmail (personalParts). */
export function linkSlots(acknowledge: boolean): NoticeLinks {
  return { settings: textSlot('settings'), unsubscribe: textSlot('unsubscribe'), acknowledge: acknowledge ? textSlot('acknowledge') : null };
}

/** One recipient's links as prebuildEmail writes them: the text slots and the RFC 8058 header lines. */
export function personalParts(input: PersonalLinkInput): PersonalParts {
  const links = personalLinks(input);
  const slots: Record<string, string> = { settings: links.settings, unsubscribe: links.unsubscribe };
  if (links.acknowledge) slots.acknowledge = links.acknowledge;
  return { headers: unsubscribeHeaders(links.unsubscribe), slots };
}

/**
 * What each audience is shown of a disruption, as of the update `revision` (the notice's):
 * the same in the webhook and the feeds. Who registered it is not shown.
 */
export function publicDisruption(facts: DisruptionFacts, policy: Policy, revision: number = facts.disruption.revision) {
  const { disruption } = facts;
  const updates = facts.updates.filter((u) => u.sequence <= revision);
  const current = updates.at(-1)!;
  const zone = policy.timezone;
  return {
    id: disruption.id,
    title: disruption.title,
    description: disruption.description,
    systems: disruption.systems.map((id) => ({ id, name: policy.systems[id]?.displayName ?? id })),
    status: current.status,
    statusText: DISRUPTION_STATUS_LABELS[current.status],
    revision: current.sequence,
    createdAt: formatInstant(disruption.created_at, zone),
    updatedAt: formatInstant(current.at, zone),
    resolvedAt: current.status === 'resolved' ? formatInstant(current.at, zone) : null,
    updates: updates.map((u) => ({
      sequence: u.sequence,
      status: u.status,
      statusText: DISRUPTION_STATUS_LABELS[u.status],
      message: u.message,
      at: formatInstant(u.at, zone),
    })),
  };
}

/** Compiled window messages kept per process: the messages of one morning's notices. */
const COMPILED_MESSAGES = 100;

export function noticeMessages(options: MessageOptions): NoticeMessages {
  const { policy } = options;
  const sender = options.mailFrom;
  // RFC 5545 wants the organizer named; a bare MAIL_FROM borrows the policy's sender name.
  const organizer = { name: sender.name ?? policy.senderName, email: sender.address };
  const domain = sender.address.split('@')[1] ?? 'driftstopp.local';
  const from = sender.name === undefined ? sender.address : { name: sender.name, email: sender.address };
  /**
   * A compiled notice addressed per recipient with their own links. The Message-ID is stable
   * per notice and recipient (a mail system can drop a rare repeat), and the links expire from
   * the fan-out instant, so a retried send is the same message. A deputy's copy carries the
   * deputy's own settings and unsubscribe links.
   */
  const withPersonalLinks =
    (address: AddressEmail, notice: NoticeRow, acknowledge?: PersonalLinkInput['acknowledge']): AddressedEmail =>
    (to, recipientKey, addressing = {}) =>
      address(to, `<${notice.id}.${recipientKey}@${domain}>`, personalParts({
        secret: options.linkSecret,
        publicBaseUrl: options.publicBaseUrl,
        recipientId: recipientKey,
        madeAt: notice.dispatched_at ?? notice.due_at,
        acknowledge,
        personalSubject: addressing.deputy ? deputyLinkSubject(recipientKey, to.email) : undefined,
      }));
  /** Renders and compiles a window's notice: the bodies, the invitation and the MIME structure. */
  const compileWindowEmail = (notice: NoticeRow, window: WindowRow, asks: boolean, late: boolean): Promise<AddressEmail> => {
    const facts = noticeWindowFromRow(window);
    const content = renderNotice({
      policy,
      window: facts,
      audience: notice.audience,
      kind: notice.kind,
      previous:
        notice.previous_start_at && notice.previous_end_at ? { start: notice.previous_start_at, end: notice.previous_end_at } : undefined,
      publicPageUrl: publicPageUrlFor(options.publicBaseUrl),
      templatesDir: options.templatesDir,
      // A catch-up is late for the newcomer, not for the reason the window was short of notice.
      late,
      links: linkSlots(asks),
      chase: notice.chase,
    });
    const method = notice.kind === 'cancellation' ? 'CANCEL' : 'REQUEST';
    // One calendar per message; each recipient's copy names them as its ATTENDEE.
    const invite = inviteTemplate({ window: facts, policy, method, organizer, audience: notice.audience });
    const message = composeNotice({ content, from, invite: { content: INVITE_SLOT, method, filename: invite.filename } });
    return prebuildEmail(message, sender.address, (to) => invite.forAttendee(to));
  };
  /**
   * A window's message compiled once for all its notices that say the same: a thousand
   * reminders of one window at one instant are one render. Keyed by what the message is made
   * of; the notice itself only goes into each copy's Message-ID and links.
   */
  const compiled = new Map<string, Promise<AddressEmail>>();
  const compileOnce = (key: string, compile: () => Promise<AddressEmail>) => {
    let address = compiled.get(key);
    if (!address) {
      if (compiled.size >= COMPILED_MESSAGES) compiled.delete(compiled.keys().next().value!);
      address = compile();
      address.catch(() => compiled.delete(key));
      compiled.set(key, address);
    }
    return address;
  };
  return {
    async emailFor(notice, window) {
      const asks = asksToAcknowledge(policy, notice.audience, notice.kind) && window.status !== 'cancelled';
      const late = notice.late && !notice.catch_up;
      const key = JSON.stringify([window.id, window.updated_at.getTime(), notice.audience, notice.kind, late, notice.chase, notice.previous_start_at?.getTime(), notice.previous_end_at?.getTime()]);
      const address = await compileOnce(key, () => compileWindowEmail(notice, window, asks, late));
      return withPersonalLinks(address, notice, asks ? { windowId: window.id, revision: window.revision } : undefined);
    },
    async disruptionEmailFor(notice, facts) {
      const content = renderDisruptionRow(notice, {
        policy,
        facts,
        publicPageUrl: publicPageUrlFor(options.publicBaseUrl),
        templatesDir: options.templatesDir,
        // The footer's settings and unsubscribe links, as in a window's e-mail; nothing to acknowledge.
        links: linkSlots(false),
      });
      const address = await prebuildEmail(composeNotice({ content, from }), sender.address);
      return withPersonalLinks(address, notice);
    },
    disruptionBody(notice, facts) {
      return JSON.stringify({
        audience: notice.audience,
        kind: notice.kind,
        disruption: publicDisruption(facts, policy, notice.revision),
        publishedAt: formatInstant(notice.dispatched_at ?? notice.due_at, policy.timezone),
      });
    },
    publicationBody(notice, window) {
      return JSON.stringify({
        audience: notice.audience,
        kind: notice.kind,
        window: publicWindow(window, policy),
        // The fan-out instant: fixed, so a retried webhook carries the same bytes.
        publishedAt: formatInstant(notice.dispatched_at ?? notice.due_at, policy.timezone),
      });
    },
  };
}
