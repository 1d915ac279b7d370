import { sql } from 'kysely';
import type { Logger } from 'pino';
import { listen, type Db } from './database.js';

/** The channel the migration's triggers NOTIFY on each committed change of a window or notice. */
const CHANNEL = 'driftstopp_register';

/**
 * Tells whether the register (windows and their notices) may have changed since an answer
 * was rendered, whichever process changed it: PostgreSQL NOTIFYs after each commit.
 */
export interface RegisterChanges {
  /** Grows with every change heard; null while not listening, when nothing rendered may be trusted. */
  version(): number | null;
  /** A change this process committed: counts at once, before its notification comes back. */
  changed(): void;
  close(): Promise<void>;
}

export async function watchRegister(db: Db, logger: Logger): Promise<RegisterChanges> {
  // The triggers name the schema they fired in: other installations sharing the database are not ours.
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]!.schema;
  let count = 0;
  let listening = false;
  const listener = await listen(db, CHANNEL, {
    notify: (payload) => {
      if (payload === schema) count += 1;
    },
    listening: () => {
      count += 1;
      if (!listening) logger.info('listening for register changes');
      listening = true;
    },
    lost: (error) => {
      count += 1;
      listening = false;
      logger.warn({ err: error.message }, 'not hearing register changes now; the window list is read on every request');
    },
  });
  return {
    version: () => (listening ? count : null),
    changed: () => (count += 1),
    close: () => listener.close(),
  };
}
