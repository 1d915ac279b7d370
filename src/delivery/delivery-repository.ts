import { sql, type ExpressionBuilder } from 'kysely';
import type { Audience } from '../policy/policy-schema.js';
import type { DeliveryFact, Selection } from '../rules/told.js';
import { FEED_KEY, WEBHOOK_KEY } from '../rules/told.js';
import type { Db } from '../storage/database.js';
import type { DeliveryTally } from '../compliance/compliance-report.js';
import type { Database, DeliveryRow, RecipientKind } from '../storage/schema.js';
import { anyOf, type SubjectColumn } from '../notices/notice-repository.js';

/** A claimed delivery, with the name of its recipient as the register has it now. */
export type ClaimedDelivery = DeliveryRow & { recipient_name: string | null };

/** One batch of one notice's deliveries: what a delivery job sends, alone or with other small ones. */
export interface DeliveryBatch {
  noticeId: string;
  batch: number;
}

/**
 * Claims the deliveries of these batches that nobody is sending, for `claimant` (one run of
 * one delivery job), in one statement, and reads their recipients' names with them. The claim
 * is what keeps two workers from sending the same delivery; its holder renews it while it
 * runs (`renewClaims`), so a claim older than `abandonedAfterMs` belongs to a dead worker and
 * is taken over.
 */
export async function claimBatches(
  db: Db,
  batches: readonly DeliveryBatch[],
  claim: { claimant: string; now: Date; abandonedAfterMs: number },
): Promise<ClaimedDelivery[]> {
  if (batches.length === 0) return [];
  const abandonedBefore = new Date(claim.now.getTime() - claim.abandonedAfterMs);
  const { rows } = await sql<ClaimedDelivery>`
    with claimed as (
      update deliveries d
      set status = 'sending', claimed_at = ${claim.now}::timestamptz, claimed_by = ${claim.claimant}, attempts = d.attempts + 1
      from unnest(${sql.val(batches.map((b) => b.noticeId))}::uuid[], ${sql.val(batches.map((b) => b.batch))}::int[]) as b(notice_id, batch)
      where d.notice_id = b.notice_id and d.batch = b.batch
        and (d.status = 'pending' or (d.status = 'sending' and d.claimed_at < ${abandonedBefore}::timestamptz))
      returning d.*
    )
    select claimed.*, r.name as recipient_name from claimed left join recipients r on r.id = claimed.recipient_id
    order by claimed.notice_id, claimed.batch, claimed.id
  `.execute(db);
  return rows;
}

/**
 * The heartbeat: moves every claim these claimants still hold to `now`. Returns how many.
 * Rows another statement has locked right now (a send's `sent` mark, mostly) are skipped, not
 * waited for: a heartbeat that waited could wait in a circle with the marks, and the next
 * beat renews whatever is still claimed.
 */
export async function renewClaims(db: Db, claimants: readonly string[], now: Date): Promise<number> {
  if (claimants.length === 0) return 0;
  const renewed = await sql`
    update deliveries set claimed_at = ${now}::timestamptz
    where id in (
      select id from deliveries
      where status = 'sending' and claimed_by = any(${sql.val([...claimants])}::text[])
      for update skip locked)
  `.execute(db);
  return Number(renewed.numAffectedRows ?? 0);
}

export interface SentMark {
  id: string;
  claimant: string;
  messageId: string | null;
  sentAt: Date;
}

/**
 * Marks deliveries sent, in one statement. Only a delivery its claimant still holds moves
 * on: a withdrawn or taken-over one stays as it is.
 */
export async function markSentMany(db: Db, marks: readonly SentMark[]): Promise<void> {
  if (marks.length === 0) return;
  await sql`
    update deliveries d
    set status = 'sent', sent_at = v.sent_at, message_id = v.message_id, last_error = null
    from unnest(${sql.val(marks.map((m) => m.id))}::uuid[], ${sql.val(marks.map((m) => m.claimant))}::text[],
                ${sql.val(marks.map((m) => m.messageId))}::text[], ${sql.val(marks.map((m) => m.sentAt))}::timestamptz[])
      as v(id, claimed_by, message_id, sent_at)
    where d.id = v.id and d.status = 'sending' and d.claimed_by = v.claimed_by
  `.execute(db);
}

