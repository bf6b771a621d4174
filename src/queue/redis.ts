/**
 * Redis connections as BullMQ requires them: reached through REDIS_URL (or the config),
 * `maxRetriesPerRequest: null` for workers (blocking commands must not give up), and no
 * ioredis `keyPrefix` (BullMQ has its own `prefix` option, which we use).
 */
import IORedis, { type Redis } from 'ioredis';

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
