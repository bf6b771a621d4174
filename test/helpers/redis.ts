/**
 * Redis for the tests: the URL the global set-up found or started, a unique key prefix per
 * test (BullMQ style) and a clean-up of that prefix. Never a mock.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedis } from '../../src/queue/redis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** describe() when a Redis is available, describe.skip() (loudly announced by the set-up) otherwise. */
export const describeRedis: jest.Describe = process.env.CHORUS_FLUX_SKIP_REDIS === '1' ? describe.skip : describe;

export function uniquePrefix(name = 'test'): string {
  return `cf-${name}-${randomBytes(4).toString('hex')}`;
}

export function redisClient(): Redis {
  return createRedis({ url: REDIS_URL });
}

export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}

/**
 * A client of the test Redis for the suite that calls it (made in its beforeAll), and the keys
 * under `prefix` deleted after it, then the client closed (its afterAll). `client()` reads it
 * inside the tests.
 */
export function suiteRedis(prefix: string): { client(): Redis } {
  let redis: Redis | undefined;
  beforeAll(() => {
    redis = redisClient();
  });
  afterAll(async () => {
    if (!redis) return;
    await deletePrefix(redis, prefix);
    await redis.quit();
  });
  return {
    client() {
      if (!redis) throw new Error('suiteRedis: the client is made in beforeAll: read it inside a test');
      return redis;
    },
  };
}
