import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort, redisAnswers } from '../../src/runtime/local-redis.js';
import { eventually } from './stack.js';

const SECOND = 1000;
/** How long a master may be silent before the others call it failed: short, so a test's kill is noticed at once. */
const NODE_TIMEOUT_MS = 1000;

/** One master of a test cluster: its ports and its folder (nodes.conf), kept across a restart. */
export interface ClusterNode {
  port: number;
  busPort: number;
  dir: string;
  process: ChildProcess;
}

export interface TestRedisCluster {
  /** `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,…`, as an operator writes REDIS_URL. */
  url: string;
  nodes: ClusterNode[];
  /** The master serving the slot of this key (`CLUSTER KEYSLOT`), as the cluster says now. */
  masterOf(key: string): Promise<ClusterNode>;
  /** SIGKILL: the master dies without a word, as a crashed machine does. */
  kill(node: ClusterNode): Promise<void>;
  /** Starts it again on its port and folder: it rejoins with its slots (nodes.conf) and, keeping nothing on disk, empty. */
  restart(node: ClusterNode): Promise<void>;
  /** Resolves when every master reports `cluster_state:ok`. */
  healthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Why this machine cannot run the test cluster, or null when it can: it needs redis-server 7
 * or later (`--cluster-port`, so that no bus port is guessed as port + 10000; every Redis
 * since 3.0 has cluster support built in) and redis-cli to create the cluster (Debian's
 * redis-server depends on redis-tools, which holds it). A missing redis-cli beside a capable
 * redis-server is an installation to fix, not a reason to skip.
 */
export function clusterUnsupported(): string | null {
  const version = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) return 'redis-server is not on the PATH';
  const major = Number(/\bv=(\d+)\./.exec(version.stdout)?.[1] ?? 0);
  if (major < 7) return `redis-server ${version.stdout.trim()} is older than 7 and has no --cluster-port`;
  if (spawnSync('redis-cli', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('redis-server supports clusters but redis-cli is missing: install redis-tools (Debian) to create one');
  }
  return null;
}

async function startNode(port: number, busPort: number, dir: string): Promise<ClusterNode> {
  mkdirSync(dir, { recursive: true });
  const args = [
    '--port', String(port),
    '--cluster-port', String(busPort),
    '--bind', '127.0.0.1',
    '--cluster-enabled', 'yes',
    '--cluster-config-file', 'nodes.conf',
    '--cluster-node-timeout', String(NODE_TIMEOUT_MS),
    '--dir', dir,
    // Nothing on disk: a restarted master comes back empty for its slots, as the test wants.
    '--save', '', '--appendonly', 'no',
    '--maxmemory-policy', 'noeviction',
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // A test process that ends without its afterAll (a timeout) must not leave masters running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  // Redis logs to stdout; the last line says why it stopped (a port in use).
  let output = '';
  for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-2000)));
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100 && child.exitCode === null && !(await redisAnswers(url, 200)); i += 1) await new Promise((r) => setTimeout(r, 50));
  if (child.exitCode !== null || !(await redisAnswers(url))) {
    child.kill('SIGKILL');
    throw new Error(`redis-server on port ${port} exited with ${child.exitCode}: ${output.trim().split('\n').pop() ?? ''}`);
  }
  return { port, busPort, dir, process: child };
}

function stopNode(node: ClusterNode): Promise<void> {
  return new Promise((resolve) => {
    if (node.process.exitCode !== null || node.process.signalCode !== null) return resolve();
    node.process.once('exit', () => resolve());
    node.process.kill('SIGKILL');
  });
}

async function clusterInfo(port: number): Promise<string> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    return await client.cluster('INFO');
  } catch (error) {
    return `unreachable: ${(error as Error).message}`;
  } finally {
    client.disconnect();
  }
}

/** Three masters on free ports, no replicas, created by `redis-cli --cluster create`. */
export async function startRedisCluster(masters = 3): Promise<TestRedisCluster> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'driftstopp-cluster-'));
  const nodes: ClusterNode[] = [];
  try {
    const taken = new Set<number>();
    const another = async () => {
      let port = await freePort();
      while (taken.has(port)) port = await freePort();
      taken.add(port);
      return port;
    };
    for (let i = 0; i < masters; i += 1) {
      // A free port may be taken by another process before redis-server binds it: try others.
      for (let attempt = 1; ; attempt += 1) {
        try {
          nodes.push(await startNode(await another(), await another(), path.join(root, String(i))));
          break;
        } catch (error) {
          if (attempt === 3) throw error;
          rmSync(path.join(root, String(i)), { recursive: true, force: true });
        }
      }
    }
    const created = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8', timeout: 30 * SECOND },
    );
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
  } catch (error) {
    await Promise.all(nodes.map(stopNode));
    rmSync(root, { recursive: true, force: true });
    throw error;
  }

  const cluster: TestRedisCluster = {
    url: `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`,
    nodes,
    async masterOf(key) {
      const client = new Redis({ port: nodes[0]!.port, host: '127.0.0.1' });
      try {
        const slot = Number(await client.cluster('KEYSLOT', key));
        const ranges = await client.cluster('SLOTS');
        const port = ranges.find(([from, to]) => slot >= from && slot <= to)?.[2]?.[1];
        const owner = nodes.find((n) => n.port === port);
        if (!owner) throw new Error(`no master serves slot ${slot} of ${key}`);
        return owner;
      } finally {
        client.disconnect();
      }
    },
    kill: stopNode,
    async restart(node) {
      Object.assign(node, await startNode(node.port, node.busPort, node.dir));
    },
    async healthy(timeoutMs = 30 * SECOND) {
      await eventually(() => Promise.all(nodes.map((n) => clusterInfo(n.port))), (infos) => infos.every((info) => info.includes('cluster_state:ok')), timeoutMs);
    },
    async stop() {
      await Promise.all(nodes.map(stopNode));
      rmSync(root, { recursive: true, force: true });
    },
  };
  await cluster.healthy();
  return cluster;
}
