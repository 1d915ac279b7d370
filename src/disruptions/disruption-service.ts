import { createHash, randomUUID } from 'node:crypto';
import { deliveryFactsOf, withdrawPendingDeliveriesOf } from '../delivery/delivery-repository.js';
import { ConflictError, NotFoundError, RuleViolationError, type FieldError } from '../errors.js';
import { planSubjectCatchUps } from '../notices/catch-up.js';
import { insertNotices, listNoticesOf, lockNoticesOf, settleNotices, withdrawUnsentNoticesOf } from '../notices/notice-repository.js';
import { AUDIENCES, type Audience } from '../policy/policy-schema.js';
import { unknownSystemError } from '../recipients/csv-import.js';
import { DISRUPTION_NOTICE_DEADLINE_MS, isOpenDisruption, type DisruptionStatus } from '../rules/disruption-status.js';
import type { NoticeKind } from '../rules/notice-plan.js';
import { audiencesToTellOfChange, publicationAudiences, stillToAnnounce, whoWasTold } from '../rules/told.js';
import type { Db } from '../storage/database.js';
import type { DisruptionRow, NewNoticeRow, NoticeRow } from '../storage/schema.js';
import { recordAudit } from '../windows/audit-repository.js';
import { findIdempotencyKey, insertIdempotencyKey, isUniqueViolation } from '../windows/idempotency-repository.js';
import type { WindowServiceDeps } from '../windows/window-service.js';
import {
  findDisruptionWithUpdates,
  insertDisruption,
  insertDisruptionUpdate,
  listDisruptionsWithUpdates,
  lockDisruption,
  setDisruptionStatus,
  type DisruptionFilter,
} from './disruption-repository.js';
import { toDisruptionView, type DisruptionView } from './disruption-view.js';

/**
 * Disruptions (driftstörningar): registered as they happen and broadcast at once to every
 * audience, without lead times; each status update goes to exactly those told, by the one told
 * rule (src/rules/told.ts), through the same notices and deliveries as a window's messages.
 */
export type DisruptionServiceDeps = Pick<WindowServiceDeps, 'db' | 'rules' | 'clock' | 'onCommitted' | 'webhooks'>;

export interface NewDisruptionInput {
  title: string;
  systems: string[];
  /** What users notice; also the registration's message. */
  description: string;
  /** @defaultValue investigating */
  status?: DisruptionStatus | undefined;
}

export interface DisruptionUpdateInput {
  status: DisruptionStatus;
  message: string;
}

export async function getDisruption(db: Db, id: string, zone: string): Promise<DisruptionView> {
  const found = await findDisruptionWithUpdates(db, id);
  if (!found) throw new NotFoundError(`Driftstörningen ${id}`);
  return toDisruptionView(found.disruption, found.updates, await listNoticesOf(db, 'disruption_id', [id]), zone);
}

export async function listDisruptionViews(db: Db, filter: DisruptionFilter, zone: string): Promise<DisruptionView[]> {
  const found = await listDisruptionsWithUpdates(db, filter);
  const notices = await listNoticesOf(db, 'disruption_id', found.map((f) => f.disruption.id));
  return found.map((f) => toDisruptionView(f.disruption, f.updates, notices, zone));
}

/**
 * Registers a disruption and plans its announcement to every audience, due now. The same
 * `idempotencyKey` and request again return the first disruption; with other values it is a 409.
 */
export async function createDisruption(
  deps: DisruptionServiceDeps,
  input: NewDisruptionInput,
  actor: string,
  idempotencyKey?: string,
): Promise<DisruptionView> {
  const { policy } = deps.rules;
  const refused = refusals(deps, input);
  if (refused.length > 0) throw new RuleViolationError(refused);
  const requestHash = idempotencyKey ? createHash('sha256').update(JSON.stringify(input)).digest('hex') : '';
  const now = deps.clock().toJSDate();

  const attempt = () =>
    deps.db.transaction().execute(async (trx) => {
      if (idempotencyKey) {
        const earlier = await findIdempotencyKey(trx, idempotencyKey);
        if (earlier) {
          if (earlier.actor !== actor || earlier.requestHash !== requestHash || !earlier.disruptionId) {
            throw new ConflictError('Idempotency-Key har redan använts för en annan begäran.');
          }
          return { id: earlier.disruptionId, notices: [] as NoticeRow[] };
        }
      }
      const status = input.status ?? 'investigating';
      const disruption = await insertDisruption(trx, {
        id: randomUUID(),
        title: input.title,
        description: input.description,
        systems: [...new Set(input.systems)],
        status,
        revision: 1,
        created_by: actor,
        created_at: now,
        updated_at: now,
      });
      await insertDisruptionUpdate(trx, updateRow(disruption, { status, message: input.description }, actor, now));
      const notices = await insertNotices(trx, AUDIENCES.map((audience) => noticeRow(disruption, audience, 'announcement', now)));
      if (idempotencyKey) {
        await insertIdempotencyKey(trx, { key: idempotencyKey, actor, requestHash, windowId: null, disruptionId: disruption.id, createdAt: now });
      }
      await recordAudit(trx, {
        windowId: null,
        disruptionId: disruption.id,
        actor,
        action: 'disruption.created',
        at: now,
        details: { disruption: describe(disruption), message: input.description, notices: notices.map(describeNotice) },
      });
      return { id: disruption.id, notices };
    });
  // Two requests racing with one key: the loser's insert of the key fails, and its retry finds the winner's.
  const outcome = await attempt().catch((error: unknown) => {
    if (idempotencyKey && isUniqueViolation(error)) return attempt();
    throw error;
  });
  await deps.onCommitted({ notices: outcome.notices });
  return getDisruption(deps.db, outcome.id, policy.timezone);
}

