import { findDisruptionWithUpdates } from '../disruptions/disruption-repository.js';
import type { NoticeRow } from '../storage/schema.js';
import type { Db } from '../storage/database.js';
import { findWindow, findWindows, listWindowsAt } from '../windows/window-repository.js';
import type { MessageSubject } from './notice-messages.js';

/**
 * What a notice's message is rendered from, read when its batch is sent: the window, or the
 * disruption with its updates and the planned windows going on when it was registered.
 */
export async function loadMessageSubject(db: Db, notice: Pick<NoticeRow, 'window_id' | 'disruption_id'>): Promise<MessageSubject> {
  if (notice.window_id !== null) return { kind: 'window', window: (await findWindow(db, notice.window_id))! };
  const found = (await findDisruptionWithUpdates(db, notice.disruption_id!))!;
  const windows = await listWindowsAt(db, found.disruption.created_at);
  return { kind: 'disruption', facts: { ...found, windows } };
}

/** The subjects of many notices' messages: their windows in one statement, each disruption on its own. */
export async function loadMessageSubjects(db: Db, notices: readonly NoticeRow[]): Promise<Map<string, MessageSubject>> {
  const windows = new Map((await findWindows(db, [...new Set(notices.flatMap((n) => (n.window_id ? [n.window_id] : [])))])).map((w) => [w.id, w]));
  const subjects = new Map<string, MessageSubject>();
  for (const notice of notices) {
    const window = notice.window_id && windows.get(notice.window_id);
    subjects.set(notice.id, window ? { kind: 'window', window } : await loadMessageSubject(db, notice));
  }
  return subjects;
}

/** The subject's id for a log line: `windowId` or `disruptionId`. */
export function subjectLogFields(subject: MessageSubject): { windowId: string } | { disruptionId: string } {
  return subject.kind === 'window' ? { windowId: subject.window.id } : { disruptionId: subject.facts.disruption.id };
}
