import { Cluster, Redis } from 'ioredis';
import { parseRedisUrl, type RedisNode } from './redis-url.js';

/** A connection to REDIS_URL: one server, or a Redis Cluster. BullMQ takes either. */
export type RedisClient = Redis | Cluster;

/** The ioredis options this service sets, the same for one server and a cluster. */
export interface RedisClientOptions {
  lazyConnect?: boolean;
  enableOfflineQueue?: boolean;
  enableReadyCheck?: boolean;
  /** `null` for BullMQ's blocking connections (workers wait on Redis). */
  maxRetriesPerRequest?: number | null;
  connectTimeout?: number;
  /** Only "never retry" is used: probes ask once. */
  retryStrategy?: () => null;
}

/**
 * Opens REDIS_URL with these options. For a cluster the options that concern the whole
 * client (connecting, queueing while offline, retrying) go to the Cluster and the rest to
 * each node; the user, password and TLS of the URL apply to every node the cluster reports.
 */
export function openRedis(url: string, options: RedisClientOptions = {}): RedisClient {
  const target = parseRedisUrl(url);
  if (target.kind === 'server') return new Redis(url, options);
  const { lazyConnect, enableOfflineQueue, enableReadyCheck, retryStrategy, ...perNode } = options;
  return new Cluster([...target.nodes], {
    ...(lazyConnect === undefined ? {} : { lazyConnect }),
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    ...(enableReadyCheck === undefined ? {} : { enableReadyCheck }),
    ...(retryStrategy ? { clusterRetryStrategy: retryStrategy } : {}),
    redisOptions: { blockingTimeout: BLOCKING_SAFETY_NET_MS, ...perNode, ...nodeAuth(target) },
  });
}

/**
 * With this set, ioredis answers a blocking command (BullMQ's BZPOPMIN, 5-10 s) itself with
 * "nothing" once its own timeout has passed (plus 100 ms), also while the command waits out a
 * failover or a master that is down. Without it, such a command outlives BullMQ's watchdog
 * (its timeout plus one second), which then disconnects and reconnects the worker's cluster
 * client; a reconnect racing the cluster's own left workers waiting for good after a master
 * came back (seen in test/workers/redis-cluster.test.ts, about one run in six). The number is
 * only the bound for a command that blocks without a timeout, which BullMQ never sends.
 */
const BLOCKING_SAFETY_NET_MS = 30_000;

/** A plain connection to one node of a cluster (to ask it about itself), with the URL's user, password and TLS. */
export function openClusterNode(url: string, node: RedisNode, options: RedisClientOptions = {}): Redis {
  const target = parseRedisUrl(url);
  if (target.kind !== 'cluster') throw new Error('openClusterNode wants a redis+cluster:// URL');
  return new Redis({ ...options, host: node.host, port: node.port, ...nodeAuth(target) });
}

function nodeAuth(target: Extract<ReturnType<typeof parseRedisUrl>, { kind: 'cluster' }>) {
  return {
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
    ...(target.tls ? { tls: {} } : {}),
  };
}

/** The masters of a cluster, or the one server: where per-server settings (CONFIG) live. */
export function serversOf(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}
