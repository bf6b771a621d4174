/**
 * A queue's global limits: a concurrency or a rate limit set on the queue itself (from a
 * dashboard, or any BullMQ client: `setGlobalConcurrency`, `setGlobalRateLimit`). Kept in Redis
 * across restarts, as a pause is, they hold back every worker whatever its own concurrency.
 * chorus-flux never sets one: `jobs` shows them, `jobs --clear-limits` removes them, and each
 * process exports them on /metrics (`chorus_flux_queue_global_concurrency`,
 * `chorus_flux_queue_global_rate_limit_per_second`), where an operator's alert can see them.
 */
import type { Queue } from 'bullmq';

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

/** Removes both limits; returns what was set before (nothing removed when none was). */
export async function clearLimits(queue: Queue): Promise<QueueLimits> {
  const before = await queueLimits(queue);
  if (before.concurrency !== null) await queue.removeGlobalConcurrency();
  if (before.rateLimit !== null) await queue.removeGlobalRateLimit();
  return before;
}
