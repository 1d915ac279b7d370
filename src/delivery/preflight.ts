import type { Logger } from 'pino';
import type { DisruptionFacts } from '../messages/render-disruption.js';
import { DISRUPTION_NOTICE_KINDS, TemplateError, NOTICE_KINDS } from '../messages/render-notice.js';
import { AUDIENCES, type Policy } from '../policy/policy-schema.js';
import type { WindowKind } from '../rules/notice-plan.js';
import type { NoticeRow, WindowRow } from '../storage/schema.js';
import type { ConfirmationMessages } from '../subscriptions/confirmation-email.js';
import type { Mailer } from './mailer.js';
import type { NoticeMessages } from './notice-messages.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/** Something that cannot work; the message is the one start-up line, naming the setting or template. */
export class PreflightError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PreflightError';
  }
}

export interface PreflightInput {
  policy: Policy;
  /** Built from the configured sender, base URL and templates, as the workers build it. */
  messages: NoticeMessages;
  /** The confirmation e-mail of a public sign-up, as the workers build it. @defaultValue not checked */
  confirmations?: ConfirmationMessages | undefined;
  /** The workers' mailer; null in a process that sends nothing (the API alone). */
  mailer: Mailer | null;
  logger: Logger;
  now: Date;
}

/**
 * Before a process says it is ready: every message it can send (each audience × kind, for a
 * minor and an extensive sample window of all the policy's systems) is rendered, compiled
 * with its invitation and addressed, through the very code delivery uses, and the SMTP server
 * is asked whether it answers. A message that cannot be built stops start-up (a PreflightError
 * naming the template or setting); a mail server that is down only warns, since it may come back.
 */
export async function preflight(input: PreflightInput): Promise<void> {
  for (const windowKind of ['minor', 'extensive'] as const satisfies readonly WindowKind[]) {
    const window = sampleWindow(input.policy, windowKind, input.now);
    for (const audience of AUDIENCES) {
      for (const kind of NOTICE_KINDS) {
        const notice = sampleNotice(window, audience, kind, input.now);
        const what = `the ${audience} ${kind} of a ${windowKind} window`;
        try {
          const address = await input.messages.emailFor(notice, kind === 'cancellation' ? { ...window, status: 'cancelled' } : window);
          address({ name: 'Förnamn Efternamn', email: 'mottagare@example.invalid' }, 'preflight');
          JSON.parse(input.messages.publicationBody(notice, window));
        } catch (error) {
          throw new PreflightError(oneLine(error instanceof TemplateError ? `${templateName(error)}: ${what} cannot be rendered: ${error.message}` : `${what} cannot be built: ${(error as Error).message}`), { cause: error });
        }
      }
    }
  }
  if (input.confirmations) {
    try {
      await input.confirmations.emailFor({ id: '00000000-0000-4000-8000-000000000000', email: 'mottagare@example.invalid', systems: Object.keys(input.policy.systems), mailedAt: input.now });
    } catch (error) {
      throw new PreflightError(oneLine(`the confirmation e-mail of a public sign-up cannot be built: ${(error as Error).message}`), { cause: error });
    }
  }
  const facts = sampleDisruption(input.policy, input.now);
  for (const audience of AUDIENCES) {
    for (const kind of DISRUPTION_NOTICE_KINDS) {
      // An update of each status that can follow, the resolution last: each renders its own way.
      for (const revision of kind === 'announcement' ? [1, 2] : [2, 3]) {
        const notice = { ...sampleNotice(sampleWindow(input.policy, 'minor', input.now), audience, kind, input.now), window_id: null, disruption_id: facts.disruption.id, revision };
        const what = `the ${audience} ${kind} of a disruption`;
        try {
          const address = await input.messages.disruptionEmailFor(notice, facts);
          address({ name: 'Förnamn Efternamn', email: 'mottagare@example.invalid' }, 'preflight');
          JSON.parse(input.messages.disruptionBody(notice, facts));
        } catch (error) {
          throw new PreflightError(oneLine(error instanceof TemplateError ? `${templateName(error)}: ${what} cannot be rendered: ${error.message}` : `${what} cannot be built: ${(error as Error).message}`), { cause: error });
        }
      }
    }
  }
  if (input.mailer) await checkMailServer(input.mailer, input.logger);
}

