/**
 * Redis connections as BullMQ requires them: reached through REDIS_URL (or the config),
 * `maxRetriesPerRequest: null` for workers (blocking commands must not give up), and no
 * ioredis `keyPrefix` (BullMQ has its own `prefix` option, which we use).
 */
import IORedis, { type Redis } from 'ioredis';
import { redactRedisUrl } from './redis-url';

export interface RedisOptions {
  url: string;
  /** true for connections used by BullMQ Workers (and anything that blocks) */
  blocking?: boolean;
}

export function createRedis(opts: RedisOptions): Redis {
  return new IORedis(opts.url, {
    maxRetriesPerRequest: opts.blocking ? null : 20,
    enableReadyCheck: true,
    lazyConnect: false,
    // reconnect forever with a capped delay: Redis restarts are part of normal operations
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
}

/**
 * A connection for a one-shot command (`jobs`, `retry`): it fails within `timeoutMs` with a
 * plain message when Redis cannot be reached, instead of reconnecting forever as the daemons do.
 */
export async function connectRedisOnce(url: string, timeoutMs = 5000): Promise<Redis> {
  const redis = new IORedis(url, { maxRetriesPerRequest: 1, enableReadyCheck: true, lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null });
  redis.on('error', () => undefined); // reported by connect() below
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (e) {
    redis.disconnect();
    throw new Error(`cannot reach Redis at ${redactRedisUrl(url)}: ${(e as Error).message}`);
  }
}
