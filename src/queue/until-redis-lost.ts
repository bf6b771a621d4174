/**
 * The jobs `retry` and `set-aside` name, taken one by one until Redis is lost (redis-lost.ts):
 * then the command stops there — each further job would wait the whole deadline again — and
 * says of every job what became of it: done, in doubt (its change sent, unanswered: Redis may
 * run it once it answers again), or not tried (untouched). A report says only what happened;
 * the command journals only what Redis confirmed (a retry in doubt that Redis ran is journaled
 * by the worker that runs it: retry-seen.ts).
 */
import type { RedisLost } from './redis-lost';

export interface JobReport {
  id: string;
  file?: string;
  result: string;
  detail: string;
}

/** Redis lost while a job was being changed: what is known of that job (thrown by failed-jobs.ts with the request's error). */
export class RedisLostAtJob<R extends JobReport = JobReport> extends Error {
  constructor(
    override readonly cause: unknown,
    readonly report: R,
  ) {
    super((cause as Error)?.message ?? String(cause));
  }
}

export interface UntilLost<R> {
  reports: R[];
  /** Redis was lost: the last reports are `not-tried` */
  lost?: RedisLost;
}

/**
 * `act` on each id in turn, `said` told of each report as it comes. An error that is not Redis
 * lost (`lostOf` says undefined) is thrown as it is.
 */
export async function untilRedisLost<R extends JobReport>(ids: readonly string[], act: (id: string) => Promise<R>, said: (r: R) => void, lostOf: (e: unknown) => RedisLost | undefined): Promise<UntilLost<R>> {
  const reports: R[] = [];
  const push = (r: R) => {
    reports.push(r);
    said(r);
  };
  for (let i = 0; i < ids.length; i++) {
    let r: R;
    try {
      r = await act(ids[i]);
    } catch (e) {
      const atJob = e instanceof RedisLostAtJob ? (e as RedisLostAtJob<R>) : undefined;
      const lost = lostOf(atJob ? atJob.cause : e);
      if (!lost) throw e;
      if (atJob) push(atJob.report);
      for (const id of ids.slice(atJob ? i + 1 : i)) push({ id, result: 'not-tried', detail: `left as it is: ${lost.short} before it was tried` } as R);
      return { reports, lost };
    }
    push(r);
  }
  return { reports };
}
