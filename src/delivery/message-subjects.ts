import { findDisruptionWithUpdates } from '../disruptions/disruption-repository.js';
import type { NoticeRow } from '../storage/schema.js';
import type { Db } from '../storage/database.js';
import { findWindow, listWindowsAt } from '../windows/window-repository.js';
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

/** The subject's id for a log line: `windowId` or `disruptionId`. */
export function subjectLogFields(subject: MessageSubject): { windowId: string } | { disruptionId: string } {
  return subject.kind === 'window' ? { windowId: subject.window.id } : { disruptionId: subject.facts.disruption.id };
}
