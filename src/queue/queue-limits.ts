/**
 * A queue's global limits: a concurrency or a rate limit set on the queue itself (from a
 * dashboard, or any BullMQ client: `setGlobalConcurrency`, `setGlobalRateLimit`). Kept in Redis
 * across restarts, as a pause is, they hold back every worker whatever its own concurrency.
 * chorus-flux never sets one: `jobs` shows them, `jobs --clear-limits` removes them, and each
 * process exports them on /metrics (`chorus_flux_queue_global_concurrency`,
 * `chorus_flux_queue_global_rate_limit_per_second`), where an operator's alert can see them.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export interface QueueLimits {
  /** at most this many jobs active at once over all workers; null: none set */
  concurrency: number | null;
  /** at most `max` jobs started per `duration` milliseconds over all workers; null: none set */
  rateLimit: { max: number; duration: number } | null;
}

export async function queueLimits(queue: Queue): Promise<QueueLimits> {
  const [concurrency, rateLimit] = await Promise.all([queue.getGlobalConcurrency(), queue.getGlobalRateLimit()]);
  return { concurrency, rateLimit };
}

export const hasLimits = (l: QueueLimits): boolean => l.concurrency !== null || l.rateLimit !== null;

/** Jobs per second a rate limit allows (0: no rate limit), for the gauge. */
export const ratePerSecond = (l: QueueLimits): number => (l.rateLimit && l.rateLimit.duration > 0 ? (l.rateLimit.max * 1000) / l.rateLimit.duration : 0);

/** "a global concurrency of 2 and a rate limit of 10 jobs per 1000 ms" */
export function limitsText(l: QueueLimits): string {
  const parts = [
    l.concurrency !== null ? `a global concurrency of ${l.concurrency} (all workers together run at most ${l.concurrency} job${l.concurrency === 1 ? '' : 's'} at once)` : undefined,
    l.rateLimit ? `a rate limit of ${l.rateLimit.max} job${l.rateLimit.max === 1 ? '' : 's'} per ${l.rateLimit.duration} ms` : undefined,
  ].filter((p): p is string => p !== undefined);
  return parts.join(' and ');
}

/**
 * The limits read and removed in one step (a script runs alone in Redis): those it reads are
 * those it removes, as BullMQ reads them (`getGlobalConcurrency`, `getGlobalRateLimit`: a
 * concurrency when its field is set, a rate limit when both `max` and `duration` are); any other
 * field is left as it is. ARGV: the fields, BullMQ's names.
 */
const CLEAR_LIMITS = `local c = redis.call('HGET', KEYS[1], ARGV[1])
local m = redis.call('HGET', KEYS[1], ARGV[2])
local d = redis.call('HGET', KEYS[1], ARGV[3])
if c and c ~= '' then redis.call('HDEL', KEYS[1], ARGV[1]) else c = '' end
if m and m ~= '' and d and d ~= '' then redis.call('HDEL', KEYS[1], ARGV[2], ARGV[3]) else m = '' d = '' end
return {c, m, d}`;

/**
 * Removes both limits (`redis`: the queue's connection); returns exactly what it removed (nothing when none was set). Until
 * 2026-12-07 the limits were read, then removed by two more requests: a limit set in between
 * (another operator, a dashboard) was removed without being said, or, set between the two
 * removals, said removed and kept (test/production/queue-limits.test.ts).
 */
export async function clearLimits(queue: Queue, redis: Redis): Promise<QueueLimits> {
  const [c, max, duration] = (await redis.eval(CLEAR_LIMITS, 1, queue.keys.meta, 'concurrency', 'max', 'duration')) as [string, string, string];
  return { concurrency: c !== '' ? Number(c) : null, rateLimit: max !== '' ? { max: Number(max), duration: Number(duration) } : null };
}
