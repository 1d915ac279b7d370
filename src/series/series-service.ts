import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { AppError, NotFoundError, RuleViolationError, ValidationError } from '../errors.js';
import { SeriesRuleError, seriesOccurrences, type SeriesSpec } from '../rules/series.js';
import { checkWindow } from '../rules/window-rules.js';
import { recordAudit } from '../windows/audit-repository.js';
import { listWindowsOfSeries } from '../windows/window-repository.js';
import {
  cancelWindowWithin,
  changeWindowWithin,
  insertCheckedWindow,
  listWindowViews,
  refusalDetails,
  takenWindow,
  takenWindows,
  type CommittedChange,
  type WindowServiceDeps,
} from '../windows/window-service.js';
import { toWindowView, type WindowView } from '../windows/window-view.js';
import { findSeries, insertSeries } from './series-repository.js';

export interface NewSeriesInput extends SeriesSpec {
  title: string;
  description?: string | undefined;
  systems: string[];
  kind: 'minor';
  dryRun?: boolean | undefined;
}

/** An occurrence that breaks a rule: listed, never silently dropped. */
export interface SkippedOccurrence {
  date: string;
  code: string;
  message: string;
  suggestedStart: string | null;
  suggestedEnd: string | null;
}

export interface SeriesView {
  /** Null for a dry run: nothing was stored. */
  id: string | null;
  title: string;
  rrule: string;
  windows: WindowView[];
  skipped: SkippedOccurrence[];
}

/** Thrown inside the transaction of a dry run, so that everything it wrote is rolled back. */
class DryRun extends Error {
  constructor(readonly view: SeriesView) {
    super('dry run');
    this.name = 'DryRun';
  }
}

/**
 * Registers one window per occurrence, each checked by every rule of a single window, with
 * its own notices, in one transaction. An occurrence that breaks a rule is skipped and listed
 * with its code and the nearest compliant slot. A dry run does all of it and rolls it back.
 */
export async function createSeries(deps: WindowServiceDeps, input: NewSeriesInput, actor: string): Promise<SeriesView> {
  const { rules } = deps;
  const now = deps.clock();
  const zone = rules.policy.timezone;
  if (input.end <= input.start) {
    throw new ValidationError([{ path: 'end', code: 'end_before_start', message: 'Slutet måste ligga efter starten.' }], 'Begäran är inte giltig.');
  }
  let occurrences;
  try {
    occurrences = seriesOccurrences(rules, input);
  } catch (error) {
    if (!(error instanceof SeriesRuleError)) throw error;
    throw new ValidationError([{ path: 'rrule', code: 'invalid_rrule', message: error.message }], error.message);
  }
  const seriesId = randomUUID();
  const committed: CommittedChange[] = [];
  const skipped: SkippedOccurrence[] = [];
  try {
    await deps.db.transaction().execute(async (trx) => {
      const taken = await takenWindows(deps, trx, now);
      await insertSeries(trx, {
        id: seriesId,
        title: input.title,
        description: input.description ?? '',
        systems: [...new Set(input.systems)],
        kind: input.kind,
        rrule: input.rrule.trim().replace(/^RRULE:/i, ''),
        dtstart: input.dtstart,
        start_time: input.start,
        end_time: input.end,
        until: input.until ?? null,
        count: input.count ?? null,
        created_by: actor,
        created_at: now.toJSDate(),
      });
      for (const occurrence of occurrences) {
        const windowInput = { ...input, start: occurrence.start, end: occurrence.end };
        const check = checkWindow(rules, windowInput, now, { shortNotice: false, taken });
        const first = check.violations[0];
        if (first) {
          const details = refusalDetails(rules, check);
          skipped.push({
            date: occurrence.date,
            code: first.code,
            message: first.message,
            suggestedStart: (details.suggestedStart as string | undefined) ?? null,
            suggestedEnd: (details.suggestedEnd as string | undefined) ?? null,
          });
          continue;
        }
        const change = await insertCheckedWindow(trx, windowInput, check, { actor, now, seriesId });
        committed.push(change);
        taken.push(takenWindow(rules, change.window));
      }
      if (committed.length === 0) {
        throw new RuleViolationError(
          [{ path: 'rrule', code: 'no_compliant_occurrence', message: 'Inget tillfälle i serien följer reglerna; ingenting registrerades.' }],
          { skipped },
        );
      }
      await recordAudit(trx, {
        windowId: null,
        actor,
        action: 'series.created',
        at: now.toJSDate(),
        details: { seriesId, rrule: input.rrule, windows: committed.map((c) => c.window.id), skipped },
      });
      const view: SeriesView = {
        id: input.dryRun ? null : seriesId,
        title: input.title,
        rrule: input.rrule,
        windows: committed.map((c) => toWindowView(c.window, c.notices, zone)),
        skipped,
      };
      if (input.dryRun) throw new DryRun(view);
    });
  } catch (error) {
    if (error instanceof DryRun) return error.view;
    throw error;
  }
  for (const change of committed) await deps.onCommitted(change);
  return getSeries(deps, seriesId, skipped);
}

