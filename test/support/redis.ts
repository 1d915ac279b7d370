import { startRedisServer, type LocalRedis } from '../../src/runtime/local-redis.js';

/** A private redis-server on a free port for one test file: free to flush or restart. */
export async function startTestRedis(): Promise<LocalRedis> {
  return startRedisServer();
}
