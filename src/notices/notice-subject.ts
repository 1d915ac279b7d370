import { findDisruptions } from '../disruptions/disruption-repository.js';
import { owesCatchUp, owesDisruptionCatchUp } from '../rules/told.js';
import type { Db } from '../storage/database.js';
import type { DisruptionRow, NoticeRow, WindowRow } from '../storage/schema.js';
import { findWindows } from '../windows/window-repository.js';
import type { SubjectColumn } from './notice-repository.js';

/**
 * What a notice tells of: a planned window or a disruption. Everything after the notice row
 * (fan-out, deliveries, claims, retries, the reconciler, the told rule) is the same for both;
 * only whom it concerns (the systems), whether newcomers are owed it, and its text differ.
 */
export type NoticeSubject = { kind: 'window'; row: WindowRow } | { kind: 'disruption'; row: DisruptionRow };

export interface SubjectRef {
  column: SubjectColumn;
  id: string;
}

export function subjectRefOf(notice: Pick<NoticeRow, 'window_id' | 'disruption_id'>): SubjectRef {
  if (notice.window_id !== null) return { column: 'window_id', id: notice.window_id };
  if (notice.disruption_id !== null) return { column: 'disruption_id', id: notice.disruption_id };
  throw new Error('a notice names neither a window nor a disruption');
}

/** The subjects of these notices, by their id (window and disruption ids are UUIDs and never clash). */
export async function findSubjects(db: Db, notices: readonly Pick<NoticeRow, 'window_id' | 'disruption_id'>[]): Promise<Map<string, NoticeSubject>> {
  const refs = notices.map(subjectRefOf);
  const ids = (column: SubjectColumn) => [...new Set(refs.filter((r) => r.column === column).map((r) => r.id))];
  const [windows, disruptions] = await Promise.all([findWindows(db, ids('window_id')), findDisruptions(db, ids('disruption_id'))]);
  return new Map<string, NoticeSubject>([
    ...windows.map((row) => [row.id, { kind: 'window', row }] as const),
    ...disruptions.map((row) => [row.id, { kind: 'disruption', row }] as const),
  ]);
}

/** Whether newcomers to an audience are owed the subject's announcement now (the told rule). */
export function subjectOwesCatchUp(subject: NoticeSubject, now: Date): boolean {
  return subject.kind === 'window' ? owesCatchUp(subject.row, now) : owesDisruptionCatchUp(subject.row);
}

export function columnOf(subject: NoticeSubject): SubjectColumn {
  return subject.kind === 'window' ? 'window_id' : 'disruption_id';
}
