import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./worker-process.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface WorkerProcessOptions {
  databaseUrl: string;
  schema: string;
  redisUrl: string;
  queuePrefix: string;
  smtpUrl: string;
  /** A claim not renewed this long is taken over. @defaultValue 3000 (worker-process.ts) */
  abandonedAfterMs?: number;
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves when the child printed "ready"; rejects if it exits first or takes longer than 30 s. */
  ready: Promise<void>;
  /** Where the child serves /metrics and /healthz, once ready. */
  metricsUrl: () => string;
  /** Resolves when the child has exited, however it ended: its exit code, or the signal that ended it. */
  exited: Promise<number | NodeJS.Signals>;
  /** What the child wrote on stderr (its log, with TEST_LOG_LEVEL). */
  stderr: () => string;
  /** SIGKILL: no shutdown, no finished jobs, claims left as they were. */
  kill(): Promise<void>;
  /** SIGTERM: the graceful stop. */
  stop(): Promise<void>;
}

/** Starts test/support/worker-process.ts as a child process: the workers exactly as in production. */
export function startWorkerProcess(options: WorkerProcessOptions): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      WORKER_DATABASE_URL: options.databaseUrl,
      WORKER_DATABASE_SCHEMA: options.schema,
      WORKER_REDIS_URL: options.redisUrl,
      WORKER_QUEUE_PREFIX: options.queuePrefix,
      WORKER_SMTP_URL: options.smtpUrl,
      ...(options.abandonedAfterMs ? { WORKER_ABANDONED_AFTER_MS: String(options.abandonedAfterMs) } : {}),
    },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    if (process.env.TEST_LOG_LEVEL) process.stderr.write(chunk);
  });
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode ?? child.signalCode!);
    else child.once('exit', (code, signal) => resolve(code ?? signal!));
  });
  let metricsPort = 0;
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker process not ready within 30 s: ${stderr}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      const said = /ready (\d+)/.exec(chunk.toString('utf8'));
      if (said) {
        metricsPort = Number(said[1]);
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`worker process exited (${code ?? signal}) before it was ready: ${stderr}`));
    });
  });
  ready.catch(() => {});
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    child,
    ready,
    exited,
    metricsUrl: () => `http://127.0.0.1:${metricsPort}/metrics`,
    stderr: () => stderr,
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
  };
}