/** Ends deliveries this claimant holds as failed, with the error. */
export async function markFailed(db: Db, ids: readonly string[], claimant: string, error: string, now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('deliveries')
    .set((eb) => ({ status: 'failed', last_error: error, failing_since: eb.fn.coalesce('failing_since', sql<Date>`${now}::timestamptz`) }))
    .where('id', 'in', ids)
    .where('status', '=', 'sending')
    .where('claimed_by', '=', claimant)
    .execute();
}

/**
 * Gives deliveries this claimant holds back as pending, claim cleared, for any worker to take
 * at once: after a transient failure (with its error), or unsent at shutdown (without one).
 */
export async function release(db: Db, ids: readonly string[], claimant: string, failure: { error: string; now: Date } | null): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('deliveries')
    .set((eb) => ({
      status: 'pending',
      claimed_at: null,
      claimed_by: null,
      ...(failure ? { last_error: failure.error, failing_since: eb.fn.coalesce('failing_since', sql<Date>`${failure.now}::timestamptz`) } : {}),
    }))
    .where('id', 'in', ids)
    .where('status', '=', 'sending')
    .where('claimed_by', '=', claimant)
    .execute();
}

export interface DeliveryHealth {
  pending: number;
  sending: number;
  /** Retried for longer than `retryingAfterMs` and still not sent. */
  retrying: number;
  /** Claimed, and the claim not renewed for `stalledAfterMs`: a worker died or hangs. */
  stalled: number;
  /** Failed for good, of windows that have not ended: someone is not told of a coming stop. */
  failed: number;
}

/** What /readyz and the metrics report of deliveries that are not going out. */
export async function deliveryHealth(db: Db, now: Date, limits: { retryingAfterMs: number; stalledAfterMs: number }): Promise<DeliveryHealth> {
  const retryingSince = new Date(now.getTime() - limits.retryingAfterMs);
  const stalledSince = new Date(now.getTime() - limits.stalledAfterMs);
  // Failed for good and still mattering: of a window ahead, or of a disruption still going on.
  const stillMatters = (f: ExpressionBuilder<any, any>) =>
    f.or([f.and([f('w.end_at', '>', now), f('w.status', '!=', 'cancelled')]), f('x.status', '!=', 'resolved')]);
  const row = await db
    .selectFrom('deliveries as d')
    .innerJoin('notices as n', 'n.id', 'd.notice_id')
    .leftJoin('windows as w', 'w.id', 'n.window_id')
    .leftJoin('disruptions as x', 'x.id', 'n.disruption_id')
    .select((eb) => [
      eb.fn.countAll<string>().filterWhere('d.status', '=', 'pending').as('pending'),
      eb.fn.countAll<string>().filterWhere('d.status', '=', 'sending').as('sending'),
      eb.fn.countAll<string>().filterWhere((f) => f.and([f('d.status', 'in', ['pending', 'sending']), f('d.failing_since', '<', retryingSince)])).as('retrying'),
      eb.fn.countAll<string>().filterWhere((f) => f.and([f('d.status', '=', 'sending'), f('d.claimed_at', '<', stalledSince)])).as('stalled'),
      eb.fn.countAll<string>().filterWhere((f) => f.and([f('d.status', '=', 'failed'), stillMatters(f)])).as('failed'),
    ])
    .where((eb) =>
      eb.or([
        eb('d.status', 'in', ['pending', 'sending']),
        // Failed rows of windows still ahead (or disruptions going on) only: the record of past years is not read at each scrape.
        eb.and([eb('d.status', '=', 'failed'), eb.or([eb('w.end_at', '>', now), eb('x.status', '!=', 'resolved')])]),
      ]),
    )
    .executeTakeFirstOrThrow();
  return {
    pending: Number(row.pending),
    sending: Number(row.sending),
    retrying: Number(row.retrying),
    stalled: Number(row.stalled),
    failed: Number(row.failed),
  };
}

