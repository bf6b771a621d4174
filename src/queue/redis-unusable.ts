/**
 * Redis could not be used at all. Apart from redis.ts so that the command line can tell it from
 * other failures without loading ioredis for every command.
 */
import type { describeRedisError } from './redis-trouble';

/** Redis could not be used at all: `kind` says why (redis-trouble.ts). */
export class RedisUnusable extends Error {
  constructor(
    message: string,
    readonly kind: ReturnType<typeof describeRedisError>['kind'],
  ) {
    super(message);
  }
}
