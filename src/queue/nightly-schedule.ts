/**
 * The nightly reconciliation's BullMQ Job Scheduler, kept registered while `watch` runs.
 *
 * The schedule lives in Redis only. A Redis that restarts without its data (as a server
 * without persistence does), or a FLUSHALL, takes it away while `watch` runs on: the flux
 * jobs come back through the rescan, but no reconciliation would run again until `watch`
 * was restarted, and nothing would say so. So `watch` looks for it at every rescan and
 * registers it again when it is gone.
 */
import type { Queue } from 'bullmq';
import type { Config } from '../config/config';

/** The Job Scheduler's id in the `reconcile` queue. */
export const NIGHTLY_RECONCILIATION = 'nightly-reconciliation';

/** Registers (or updates) the schedule with the configured cron and time zone. */
export async function registerNightlySchedule(queue: Queue, config: Config): Promise<void> {
  await queue.upsertJobScheduler(NIGHTLY_RECONCILIATION, { pattern: config.reconcile.cron, tz: config.timezone }, { name: 'reconcile', data: {} });
}

/**
 * Registers the schedule again when Redis no longer has it; true when it had to. Redis
 * errors are thrown (the caller's Redis error reporting says them).
 */
export async function restoreNightlySchedule(queue: Queue, config: Config): Promise<boolean> {
  if (await queue.getJobScheduler(NIGHTLY_RECONCILIATION)) return false;
  await registerNightlySchedule(queue, config);
  return true;
}