/** Batches with work left, per dispatched notice: what the reconciler must make sure has a job. */
export async function unfinishedDeliveryBatches(db: Db, now: Date, abandonedAfterMs: number): Promise<{ notice_id: string; batch: number }[]> {
  const abandonedBefore = new Date(now.getTime() - abandonedAfterMs);
  return db
    .selectFrom('deliveries')
    .select(['notice_id', 'batch'])
    .distinct()
    .where((eb) =>
      eb.or([eb('status', '=', 'pending'), eb.and([eb('status', '=', 'sending'), eb('claimed_at', '<', abandonedBefore)])]),
    )
    .execute();
}

export interface DeliveryCounts {
  pending: number;
  sending: number;
  sent: number;
  failed: number;
  cancelled: number;
}

export async function deliveryCountsByNotice(db: Db, noticeIds: readonly string[]): Promise<Map<string, DeliveryCounts>> {
  const counts = new Map<string, DeliveryCounts>();
  if (noticeIds.length === 0) return counts;
  const rows = await db
    .selectFrom('deliveries')
    .select(['notice_id', 'status', sql<string>`count(*)`.as('n')])
    .where('notice_id', 'in', noticeIds)
    .groupBy(['notice_id', 'status'])
    .execute();
  for (const row of rows) {
    const entry = counts.get(row.notice_id) ?? { pending: 0, sending: 0, sent: 0, failed: 0, cancelled: 0 };
    entry[row.status] = Number(row.n);
    counts.set(row.notice_id, entry);
  }
  return counts;
}

/** Every delivery of a window's notices, with its recipient: who was told what, and when. */
export async function listDeliveriesOfWindow(db: Db, windowId: string) {
  return listDeliveriesOf(db, 'window_id', windowId);
}

/** Every delivery of a window's or a disruption's notices, with its recipient. */
export async function listDeliveriesOf(db: Db, column: SubjectColumn, id: string) {
  return db
    .selectFrom('deliveries as d')
    .innerJoin('notices as n', 'n.id', 'd.notice_id')
    .leftJoin('recipients as r', 'r.id', 'd.recipient_id')
    .select([
      'd.id',
      'd.notice_id',
      'd.recipient_key',
      'n.audience',
      'n.kind',
      'n.revision',
      'd.channel',
      'd.target',
      'r.name as recipient_name',
      'r.kind as recipient_kind',
      'r.unit as recipient_unit',
      'd.status',
      'd.attempts',
      'd.last_error',
      'd.sent_at',
      'd.message_id',
      'n.required_by',
    ])
    .where(`n.${column}`, '=', id)
    .orderBy('n.created_at')
    .orderBy('n.audience')
    .orderBy('d.target')
    .execute();
}

/** What the told rule needs of the deliveries of some windows' notices (of one audience, when given). */
export async function deliveryFactsOfWindows(db: Db, windowIds: readonly string[], audience?: Audience): Promise<DeliveryFact[]> {
  return deliveryFactsOf(db, 'window_id', windowIds, audience);
}

/** What the told rule needs of the deliveries of some windows' or disruptions' notices. */
export async function deliveryFactsOf(db: Db, column: SubjectColumn, ids: readonly string[], audience?: Audience): Promise<DeliveryFact[]> {
  if (ids.length === 0) return [];
  let query = db
    .selectFrom('deliveries as d')
    .innerJoin('notices as n', 'n.id', 'd.notice_id')
    .select(['d.notice_id', 'd.recipient_key', 'd.status'])
    .where(`n.${column}`, 'in', ids);
  if (audience) query = query.where('n.audience', '=', audience);
  return query.execute();
}

/** Whom a notice's e-mails go to, as the told rule decided it: what notices of one insert share. */
export interface RecipientDeliveryGroup {
  /** The kind of recipient the audience reaches, and the window's systems they subscribe to. */
  recipientKind: RecipientKind;
  systems: readonly string[];
  /** Who, as the told rule decided it. */
  selection: Selection;
  /**
   * The local date (YYYY-MM-DD, policy zone) the message is sent on: a recipient whose
   * deputy's range covers it is sent to the deputy instead (src/rules/deputies.ts).
   */
  sendDate: string;
}

export interface RecipientDeliveries extends RecipientDeliveryGroup {
  /** The notices that reach exactly these recipients: each gets its own deliveries. */
  noticeIds: readonly string[];
  batchSize: number;
  now: Date;
}

