import type { DateTime } from 'luxon';
import * as series from '../series/series-service.js';
import type { NewSeriesInput, SeriesView, SkippedOccurrence } from '../series/series-service.js';
import type { WindowCommandDeps } from './window-commands.js';

export type { NewSeriesInput, SeriesView, SkippedOccurrence };

/*
 * The commands both adapters call for recurring series. One occurrence alone is an ordinary
 * window: it is moved or cancelled with the window commands.
 */

/** Registers a window per occurrence that keeps every rule and lists the rest; `dryRun` stores nothing. */
export function createSeries(deps: WindowCommandDeps, input: NewSeriesInput, actor: string): Promise<SeriesView> {
  return series.createSeries(deps, input, actor);
}

/** A series with its windows. */
export function seriesDetail(deps: Pick<WindowCommandDeps, 'db' | 'rules'>, id: string): Promise<SeriesView> {
  return series.getSeries(deps, id);
}

/** Cancels the series from the occurrence `from` on (all, without it); those told of each get a cancellation. */
export function cancelSeries(
  deps: WindowCommandDeps,
  id: string,
  change: { reason: string; from?: string | undefined },
  actor: string,
): Promise<SeriesView> {
  return series.cancelSeries(deps, id, change, actor);
}

/** Moves the series from the occurrence `from` on, keeping the days between occurrences. */
export function moveSeries(
  deps: WindowCommandDeps,
  id: string,
  change: { from: string; start: DateTime; end?: DateTime | undefined; shortNotice?: { reason: string } | undefined; allowOverlap?: { reason: string } | undefined },
  actor: string,
): Promise<SeriesView> {
  return series.moveSeries(deps, id, change, actor);
}
