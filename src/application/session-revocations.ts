import { isSessionRevoked, revokeSession } from '../storage/session-repository.js';
import type { ApplicationDeps } from './app-deps.js';

/**
 * Where signed-out admin sessions are kept until they would have expired: the database,
 * shared by every replica, so a signed-out cookie opens nothing anywhere afterwards.
 */
export interface Revocations {
  /** Remembers a signed-out session until `expiresAt` (epoch milliseconds). */
  revoke(id: string, expiresAt: number): Promise<void>;
  isRevoked(id: string): Promise<boolean>;
}

/**
 * The revocations of this service's database. Each sign-out also forgets the sessions that
 * have expired since, so the table holds only cookies that could still be presented.
 */
export function sessionRevocations(deps: Pick<ApplicationDeps, 'db' | 'clock'>): Revocations {
  return {
    revoke: (id, expiresAt) => revokeSession(deps.db, id, new Date(expiresAt), deps.clock().toJSDate()),
    isRevoked: (id) => isSessionRevoked(deps.db, id),
  };
}