/**
 * One pending delivery per notice and selected recipient, numbered into batches per notice.
 * The selection is the told rule's decision, taken as parameters; the unique (notice,
 * recipient) key makes a repeat harmless. Recipients are snapshotted now: the address is the
 * one they have at this moment.
 */
export async function insertRecipientDeliveries(db: Db, d: RecipientDeliveries): Promise<void> {
  if (d.noticeIds.length === 0) return;
  const { selection } = d;
  const subscribed = selection.subscribers
    ? sql`r.deleted_at is null and r.unsubscribed_at is null and r.kind = ${d.recipientKind} and r.systems && ${sql.val([...d.systems])}::text[]`
    : sql`true`;
  const only = selection.only === null ? sql`true` : sql`r.id = any(${sql.val(recipientIds(selection.only))}::uuid[])`;
  const except = selection.except.size === 0 ? sql`true` : sql`not (r.id = any(${sql.val(recipientIds(selection.except))}::uuid[]))`;
  // The same test as deputyCovers (src/rules/deputies.ts), on every row at once: YYYY-MM-DD compares as text.
  const deputyCovers = sql`(r.deputy_email is not null and r.deputy_from <= ${d.sendDate} and ${d.sendDate} <= r.deputy_to)`;
  await sql`
    insert into deliveries (id, notice_id, recipient_key, recipient_id, channel, target, deputy_name, batch, status, attempts, created_at)
    select gen_random_uuid(), n.id, r.id::text, r.id, 'email',
           case when ${deputyCovers} then r.deputy_email else r.email end,
           case when ${deputyCovers} then r.deputy_name end,
           ((row_number() over (partition by n.id order by r.id)) - 1) / ${d.batchSize}, 'pending', 0, ${d.now}::timestamptz
    from unnest(${sql.val([...d.noticeIds])}::uuid[]) as n(id) cross join recipients r
    where ${subscribed} and ${only} and ${except}
    on conflict (notice_id, recipient_key) do nothing
  `.execute(db);
}

/** E-mail recipients are keyed by their id; the CMS endpoint and the feeds by a word. */
function recipientIds(keys: ReadonlySet<string>): string[] {
  return [...keys].filter((key) => key !== WEBHOOK_KEY && key !== FEED_KEY);
}

/** The delivery of a notice to its audience's CMS endpoint, in a batch of its own after the e-mails. */
export async function insertWebhookDelivery(db: Db, noticeId: string, url: string, now: Date): Promise<void> {
  const next = await db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.coalesce(eb.fn.max('batch'), sql<number>`-1`).as('last'))
    .where('notice_id', '=', noticeId)
    .executeTakeFirstOrThrow();
  await db
    .insertInto('deliveries')
    .values({
      id: crypto.randomUUID(),
      notice_id: noticeId,
      recipient_key: WEBHOOK_KEY,
      recipient_id: null,
      channel: 'webhook',
      target: url,
      batch: Number(next.last) + 1,
      status: 'pending',
      attempts: 0,
      created_at: now,
    })
    .onConflict((oc) => oc.columns(['notice_id', 'recipient_key']).doNothing())
    .execute();
}

/** The batches with work left of each notice that has any, in order. */
export async function unfinishedBatchesOfNotices(db: Db, noticeIds: readonly string[]): Promise<Map<string, number[]>> {
  const batches = new Map<string, number[]>();
  if (noticeIds.length === 0) return batches;
  const rows = await db
    .selectFrom('deliveries')
    .select(['notice_id', 'batch'])
    .distinct()
    .where('notice_id', '=', anyOf(noticeIds))
    .where('status', 'in', ['pending', 'sending'])
    .orderBy('notice_id')
    .orderBy('batch')
    .execute();
  for (const { notice_id, batch } of rows) batches.set(notice_id, [...(batches.get(notice_id) ?? []), batch]);
  return batches;
}

/**
 * Withdraws the deliveries of a window that no worker has claimed yet: what has not left
 * does not go out once the window changes. Returns the notices whose deliveries were withdrawn.
 */
export async function withdrawPendingDeliveries(db: Db, windowId: string): Promise<string[]> {
  return withdrawPendingDeliveriesOf(db, 'window_id', windowId);
}

