/**
 * When a cron pattern runs, in a time zone, as one chain: each run the parser's next() from the
 * run before (BullMQ finds a scheduler's runs so). Asked from any other instant, the parser
 * disagrees on the nights the clock changes (02:30 in Europe/Paris): from 03:00–03:30 summer
 * time on the spring night, next() skips that night's 03:30 run for the next night's; from
 * 02:00–02:30 winter time on the autumn night, it gives the second 02:30 of a night that has
 * run at the first; and prev() names the day before on the spring day. So every question
 * walks the chain from two runs back, and BullMQ is given the same answer (a `watch` started
 * in those half hours moved the spring night to the next, or ran the autumn night twice).
 */
import type { RepeatStrategy } from 'bullmq';
import { CronExpressionParser } from 'cron-parser';

function* runsAround(pattern: string, tz: string | undefined, t: number): Generator<number> {
  const back = CronExpressionParser.parse(pattern, { tz, currentDate: new Date(t) });
  back.prev();
  for (let r = back.prev().getTime(); ; r = CronExpressionParser.parse(pattern, { tz, currentDate: new Date(r) }).next().getTime()) yield r;
}

/** The last run strictly before `t` (ms). */
export function lastRunBefore(pattern: string, tz: string | undefined, t: number): number {
  let last = NaN;
  for (const r of runsAround(pattern, tz, t)) {
    if (r >= t) return last;
    last = r;
  }
  return last;
}

/** The first run strictly after `t` (ms). */
export function nextRunAfter(pattern: string, tz: string | undefined, t: number): number {
  for (const r of runsAround(pattern, tz, t)) if (r > t) return r;
  return NaN;
}

/** BullMQ's repeat strategy for the nightly scheduler: upserted by `watch`, renewed by a worker after each run. */
export const nightlyRepeatStrategy: RepeatStrategy = (millis, opts) => (opts.pattern ? nextRunAfter(opts.pattern, opts.tz, millis) : undefined);
