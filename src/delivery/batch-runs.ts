import { randomUUID } from 'node:crypto';

/**
 * One run of one batch job in this process: it holds the claims of its deliveries under its
 * own claimant id, and knows which of them it has not started sending yet (`waiting`), so
 * that at shutdown it can give exactly those back.
 */
export interface BatchRun {
  readonly claimant: string;
  /** Claimed deliveries no lane has started sending. */
  readonly waiting: Set<string>;
  /** Set at shutdown: no lane starts another send. */
  stopped: boolean;
  /** Hands the waiting deliveries back (status pending, claim cleared); set by the batch. */
  giveBack: (() => Promise<void>) | null;
}

/**
 * The batch runs of a process: what the heartbeat renews, and what a shutdown stops and
 * gives back. Once `stopSending` was called no new run starts.
 */
export class BatchRuns {
  private readonly runs = new Set<BatchRun>();
  private stopping = false;

  get stopped(): boolean {
    return this.stopping;
  }

  /** A new run, or null when the process is stopping. */
  begin(): BatchRun | null {
    if (this.stopping) return null;
    const run: BatchRun = { claimant: randomUUID(), waiting: new Set(), stopped: false, giveBack: null };
    this.runs.add(run);
    return run;
  }

  end(run: BatchRun): void {
    this.runs.delete(run);
  }

  /** The claimants whose claims are alive: every run still going. */
  claimants(): string[] {
    return [...this.runs].map((run) => run.claimant);
  }

  /** Stops every run from starting sends and gives back what each has not started. */
  async stopSending(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.runs].map(async (run) => {
        run.stopped = true;
        await run.giveBack?.();
      }),
    );
  }
}
