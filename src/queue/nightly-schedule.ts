/**
 * The nightly reconciliation's BullMQ Job Scheduler, kept registered while `watch` runs.
 *
 * The schedule lives in Redis only. A Redis that restarts without its data (as a server
 * without persistence does), or a FLUSHALL, takes it away while `watch` runs on: the flux
 * jobs come back through the rescan, but no reconciliation would run again until `watch`
 * was restarted, and nothing would say so. So `watch` looks for it at every rescan and
 * registers it again when it is gone.
 *
 * The night's job itself went with the data too. Lost before it ran (Redis down, or restarted
 * empty, across the night's time), nothing reconciled that night until the next one caught it
 * up, a day late. So a schedule registered again also queues a catch-up at once when the last
 * night's time has passed without the report it was due to write.
 */
import type { Queue } from 'bullmq';
import type { Config } from '../config/config';
import { missedDays } from '../reconcile/missed-days';
import { dayOf } from '../util/clock';
import { lastRunBefore } from './nightly-runs';

/** The Job Scheduler's id in the `reconcile` queue. */
export const NIGHTLY_RECONCILIATION = 'nightly-reconciliation';

/** Registers (or updates) the schedule with the configured cron and time zone. */
export async function registerNightlySchedule(queue: Queue, config: Config): Promise<void> {
  await queue.upsertJobScheduler(NIGHTLY_RECONCILIATION, { pattern: config.reconcile.cron, tz: config.timezone }, { name: 'reconcile', data: {} });
}

/** The data of a catch-up job: the days before `catchUpBefore` left without a report (runner/worker.ts). */
export interface CatchUpJobData {
  catchUpBefore: string;
}

/** The time of the schedule's last run before `now`: the night whose report is due, and the time BullMQ names its job after. */
export function lastNightTime(config: Config, now: Date): Date {
  return new Date(lastRunBefore(config.reconcile.cron, config.timezone, now.getTime()));
}

/**
 * The days the last night's run (the schedule's last time before `now`) was due to reconcile and
 * found without a report: that day and the earlier ones it catches up; with the day the night
 * fell on, which a catch-up reconciles the days before. None when the report is there.
 */
export function missedNight(config: Config, now = new Date()): { night: string; days: string[] } | undefined {
  const night = dayOf(lastNightTime(config, now), config.timezone);
  const days = missedDays(config, night);
  return days.length > 0 ? { night, days } : undefined;
}

/** Why a catch-up of the last night was queued. */
export type CatchUpCause = 'lost' | 'failed';

/** Queues the catch-up of a night (one per night, whatever its cause: its job id says which). */
async function queueCatchUp(queue: Queue, night: string): Promise<boolean> {
  const id = `catch-up-${night}`;
  if (await queue.getJob(id)) return false; // tried already: a catch-up that fails is not tried again
  await queue.add('reconcile', { catchUpBefore: night } satisfies CatchUpJobData, { jobId: id });
  return true;
}

/**
 * Registers the schedule again when Redis no longer has it, and queues a catch-up of the last
 * night when its report is missing (one per night: its job id says which). With the schedule in
 * place, a night whose job failed (its worker killed twice, so BullMQ gave it up as stalled; a
 * reconciliation that could not run) and left no report is caught up the same way, once: until
 * 2026-12-07 the next night reconciled it, a day late. Redis errors are thrown (the caller's
 * Redis error reporting says them). `now`: the system clock unless a test places it.
 */
export async function restoreNightlySchedule(queue: Queue, config: Config, now?: Date): Promise<{ restored: boolean; caughtUp?: { night: string; days: string[]; cause: CatchUpCause } }> {
  if (await queue.getJobScheduler(NIGHTLY_RECONCILIATION)) {
    // the scheduler names its jobs after their time (BullMQ's `repeat:<id>:<millis>`): the last
    // night's is looked up in Redis first, the disk read only once it is known to have failed
    const last = lastNightTime(config, now ?? new Date());
    if ((await queue.getJobState(`repeat:${NIGHTLY_RECONCILIATION}:${last.getTime()}`)) !== 'failed') return { restored: false };
    const missed = missedNight(config, now ?? new Date());
    if (!missed || !(await queueCatchUp(queue, missed.night))) return { restored: false };
    return { restored: false, caughtUp: { ...missed, cause: 'failed' } };
  }
  await registerNightlySchedule(queue, config);
  // judged now, not when asked: a question sent as Redis went down is answered once it is back
  const missed = missedNight(config, now ?? new Date());
  if (missed && !(await queueCatchUp(queue, missed.night))) return { restored: true };
  return { restored: true, caughtUp: missed && { ...missed, cause: 'lost' } };
}
