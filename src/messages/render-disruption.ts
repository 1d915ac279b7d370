import { READER_OF, type Audience, type Policy } from '../policy/policy-schema.js';
import { DISRUPTION_STATUS_LABELS, plannedWindowsDuring, type PlannedWindowFact } from '../rules/disruption-status.js';
import type { DisruptionRow, DisruptionUpdateRow, NoticeRow } from '../storage/schema.js';
import { supportAnswerFor } from './disruption-support.js';
import { audienceContext, renderTemplates, systemsContext, type NoticeLinks, type RenderedNotice } from './render-notice.js';
import { supportForAudience } from './support-lines.js';
import { formatDateTime, formatWhen } from './swedish-time.js';

/** What a disruption's message tells of: the disruption, its updates in order, and the planned windows it falls in. */
export interface DisruptionFacts {
  disruption: DisruptionRow;
  updates: readonly DisruptionUpdateRow[];
  /** Planned windows going on at its registration (any; those that share a system are picked here). */
  windows: readonly PlannedWindowFact[];
}

export interface RenderDisruptionInput {
  policy: Policy;
  facts: DisruptionFacts;
  audience: Audience;
  kind: 'announcement' | 'update';
  /** The update the message tells of (the notice's revision); an announcement tells of the disruption as it was then. */
  revision: number;
  /** A catch-up: the announcement to someone who joined after it went out. */
  catchUp?: boolean | undefined;
  publicPageUrl?: string | undefined;
  templatesDir?: URL | undefined;
  /** The recipient's personal links (the footer's), for an e-mail to a person; none in publications and previews. */
  links?: NoticeLinks | undefined;
}

/** Renders one message of a disruption to an audience: subject, HTML and plain text from `templates/disruptions/`. */
export function renderDisruptionNotice(input: RenderDisruptionInput): RenderedNotice {
  return renderTemplates(input.templatesDir, `disruption.${input.kind}`, `disruptions/${input.kind}`, disruptionContext(input));
}

/** The notice of a disruption to render, from its row. */
export function renderDisruptionRow(notice: Pick<NoticeRow, 'audience' | 'kind' | 'revision' | 'catch_up'>, rest: Omit<RenderDisruptionInput, 'audience' | 'kind' | 'revision' | 'catchUp'>) {
  if (notice.kind !== 'announcement' && notice.kind !== 'update') throw new Error(`a disruption has no ${notice.kind} notice`);
  return renderDisruptionNotice({ ...rest, audience: notice.audience, kind: notice.kind, revision: notice.revision, catchUp: notice.catch_up });
}

/** Everything a disruption template may use; every key is always present, as strict mode requires. */
function disruptionContext(input: RenderDisruptionInput) {
  const { policy, facts, audience } = input;
  const { disruption } = facts;
  const zone = policy.timezone;
  const shown = facts.updates.filter((u) => u.sequence <= input.revision);
  const current = shown.at(-1) ?? facts.updates[0];
  if (!current) throw new Error(`disruption ${disruption.id} has no updates`);
  const staff = READER_OF[audience] === 'staff';
  const during = plannedWindowsDuring(policy, disruption, disruption.created_at, facts.windows)[0];
  return {
    ...audienceContext(policy, audience),
    kind: input.kind,
    /** Managers and the intranet read internal advice; providers and the public do not. */
    staff,
    isPublic: audience === 'public',
    title: disruption.title.trim(),
    description: disruption.description.trim(),
    ...systemsContext(policy, disruption.systems),
    registeredAt: formatDateTime(disruption.created_at, zone),
    status: current.status,
    statusText: DISRUPTION_STATUS_LABELS[current.status],
    resolved: current.status === 'resolved',
    message: current.message.trim(),
    updatedAt: formatDateTime(current.at, zone),
    /** A catch-up or an announcement sent after updates: it tells of the disruption as it is now. */
    hasNews: current.sequence > 1,
    catchUp: input.catchUp === true,
    /**
     * The earlier updates, newest first, so a reader who missed one still has the whole story;
     * not the registration, whose message is the description shown above.
     */
    earlier: shown
      .slice(1, -1)
      .reverse()
      .map((u) => ({ at: formatDateTime(u.at, zone), statusText: DISRUPTION_STATUS_LABELS[u.status], message: u.message.trim() })),
    plannedWindow: during ? { title: during.title.trim(), when: formatWhen(during.start_at, during.end_at, zone) } : null,
    publicPageUrl: input.publicPageUrl ?? null,
    links: input.links ?? null,
    support: supportForAudience(policy, audience),
    supportNow: supportAnswerFor(policy, current.at, audience),
  };
}
