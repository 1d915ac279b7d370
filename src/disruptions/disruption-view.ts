import { compareNotices } from '../rules/told.js';
import type { DisruptionRow, DisruptionUpdateRow, NoticeRow } from '../storage/schema.js';
import { formatInstant, toNoticeView, type NoticeView } from '../windows/window-view.js';

export interface DisruptionUpdateView {
  /** 1 for the registration, then one more per update. */
  sequence: number;
  status: string;
  message: string;
  at: string;
  by: string;
}

/** A disruption as the API shows it: the contract's `{ id, title, systems, status, updates }` and more. */
export interface DisruptionView {
  id: string;
  title: string;
  description: string;
  systems: string[];
  status: string;
  revision: number;
  createdBy: string;
  /** When it was registered: the instant every audience was owed the news from. */
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  updates: DisruptionUpdateView[];
  /** Its messages to each audience, as a window's notices. */
  notices: NoticeView[];
}

export function toDisruptionView(
  row: DisruptionRow,
  updates: readonly DisruptionUpdateRow[],
  notices: readonly NoticeRow[],
  zone: string,
): DisruptionView {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    systems: row.systems,
    status: row.status,
    revision: row.revision,
    createdBy: row.created_by,
    createdAt: formatInstant(row.created_at, zone)!,
    updatedAt: formatInstant(row.updated_at, zone)!,
    resolvedAt: formatInstant(row.resolved_at, zone),
    updates: updates
      .filter((u) => u.disruption_id === row.id)
      .map((u) => ({ sequence: u.sequence, status: u.status, message: u.message, at: formatInstant(u.at, zone)!, by: u.created_by })),
    notices: notices
      .filter((n) => n.disruption_id === row.id)
      .sort(compareNotices)
      .map((n) => toNoticeView(n, zone)),
  };
}
