/**
 * REDIS_URL in its two shapes: one Redis server (`redis://…`, `rediss://…`, as ioredis reads
 * them), or a Redis Cluster given by one or more of its nodes, the scheme saying so:
 * `redis+cluster://[user:password@]host:port[,host:port…]` (`rediss+cluster://` for TLS).
 * The client asks the nodes it is given for the rest of the cluster, so one reachable node
 * is enough; naming several lets start-up succeed while one of them is down. The scheme, not
 * a guess from the server, decides: BullMQ's keys must be hash-tagged before anything is written.
 */

const DEFAULT_PORT = 6379;
const CLUSTER_SCHEME = /^(rediss?)\+cluster:\/\/(.*)$/is;

export interface RedisNode {
  host: string;
  port: number;
}

export type RedisTarget =
  | { kind: 'server'; url: string }
  | {
      kind: 'cluster';
      nodes: readonly RedisNode[];
      /** The same user and password on every node (ACLs and `requirepass` are per node in Redis Cluster). */
      username: string | undefined;
      password: string | undefined;
      tls: boolean;
    };

/** Reads REDIS_URL; throws an Error saying what is wrong (the caller names the setting). */
export function parseRedisUrl(value: string): RedisTarget {
  const cluster = CLUSTER_SCHEME.exec(value);
  if (!cluster) return { kind: 'server', url: serverUrl(value) };
  const [, scheme, rest = ''] = cluster;
  const at = rest.lastIndexOf('@');
  const hosts = at < 0 ? rest : rest.slice(at + 1);
  const credentials = at < 0 ? undefined : userInfo(rest.slice(0, at));
  const path = /[/?#]/.exec(hosts);
  if (path) {
    const tail = hosts.slice(path.index);
    if (/^\/\d+$/.test(tail)) throw new Error(`a Redis Cluster has only database 0: remove "${tail}"`);
    if (tail !== '/') throw new Error(`a Redis Cluster URL holds only nodes (host:port, comma-separated), not "${tail}"`);
  }
  const list = (path ? hosts.slice(0, path.index) : hosts).split(',');
  return {
    kind: 'cluster',
    nodes: list.map(node),
    username: credentials?.username,
    password: credentials?.password,
    tls: scheme!.toLowerCase() === 'rediss',
  };
}

/** Whether REDIS_URL names a Redis Cluster (`redis+cluster://`, `rediss+cluster://`). */
export function isClusterUrl(value: string): boolean {
  return CLUSTER_SCHEME.test(value);
}

function serverUrl(value: string): string {
  if (!URL.canParse(value)) {
    throw new Error(
      value.includes(',')
        ? 'must be one Redis server (redis://host:port), or a Redis Cluster by its nodes: redis+cluster://host1:port1,host2:port2'
        : 'must be a redis, rediss, redis+cluster or rediss+cluster URL',
    );
  }
  const protocol = new URL(value).protocol;
  if (protocol !== 'redis:' && protocol !== 'rediss:') throw new Error('must be a redis, rediss, redis+cluster or rediss+cluster URL');
  return value;
}

function node(text: string): RedisNode {
  const trimmed = text.trim();
  if (trimmed === '') throw new Error('a Redis Cluster URL names its nodes as host:port, comma-separated, with none empty');
  const probe = `redis://${trimmed}`;
  const parsed = URL.canParse(probe) ? new URL(probe) : undefined;
  if (!parsed || parsed.hostname === '' || parsed.username !== '' || parsed.pathname !== '' || `${parsed.host}` !== trimmed.toLowerCase()) {
    throw new Error(`"${trimmed}" is not a node (host:port) of a Redis Cluster URL`);
  }
  // URL keeps an IPv6 address in brackets; sockets want it bare.
  return { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port: parsed.port === '' ? DEFAULT_PORT : Number(parsed.port) };
}

function userInfo(text: string): { username: string | undefined; password: string | undefined } {
  if (text.includes(',')) throw new Error('must name the user and password once, before the first node (a comma in them URL-encoded as %2C)');
  const encoded = 'the user and password of a Redis Cluster URL must be URL-encoded';
  const probe = `redis://${text}@host`;
  const parsed = URL.canParse(probe) ? new URL(probe) : undefined;
  if (parsed?.host !== 'host') throw new Error(encoded);
  const decode = (part: string) => {
    try {
      return part === '' ? undefined : decodeURIComponent(part);
    } catch {
      throw new Error(encoded);
    }
  };
  return { username: decode(parsed.username), password: decode(parsed.password) };
}

/**
 * The hash tag Redis Cluster hashes a key by: what lies between the key's first `{` and the
 * first `}` after it, when that is not empty (`{driftstopp}`, `drift{stopp}`); null when the
 * whole key is hashed (`driftstopp`, `{}driftstopp`, `{}{driftstopp}`, `{driftstopp`). Every
 * BullMQ key starts with the prefix and queue names hold no braces, so a prefix with a tag
 * puts all of a queue's keys (and all three queues) in one slot, as BullMQ's Lua scripts need.
 */
export function hashTagOf(key: string): string | null {
  const open = key.indexOf('{');
  if (open < 0) return null;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : null;
}
