import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';
import { openClusterNode } from './redis-client.js';
import { parseRedisUrl } from './redis-url.js';

/** A redis-server this process started; stop() ends it. */
export interface LocalRedis {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export type RedisProbe =
  | { status: 'ok' }
  | { status: 'unreachable'; reason?: string }
  | { status: 'refused'; reason: string }
  /** It answers, but is not what the URL says: a cluster node named as one server, or the reverse. */
  | { status: 'mismatch'; reason: string };

const probeOptions = (timeoutMs: number) => ({ lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null });

/**
 * What the Redis at `url` says to us: it answers, nothing answers, or it refuses what the
 * URL asks (a wrong or missing password, a database number it does not have). ioredis
 * reports a refusal only as an 'error' event and then closes, so the event is kept.
 * A `redis+cluster://` URL is probed node by node: the first node that answers decides.
 */
export async function probeRedis(url: string, timeoutMs = 1500): Promise<RedisProbe> {
  const target = parseRedisUrl(url);
  if (target.kind === 'cluster') {
    let last: RedisProbe = { status: 'unreachable' };
    for (const node of target.nodes) {
      last = await probeOne(openClusterNode(url, node, probeOptions(timeoutMs)), { cluster: true });
      if (last.status !== 'unreachable' || last.reason !== undefined) return last;
    }
    return last;
  }
  return probeOne(new Redis(url, probeOptions(timeoutMs)), { cluster: false });
}

async function probeOne(client: Redis, expected: { cluster: boolean }): Promise<RedisProbe> {
  let refusal: string | undefined;
  client.on('error', (error: Error) => {
    if (error.name === 'ReplyError') refusal ??= error.message;
  });
  try {
    await client.connect();
    // ioredis selects the URL's database on connect without failing connect(); this does fail.
    await client.select(client.options.db ?? 0);
    if ((await client.ping()) !== 'PONG') return { status: 'unreachable' };
    // A server whose ACL forbids INFO or CLUSTER INFO is taken at the URL's word.
    const info = await client.info('cluster').catch(() => null);
    if (info === null) return { status: 'ok' };
    const clusterEnabled = /^cluster_enabled:1\s*$/m.test(info);
    if (clusterEnabled && !expected.cluster) {
      return { status: 'mismatch', reason: 'is a node of a Redis Cluster: name the cluster as redis+cluster://host:port[,host:port…], with a hash tag in QUEUE_PREFIX ({driftstopp})' };
    }
    if (!clusterEnabled && expected.cluster) {
      return { status: 'mismatch', reason: 'is a single Redis server, not a Redis Cluster node: name it as redis://host:port' };
    }
    if (expected.cluster) {
      const state = /^cluster_state:(\w+)/m.exec((await client.cluster('INFO').catch(() => null)) ?? 'cluster_state:ok')?.[1];
      if (state !== 'ok') return { status: 'unreachable', reason: `reports cluster_state:${state ?? 'unknown'} (a master is down, or not every slot is served)` };
    }
    return { status: 'ok' };
  } catch (error) {
    const reason = refusal ?? ((error as Error).name === 'ReplyError' ? (error as Error).message : undefined);
    return reason === undefined ? { status: 'unreachable' } : { status: 'refused', reason };
  } finally {
    client.disconnect();
  }
}

export async function redisAnswers(url: string, timeoutMs = 1500): Promise<boolean> {
  const client = new Redis(url, probeOptions(timeoutMs));
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a private redis-server on 127.0.0.1. With `dir`, it keeps an append-only file
 * there so that a restart loses nothing; without, it keeps nothing on disk.
 */
export async function startRedisServer(options: { port?: number; dir?: string; password?: string } = {}): Promise<LocalRedis> {
  if (!redisServerAvailable()) {
    throw new Error('redis-server was not found on the PATH: install Redis (Debian: apt-get install redis-server) or set REDIS_URL');
  }
  const port = options.port ?? (await freePort());
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--maxmemory-policy', 'noeviction'];
  if (options.dir) {
    mkdirSync(options.dir, { recursive: true });
    args.push('--dir', path.resolve(options.dir), '--appendonly', 'yes');
  } else {
    args.push('--appendonly', 'no');
  }
  if (options.password !== undefined) args.push('--requirepass', options.password);
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const url = options.password === undefined ? `redis://127.0.0.1:${port}` : `redis://:${encodeURIComponent(options.password)}@127.0.0.1:${port}`;
  for (let i = 0; i < 100 && !(await redisAnswers(url, 200)); i += 1) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!(await redisAnswers(url))) throw new Error(`redis-server on port ${port} did not start`);
  return {
    url,
    process: child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
