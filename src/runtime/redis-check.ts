import { openRedis, serversOf } from './redis-client.js';

/**
 * What in a Redis configuration can lose queued jobs: eviction of keys under memory
 * pressure, and keeping nothing on disk. BullMQ's production guide asks for
 * `maxmemory-policy noeviction` and persistence (AOF). The database remains the record
 * either way (the reconciler restores lost jobs), but the operator should know.
 */
export function redisWarnings(settings: Record<string, string>): string[] {
  const warnings: string[] = [];
  const policy = settings['maxmemory-policy'];
  if (policy !== undefined && policy !== 'noeviction') {
    warnings.push(`Redis maxmemory-policy is "${policy}": it may evict BullMQ keys; set it to noeviction`);
  }
  if (settings.appendonly === 'no' && (settings.save ?? '').trim() === '') {
    warnings.push('Redis keeps nothing on disk (appendonly no, no save points): a restart loses every queued job until the reconciler restores them; enable appendonly');
  }
  return warnings;
}

/**
 * Reads the settings that matter, one record per server (each master of a cluster keeps its
 * own); a Redis that forbids CONFIG (managed services) yields none.
 */
export async function readRedisSettings(url: string): Promise<Record<string, string>[]> {
  const client = openRedis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  try {
    await client.connect();
    return await Promise.all(
      serversOf(client).map(async (server) => {
        const settings: Record<string, string> = {};
        for (const name of ['maxmemory-policy', 'appendonly', 'save']) {
          const [, value] = (await server.config('GET', name)) as [string, string];
          if (value !== undefined) settings[name] = value;
        }
        return settings;
      }),
    );
  } catch {
    return [];
  } finally {
    client.disconnect();
  }
}
