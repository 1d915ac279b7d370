import type { Logger } from 'pino';

/** What a process may take to stop before it is forced out; container platforms wait 30 s before SIGKILL. */
export const SHUTDOWN_BOUND_MS = 25_000;

/**
 * Stops what a process runs, in order, on the first SIGTERM or SIGINT, and exits 0; exits 1
 * if stopping takes longer than `boundMs`. Returns the list to push stops onto (`unshift`
 * what must stop first); listening starts at once, so a signal during start-up still stops
 * what has started.
 */
export function stopOnSignals(logger: Logger, boundMs = SHUTDOWN_BOUND_MS): (() => Promise<void>)[] {
  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const startedAt = Date.now();
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ boundMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, boundMs);
    for (const stop of stops) await stop().catch((error: Error) => logger.warn({ error: error.message }, 'while stopping'));
    clearTimeout(timer);
    logger.info({ tookMs: Date.now() - startedAt }, 'stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  return stops;
}
