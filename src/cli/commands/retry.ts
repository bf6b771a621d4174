/**
 * `chorus-flux retry --config <file> (--all | <job id>…)`: queue failed flux jobs again once
 * their cause is fixed; each gets its full `worker.attempts` again. A job whose file was
 * finished meanwhile is taken off the failed list; one whose file is gone without an outcome
 * is left as it is and named. Exit 0 when every job named was retried, found queued (retried
 * before: the command run again), found retried meanwhile by another retry and failed again
 * since `--all` listed it (two operators at once: not run a second time), or found finished,
 * 1 when some could not be, 2 when the queue cannot be read, or Redis was lost on the way
 * (redis-lost.ts: said which jobs were retried, which one is in doubt, which were not tried).
 * A job retried whose `requeued` line cannot be journaled is `retried` all the same: its record
 * under state/retries-in-doubt/ stays, and the worker that takes the job journals the retry.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../../config/config';
import { Journal } from '../../journal/journal';
import { statePaths } from '../../runner/deps';
import { systemClock } from '../../util/clock';
import { failedJobsListed, retryFailedJob, type ListedFailure, type RetryOptions as FailedJobRetryOptions, type RetryReport } from '../../queue/failed-jobs';
import { fluxQueue, type FluxJobData } from '../../queue/flux-queue';
import { contentOfGoneJob } from '../../queue/gone-job-content';
import { ownJournaledOutcome } from '../../runner/own-outcome';
import { connectRedisOnce } from '../../queue/redis';
import { ONE_SHOT_REDIS_TIMEOUT_S, redisLost } from '../../queue/redis-lost';
import { untilRedisLost } from '../../queue/until-redis-lost';
import { clearRetryInDoubt, recordRetryInDoubt } from '../../queue/retry-seen';
import { withFileLock } from '../../state/file-lock';
import { ProcessedFiles } from '../../state/processed-files';
import { UsageError } from '../../util/usage-error';

export interface RetryOptions {
  config?: string;
  all?: boolean;
  json?: boolean;
  /** seconds Redis has to answer each request (ONE_SHOT_REDIS_TIMEOUT_S) */
  redisTimeout?: number;
}

export async function retryCommand(ids: string[], opts: RetryOptions): Promise<number> {
  if (!opts.all && ids.length === 0) throw new UsageError('name the failed jobs to retry (their ids, as `chorus-flux jobs` lists them), or give --all');
  if (opts.all && ids.length > 0) throw new UsageError('give either --all or job ids, not both');
  const config = loadConfig(opts.config);
  const timeoutMs = (opts.redisTimeout ?? ONE_SHOT_REDIS_TIMEOUT_S) * 1000;
  const redis = await connectRedisOnce(config.redis.url, undefined, timeoutMs).catch((e: Error) => {
    throw new UsageError(e.message);
  });
  const lostOf = (e: unknown) => redisLost(e, config.redis.url, timeoutMs);
  let lost = false;
  const queue = fluxQueue(config, redis);
  const processed = new ProcessedFiles(config.paths.state);
  // who queued it again and when, for trace: the journal had the failures, then a bare `received`
  const journal = new Journal({ dir: statePaths(config).journal, clock: systemClock, timezone: config.timezone });
  try {
    // --all retries the failures it lists: one failed again by the time it is reached was retried meanwhile
    const todo: ListedFailure[] = opts.all
      ? await failedJobsListed(queue).catch((e: unknown) => {
          const l = lostOf(e);
          if (!l) throw e;
          lost = true;
          throw l.saying('the failed jobs could not be listed; nothing retried');
        })
      : ids.map((id) => ({ id }));
    const listedAt = new Map(todo.map((j) => [j.id, j.failedAt]));
    const said = (r: RetryReport) => {
      if (!opts.json) process.stdout.write(`${r.result.padEnd(10)} ${r.id}  ${r.file ?? ''}  ${r.detail}\n`);
    };
    const done = await untilRedisLost(
      todo.map((j) => j.id),
      (id) =>
        retryFailedJob(queue, id, retryJobOptions(config, journal, processed, id), listedAt.get(id)),
      said,
      lostOf,
    );
    const reports = done.reports;
    lost = done.lost !== undefined;
    const count = (result: RetryReport['result']) => reports.filter((r) => r.result === result).length;
    // run again (a script stopped half-way), a job retried the first time is queued or finished: done
    const bad = reports.filter((r) => !['retried', 'already-queued', 'retried-meanwhile', 'finished', 'in-doubt', 'not-tried'].includes(r.result));
    const queued = count('already-queued'); // said only when some were (the line scripts knew is unchanged)
    const meanwhile = count('retried-meanwhile');
    const inDoubt = reports.filter((r) => r.result === 'in-doubt').map((r) => r.id);
    const cut = done.lost ? `, ${inDoubt.length ? `${inDoubt.length} in doubt, ` : ''}${count('not-tried')} not tried: ${done.lost.short}` : '';
    if (opts.json) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
    else process.stdout.write(`${count('retried')} retried, ${queued ? `${queued} already queued, ` : ''}${meanwhile ? `${meanwhile} retried meanwhile by another retry, ` : ''}${count('finished')} already finished, ${bad.length} not retried${cut}\n`);
    if (done.lost) throw done.lost.saying(`${count('retried')} retried, ${inDoubt.length ? `${inDoubt.length} in doubt (${inDoubt.join(', ')}: it may be queued once Redis answers), ` : ''}${count('not-tried')} not tried; run the same command again once Redis answers`);
    return bad.length > 0 ? 1 : 0;
  } finally {
    await journal.close().catch(() => undefined);
    // Redis lost: its requests unanswered are dropped, not waited for (a quit would wait its deadline again)
    if (lost) redis.disconnect();
    await queue.close().catch(() => undefined);
    if (!lost) await redis.quit().catch(() => undefined);
  }
}

