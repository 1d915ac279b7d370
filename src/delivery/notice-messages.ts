import { buildInvite } from '../messages/calendar-invite.js';
import { composeNotice } from '../messages/compose-email.js';
import { noticeWindowFromRow } from '../messages/notice-window.js';
import { prebuildEmail, type OutgoingEmail } from '../messages/prebuilt-email.js';
import { renderNotice } from '../messages/render-notice.js';
import type { Policy } from '../policy/policy-schema.js';
import type { NoticeRow, WindowRow } from '../storage/schema.js';
import { formatInstant } from '../windows/window-view.js';

export interface NoticeMessages {
  /** Renders and compiles the notice once; the returned function addresses it to one recipient. */
  emailFor(notice: NoticeRow, window: WindowRow): Promise<(to: { name: string; email: string }, recipientKey: string) => OutgoingEmail>;
  /** The webhook body of a publication: `{ audience, kind, window, publishedAt }` (contract). */
  publicationBody(notice: NoticeRow, window: WindowRow): string;
}

export interface MessageOptions {
  policy: Policy;
  mailFrom: string;
  publicBaseUrl: string;
}

/** The address part of MAIL_FROM ("Name <a@b>" or "a@b"). */
export function addressOf(from: string): { name: string; email: string } {
  const match = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(from);
  return match ? { name: match[1]!.replace(/^"|"$/g, ''), email: match[2]! } : { name: '', email: from.trim() };
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

export function noticeMessages(options: MessageOptions): NoticeMessages {
  const { policy } = options;
  const from = addressOf(options.mailFrom);
  const domain = from.email.split('@')[1] ?? 'driftstopp.local';
  return {
    async emailFor(notice, window) {
      const facts = noticeWindowFromRow(window);
      const content = renderNotice({
        policy,
        window: facts,
        audience: notice.audience,
        kind: notice.kind,
        previous:
          notice.previous_start_at && notice.previous_end_at
            ? { start: notice.previous_start_at, end: notice.previous_end_at }
            : undefined,
        publicPageUrl: `${options.publicBaseUrl}/public/driftstopp`,
      });
      const method = notice.kind === 'cancellation' ? 'CANCEL' : 'REQUEST';
      const invite = buildInvite({
        window: facts,
        policy,
        method,
        organizer: from,
      });
      const address = await prebuildEmail(composeNotice({ content, from: options.mailFrom, invite, method }), from.email);
      // Stable per notice and recipient: a mail system can drop a rare repeat.
      return (to, recipientKey) => address(to, `<${notice.id}.${recipientKey}@${domain}>`);
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