/** A series with its windows, each with its notices. */
export async function getSeries(deps: Pick<WindowServiceDeps, 'db' | 'rules'>, id: string, skipped: SkippedOccurrence[] = []): Promise<SeriesView> {
  const row = await findSeries(deps.db, id);
  if (!row) throw new NotFoundError(`Serien ${id}`);
  const windows = await listWindowViews(deps.db, { seriesId: id }, deps.rules.policy.timezone);
  return { id: row.id, title: row.title, rrule: row.rrule, windows, skipped };
}

/**
 * The scheduled windows of the series from the occurrence `fromWindowId` on ("this and
 * following"), or all of them. An occurrence already running or done is left alone.
 */
async function occurrencesFrom(db: WindowServiceDeps['db'], seriesId: string, fromWindowId?: string) {
  if (!(await findSeries(db, seriesId))) throw new NotFoundError(`Serien ${seriesId}`);
  const windows = await listWindowsOfSeries(db, seriesId);
  let from = 0;
  if (fromWindowId !== undefined) {
    from = windows.findIndex((w) => w.id === fromWindowId);
    if (from === -1) {
      throw new AppError('validation_failed', 400, 'Tillfället hör inte till serien.', {
        errors: [{ path: 'from', code: 'not_in_series', message: 'Tillfället hör inte till serien.' }],
      });
    }
  }
  return windows.slice(from).filter((w) => w.status === 'scheduled');
}

/**
 * Cancels the series from an occurrence on, in one transaction: each window is cancelled
 * as one alone would be, so exactly those told of it get a cancellation.
 */
export async function cancelSeries(
  deps: WindowServiceDeps,
  seriesId: string,
  change: { reason: string; from?: string | undefined },
  actor: string,
): Promise<SeriesView> {
  const now = deps.clock();
  const committed = await deps.db.transaction().execute(async (trx) => {
    const windows = await occurrencesFrom(trx, seriesId, change.from);
    const changes: CommittedChange[] = [];
    for (const w of windows) changes.push(await cancelWindowWithin(deps, trx, w.id, change.reason, actor, now));
    return changes;
  });
  for (const c of committed) await deps.onCommitted(c);
  return getSeries(deps, seriesId);
}

/**
 * Moves the series from an occurrence on: that occurrence to the new start (and end, else
 * the same length), each following one by the same number of local days and to the same new
 * clock times, so a train moved from Tuesday 09:00 to Wednesday 10:00 stays a Wednesday
 * 10:00 train across a daylight-saving change. Every occurrence keeps every rule, or none
 * moves; those told of each get their update.
 */
export async function moveSeries(
  deps: WindowServiceDeps,
  seriesId: string,
  change: { from: string; start: DateTime; end?: DateTime | undefined; shortNotice?: { reason: string } | undefined; allowOverlap?: { reason: string } | undefined },
  actor: string,
): Promise<SeriesView> {
  const { calendar } = deps.rules;
  const now = deps.clock();
  const committed = await deps.db.transaction().execute(async (trx) => {
    const windows = await occurrencesFrom(trx, seriesId, change.from);
    const first = windows[0];
    if (!first || first.id !== change.from) {
      throw new AppError('conflict', 409, 'Tillfället har redan börjat, är genomfört eller inställt och kan inte flyttas.');
    }
    const oldStart = calendar.local(first.start_at);
    const newStart = calendar.local(change.start);
    const newEnd = calendar.local(change.end ?? change.start.plus(first.end_at.getTime() - first.start_at.getTime()));
    const days = Math.round(newStart.startOf('day').diff(oldStart.startOf('day'), 'days').days);
    const clockOf = (dt: DateTime) => dt.toFormat('HH:mm');
    const endDays = Math.round(newEnd.startOf('day').diff(newStart.startOf('day'), 'days').days);
    const moves = windows.map((w) => {
      const day = calendar.local(w.start_at).plus({ days });
      const start = calendar.at(day, clockOf(newStart));
      return { id: w.id, start, end: calendar.at(day.plus({ days: endDays }), clockOf(newEnd)) };
    });
    // Moved later, the last goes first, so no occurrence is checked against one not yet moved out of its way.
    if (days > 0 || (days === 0 && newStart > oldStart)) moves.reverse();
    const changes: CommittedChange[] = [];
    for (const [index, move] of moves.entries()) {
      try {
        changes.push(
          await changeWindowWithin(deps, trx, move.id, { start: move.start, end: move.end, shortNotice: change.shortNotice, allowOverlap: change.allowOverlap }, actor, now),
        );
      } catch (error) {
        if (error instanceof RuleViolationError) {
          const date = move.start.toISODate();
          const errors = (error.errors ?? []).map((e) => ({ ...e, path: `windows.${index}.${e.path}`, message: `${date}: ${e.message}` }));
          throw new RuleViolationError(errors, { ...error.extra, windowId: move.id });
        }
        throw error;
      }
    }
    return changes;
  });
  for (const c of committed) await deps.onCommitted(c);
  return getSeries(deps, seriesId);
}

