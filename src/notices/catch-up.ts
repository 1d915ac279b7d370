import { affectedSystems } from '../rules/dependencies.js';
import { randomUUID } from 'node:crypto';
import { deliveryFactsOf } from '../delivery/delivery-repository.js';
import { listOpenDisruptionsAnnounced, lockDisruption } from '../disruptions/disruption-repository.js';
import { AUDIENCES, type Audience, type Policy } from '../policy/policy-schema.js';
import { subscriberIds } from '../recipients/recipient-repository.js';
import { emailMembersOf, isSelected, publicationAudiences, selectionFor, whoWasTold, WEBHOOK_KEY } from '../rules/told.js';
import type { Db } from '../storage/database.js';
import type { NewNoticeRow, NoticeRow, WindowRow } from '../storage/schema.js';
import { listOpenWindowsAnnounced, lockWindow } from '../windows/window-repository.js';
import { insertNotices, listNoticesOf } from './notice-repository.js';
import { columnOf, subjectOwesCatchUp, type NoticeSubject } from './notice-subject.js';

export interface CatchUpOptions {
  now: Date;
  policy: Policy;
  /** The CMS endpoint of each audience that has one: an endpoint not yet tried is owed the announcement too. */
  webhooks: Partial<Record<Audience, string | undefined>>;
}

/**
 * Plans a catch-up announcement for each audience of the window whose announcement has gone
 * out and that has someone owed it: a subscriber who joined since (or whose delivery was
 * withdrawn before it left), or a CMS endpoint never tried. It is due at once and judged
 * against the announcement's deadline, so the record shows it as late. One waiting catch-up
 * per audience is enough: its fan-out reaches everyone owed by then.
 */
export async function planCatchUps(db: Db, window: WindowRow, options: CatchUpOptions): Promise<NoticeRow[]> {
  return planSubjectCatchUps(db, { kind: 'window', row: window }, options);
}

/**
 * As `planCatchUps`, for a window or a disruption. A disruption's catch-up tells of it as it
 * is now (its revision is the latest update's number), so a newcomer learns the current
 * status in one message; it is owed while the disruption is not resolved.
 */
export async function planSubjectCatchUps(db: Db, subject: NoticeSubject, options: CatchUpOptions): Promise<NoticeRow[]> {
  const { now, policy } = options;
  if (!subjectOwesCatchUp(subject, now)) return [];
  const { row } = subject;
  const column = columnOf(subject);
  const notices = await listNoticesOf(db, column, [row.id]);
  const publications = publicationAudiences(policy);
  const told = whoWasTold(notices, await deliveryFactsOf(db, column, [row.id]), publications);
  const rows: NewNoticeRow[] = [];
  for (const audience of AUDIENCES) {
    const entry = told.get(audience)!;
    const own = notices.filter((n) => n.audience === audience && n.kind === 'announcement');
    const announcement = own.filter((n) => n.dispatched_at !== null).at(-1);
    if (!entry.announced || !announcement || own.some((n) => n.status === 'pending' && n.dispatched_at === null)) continue;
    const selection = selectionFor('announcement', entry);
    const members = emailMembersOf(policy, audience);
    const webhook = options.webhooks[audience];
    const owed =
      (webhook !== undefined && isSelected(selection, WEBHOOK_KEY, true)) ||
      (members !== undefined &&
        (await subscriberIds(db, { kind: members, systems: affectedSystems(options.policy, row.systems) })).some((id) => isSelected(selection, id, true)));
    if (!owed) continue;
    rows.push({
      id: randomUUID(),
      window_id: subject.kind === 'window' ? row.id : null,
      disruption_id: subject.kind === 'disruption' ? row.id : null,
      revision: row.revision,
      audience,
      kind: 'announcement',
      catch_up: true,
      lead_days: announcement.lead_days,
      previous_start_at: null,
      previous_end_at: null,
      due_at: now,
      required_by: announcement.required_by,
      status: 'pending',
      late: now.getTime() >= announcement.required_by.getTime(),
      dispatched_at: null,
      sent_at: null,
      error: null,
      created_at: now,
    });
  }
  return insertNotices(db, rows);
}

/**
 * Catch-ups for every window and disruption that may owe one: windows planned or running,
 * disruptions going on, with an announcement gone out.
 */
export async function planAllCatchUps(db: Db, options: CatchUpOptions): Promise<{ window?: WindowRow; notices: NoticeRow[] }[]> {
  const planned: { window?: WindowRow; notices: NoticeRow[] }[] = [];
  for (const window of await listOpenWindowsAnnounced(db, options.now)) {
    // Locked, so a change of the window in between is either seen whole or waits.
    const notices = await db.transaction().execute(async (trx) => planCatchUps(trx, (await lockWindow(trx, window.id))!, options));
    if (notices.length > 0) planned.push({ window, notices });
  }
  for (const disruption of await listOpenDisruptionsAnnounced(db)) {
    const notices = await db.transaction().execute(async (trx) => {
      const locked = (await lockDisruption(trx, disruption.id))!;
      return planSubjectCatchUps(trx, { kind: 'disruption', row: locked }, options);
    });
    if (notices.length > 0) planned.push({ notices });
  }
  return planned;
}