/** As `withdrawPendingDeliveries`, for a window or a disruption. */
export async function withdrawPendingDeliveriesOf(db: Db, column: SubjectColumn, id: string): Promise<string[]> {
  const withdrawn = await db
    .updateTable('deliveries')
    .set({ status: 'cancelled' })
    .where('status', '=', 'pending')
    .where('notice_id', 'in', (eb) => eb.selectFrom('notices').select('id').where(column, '=', id))
    .returning('notice_id')
    .execute();
  return [...new Set(withdrawn.map((d) => d.notice_id))];
}

/** What became of each notice's deliveries, for the notices of the windows starting in [from, to). */
export async function deliveryTalliesOfWindowsStartingIn(db: Db, range: { from: Date; to: Date }): Promise<Map<string, DeliveryTally>> {
  return deliveryTallies(db, { windowsStartingIn: range });
}

/** What became of each notice's deliveries, for these disruptions' notices. */
export async function deliveryTalliesOfDisruptions(db: Db, disruptionIds: readonly string[]): Promise<Map<string, DeliveryTally>> {
  if (disruptionIds.length === 0) return new Map();
  return deliveryTallies(db, { disruptionIds });
}

async function deliveryTallies(
  db: Db,
  of: { windowsStartingIn: { from: Date; to: Date } } | { disruptionIds: readonly string[] },
): Promise<Map<string, DeliveryTally>> {
  const rows = await db
    .selectFrom('deliveries')
    .select([
      'notice_id',
      'status',
      sql<string>`count(*)`.as('n'),
      sql<string>`count(*) filter (where recipient_key = ${WEBHOOK_KEY})`.as('webhooks'),
      sql<number>`max(attempts)`.as('max_attempts'),
      sql<Date | null>`min(failing_since)`.as('failing_since'),
    ])
    .where('notice_id', 'in', (eb) => {
      const notices = eb.selectFrom('notices').select('id');
      if ('disruptionIds' in of) return notices.where('disruption_id', 'in', of.disruptionIds);
      const { from, to } = of.windowsStartingIn;
      return notices.where('window_id', 'in', eb.selectFrom('windows').select('id').where('start_at', '>=', from).where('start_at', '<', to));
    })
    .groupBy(['notice_id', 'status'])
    .execute();
  const tallies = new Map<string, DeliveryTally>();
  for (const row of rows) {
    const tally = tallies.get(row.notice_id) ?? { sent: 0, failed: 0, pending: 0, cancelled: 0, webhooks: 0, maxAttempts: 0, failingSince: null };
    const n = Number(row.n);
    // A delivery being sent has not reached anyone yet: for the record it is still pending.
    if (row.status === 'sending') tally.pending += n;
    else tally[row.status] += n;
    tally.webhooks += Number(row.webhooks);
    tally.maxAttempts = Math.max(tally.maxAttempts, Number(row.max_attempts));
    // Only unsent deliveries are failing now; a sent one's old failure is history (the attempts tell it).
    if ((row.status === 'pending' || row.status === 'sending') && row.failing_since !== null) {
      const since = new Date(row.failing_since);
      if (tally.failingSince === null || since < tally.failingSince) tally.failingSince = since;
    }
    tallies.set(row.notice_id, tally);
  }
  return tallies;
}

/**
 * Every message made for one recipient, newest first, with its window and kind: what the
 * settings page shows them of what was sent when (and, through `deputy_name`, what went to
 * their deputy on their behalf).
 */
export async function listDeliveriesOfRecipient(db: Db, recipientId: string) {
  return db
    .selectFrom('deliveries as d')
    .innerJoin('notices as n', 'n.id', 'd.notice_id')
    .innerJoin('windows as w', 'w.id', 'n.window_id')
    .select(['d.id', 'w.title', 'w.start_at', 'n.kind', 'n.catch_up', 'n.chase', 'd.status', 'd.target', 'd.deputy_name', 'd.sent_at', 'd.created_at'])
    .where('d.recipient_id', '=', recipientId)
    .orderBy('d.created_at', 'desc')
    .orderBy('d.id')
    .execute();
}