/** What `retry` gives retryFailedJob for job `id` (exported for the tests that interleave another command with it). */
export function retryJobOptions(config: Config, journal: Journal, processed: ProcessedFiles, id: string): FailedJobRetryOptions {
  return {
    processingDir: config.paths.processing,
    outcomeOf: async (sha) => (await processed.get(sha))?.outcome,
    contentOfGoneJob: contentOfGoneJob(processed),
    // (a retry of it left in doubt before never ran, the job still failed: its record is replaced)
    sending: (jobId, before, sentAt) => recordRetryInDoubt(config.paths.state, jobId, { failed: before, sentAt, sending: true }),
    sent: (jobId) => clearRetryInDoubt(config.paths.state, jobId),
    retried: async (d: FluxJobData, before: string) => {
      await journal.append({ event: 'requeued', sha256: d.sha256, file: d.relPath, partner: d.partner, claimId: d.claimId, processing: path.relative(config.paths.out, d.path).split(path.sep).join('/'), by: 'retry', failed: before });
    },
    // unanswered: recorded for the worker that runs it, should Redis have (retry-seen.ts)
    inDoubt: (jobId, _d, before, sentAt) => recordRetryInDoubt(config.paths.state, jobId, { failed: before, sentAt }),
    // the worker that takes the job looks for that record under the same lock
    underContentLock: (sha, fn) => underContentLock(config, sha, fn),
    // a set-aside interrupted after its refusal may have gone out: what the worker will do instead of processing the file
    refusalOf: async (sha) => ((await processed.get(sha)) ? undefined : processed.getAttempt(sha)?.refusal?.message),
    // the file's own outcome, journaled (as the worker tells a job it finished before it died: worker.ts)
    ownOutcomeOf: (d) => ownJournaledOutcome(processed, d, config.receiptTime),
    removeClaimed: (d) =>
      fs.unlink(d.path).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      }),
  };
}

/**
 * `fn` under the content's lock, as the worker takes it. A lock that cannot be taken at all (an
 * operator without write access to state/, a read-only mount: `retry` needs Redis alone) leaves
 * the retry as it was before the lock: done all the same, only a retry left in doubt cannot be
 * recorded (said on its line).
 */
async function underContentLock<T>(config: Config, sha256: string, fn: () => Promise<T>): Promise<T> {
  let ran = false;
  try {
    return await withFileLock(
      path.join(config.paths.state, 'locks', `${sha256}.lock`),
      () => {
        ran = true;
        return fn();
      },
      { staleMs: Math.max(120_000, config.worker.lockDurationMs * 4), timeoutMs: 10 * 60_000 },
    );
  } catch (e) {
    if (ran || !['EACCES', 'EPERM', 'EROFS'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    return fn();
  }
}