/** A disruption of all the policy's systems with three updates, the last its resolution, during a planned window. */
function sampleDisruption(policy: Policy, now: Date): DisruptionFacts {
  const id = '00000000-0000-4000-8000-000000000002';
  const systems = Object.keys(policy.systems);
  const update = (sequence: number, status: 'investigating' | 'identified' | 'resolved') => ({
    id: `00000000-0000-4000-8000-00000000001${sequence}`,
    disruption_id: id,
    sequence,
    status,
    message: 'Provmeddelande för kontrollen vid start.',
    created_by: 'preflight',
    at: new Date(now.getTime() + sequence * HOUR),
  });
  return {
    disruption: {
      id,
      title: 'Provstörning',
      description: 'Det går inte att logga in.',
      systems,
      status: 'resolved',
      revision: 3,
      created_by: 'preflight',
      created_at: now,
      updated_at: now,
      resolved_at: now,
    },
    updates: [update(1, 'investigating'), update(2, 'identified'), update(3, 'resolved')],
    windows: [{ ...sampleWindow(policy, 'minor', now), start_at: new Date(now.getTime() - HOUR), status: 'in_progress' }],
  };
}

async function checkMailServer(mailer: Mailer, logger: Logger): Promise<void> {
  try {
    await mailer.verify();
    logger.info({ mailer: mailer.describe }, 'mail server answers');
  } catch (error) {
    const e = error as { code?: string; response?: string; message?: string };
    // Refused credentials will not get better by waiting: that is a bad setting.
    if (e.code === 'EAUTH' || e.code === 'ENOAUTH') throw new PreflightError(oneLine(`SMTP_URL: the mail server refuses the login: ${e.response ?? e.message}`), { cause: error });
    logger.warn({ mailer: mailer.describe, error: e.message }, 'mail server does not answer now; deliveries wait and retry until it does');
  }
}

function templateName(error: TemplateError): string {
  return `TEMPLATES_DIR ${error.template}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function sampleWindow(policy: Policy, kind: WindowKind, now: Date): WindowRow {
  // Some weeks ahead, so every lead time fits; the date only has to be a real one in the policy's zone.
  const start = new Date(Math.ceil((now.getTime() + 40 * DAY) / HOUR) * HOUR);
  return {
    id: '00000000-0000-4000-8000-000000000000',
    title: 'Förhandskontroll av meddelanden',
    description: 'Ett provfönster som aldrig skickas.',
    systems: Object.keys(policy.systems),
    kind,
    start_at: start,
    end_at: new Date(start.getTime() + 3 * HOUR),
    status: 'scheduled',
    revision: 2,
    plan: null,
    short_notice_reason: null,
    cancel_reason: 'Provorsak',
    created_by: 'preflight',
    created_at: now,
    updated_at: now,
    series_id: null,
    overlap_reason: null,
    blackout_reason: null,
  };
}

function sampleNotice(window: WindowRow, audience: NoticeRow['audience'], kind: NoticeRow['kind'], now: Date): NoticeRow {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    window_id: window.id,
    disruption_id: null,
    revision: window.revision,
    audience,
    kind,
    lead_days: kind === 'announcement' ? 14 : null,
    previous_start_at: kind === 'update' ? new Date(window.start_at.getTime() - DAY) : null,
    previous_end_at: kind === 'update' ? new Date(window.end_at.getTime() - DAY) : null,
    due_at: now,
    required_by: now,
    status: 'pending',
    late: false,
    catch_up: false,
    chase: false,
    dispatched_at: now,
    sent_at: null,
    error: null,
    created_at: now,
  };
}
