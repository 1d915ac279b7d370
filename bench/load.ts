import { fork } from 'node:child_process';
import autocannon from 'autocannon';

/** What one autocannon run is told: its options, and a JSON body template for POSTs. */
export interface LoadRun {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  /** A body per request: every `{n}` becomes the request's own number (unique titles). */
  bodyTemplate?: string;
  connections: number;
  durationS: number;
}

export interface LoadResult {
  rps: number;
  p99: number;
  non2xx: number;
}

/**
 * Runs autocannon in a process of its own, so the load generator's CPU is not taken from
 * the service it measures (as a real client's would not be).
 */
export function runLoad(run: LoadRun): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(new URL(import.meta.url).pathname, ['--run', JSON.stringify(run)], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    child.once('message', (result: LoadResult) => resolve(result));
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`load generator exited with ${code}`))));
  });
}

async function generate(run: LoadRun): Promise<LoadResult> {
  let n = 0;
  const result = await autocannon({
    url: run.url,
    method: run.method ?? 'GET',
    headers: run.headers ?? {},
    connections: run.connections,
    duration: run.durationS,
    ...(run.bodyTemplate
      ? { requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: run.bodyTemplate!.replaceAll('{n}', String(++n)) }) }] }
      : {}),
  });
  return { rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx };
}

if (process.argv[2] === '--run') {
  generate(JSON.parse(process.argv[3]!) as LoadRun).then(
    (result) => process.send!(result, () => process.exit(0)),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