/**
 * Adds a status update. Audiences told of the disruption (or being told right now) get an
 * update; an audience whose announcement has not gone out yet gets the announcement with the
 * news instead; whatever of earlier messages has not left is withdrawn, and whoever it was for
 * is owed a catch-up announcement that tells of the disruption as it is now. `resolved` closes
 * it: afterwards nothing may be added (409), and newcomers are owed nothing.
 */
export async function addDisruptionUpdate(
  deps: DisruptionServiceDeps,
  id: string,
  input: DisruptionUpdateInput,
  actor: string,
): Promise<DisruptionView> {
  const { policy } = deps.rules;
  const now = deps.clock().toJSDate();
  const inserted = await deps.db.transaction().execute(async (trx) => {
    const before = await lockDisruption(trx, id);
    if (!before) throw new NotFoundError(`Driftstörningen ${id}`);
    if (!isOpenDisruption(before.status)) {
      throw new ConflictError('Driftstörningen är löst och därmed stängd; den kan inte uppdateras. Registrera en ny driftstörning om felet kommer tillbaka.');
    }
    const notices = await lockNoticesOf(trx, 'disruption_id', id);
    const told = whoWasTold(notices, await deliveryFactsOf(trx, 'disruption_id', [id]), publicationAudiences(policy));
    const after = await setDisruptionStatus(trx, id, { status: input.status, revision: before.revision + 1, at: now });
    await insertDisruptionUpdate(trx, updateRow(after, input, actor, now));
    await withdrawUnsentNoticesOf(trx, 'disruption_id', id);
    await settleNotices(trx, await withdrawPendingDeliveriesOf(trx, 'disruption_id', id), now);
    const rows = [
      ...audiencesToTellOfChange(told).map((audience) => noticeRow(after, audience, 'update', now)),
      // Not announced yet (registered a moment ago): the announcement goes out with the news, unless it is over.
      ...AUDIENCES.filter((audience) => isOpenDisruption(after.status) && stillToAnnounce(told, audience)).map((audience) =>
        noticeRow(after, audience, 'announcement', now),
      ),
    ];
    const planned = [
      ...(await insertNotices(trx, rows)),
      ...(await planSubjectCatchUps(trx, { kind: 'disruption', row: after }, { now, policy, webhooks: deps.webhooks ?? {} })),
    ];
    await recordAudit(trx, {
      windowId: null,
      disruptionId: id,
      actor,
      action: 'disruption.updated',
      at: now,
      details: { before: describe(before), after: describe(after), message: input.message, notices: planned.map(describeNotice) },
    });
    return planned;
  });
  await deps.onCommitted({ notices: inserted });
  return getDisruption(deps.db, id, policy.timezone);
}

/** Rules a well-formed registration may still break: systems the policy does not know, and registering it as already resolved. */
function refusals(deps: DisruptionServiceDeps, input: NewDisruptionInput): FieldError[] {
  const { systems } = deps.rules.policy;
  const errors = input.systems.flatMap((system, index) => (Object.hasOwn(systems, system) ? [] : [unknownSystemError(systems, system, index)]));
  if (input.status === 'resolved') {
    errors.push({
      path: 'status',
      code: 'resolved_at_registration',
      message: 'En driftstörning kan inte registreras som löst. Registrera den och skicka sedan en uppdatering med status resolved.',
    });
  }
  return errors;
}

function updateRow(disruption: Pick<DisruptionRow, 'id' | 'revision'>, input: DisruptionUpdateInput, actor: string, at: Date) {
  return { id: randomUUID(), disruption_id: disruption.id, sequence: disruption.revision, status: input.status, message: input.message, created_by: actor, at };
}

/** A message of the disruption to one audience, due now: disruptions have no lead times. */
function noticeRow(disruption: Pick<DisruptionRow, 'id' | 'revision'>, audience: Audience, kind: NoticeKind, now: Date): NewNoticeRow {
  return {
    id: randomUUID(),
    window_id: null,
    disruption_id: disruption.id,
    revision: disruption.revision,
    audience,
    kind,
    lead_days: null,
    previous_start_at: null,
    previous_end_at: null,
    due_at: now,
    required_by: new Date(now.getTime() + DISRUPTION_NOTICE_DEADLINE_MS),
    status: 'pending',
    late: false,
    dispatched_at: null,
    sent_at: null,
    error: null,
    created_at: now,
  };
}

function describe(d: DisruptionRow) {
  return { title: d.title, systems: d.systems, status: d.status, revision: d.revision, resolvedAt: d.resolved_at?.toISOString() ?? null };
}

function describeNotice(n: NoticeRow) {
  return { id: n.id, audience: n.audience, kind: n.kind, revision: n.revision, catchUp: n.catch_up };
}
