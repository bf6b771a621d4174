/**
 * `chorus-flux retry --config <file> (--all | <job id>…)`: queue failed flux jobs again once
 * their cause is fixed; each gets its full `worker.attempts` again. A job whose file was
 * finished meanwhile is taken off the failed list; one whose file is gone without an outcome
 * is left as it is and named. Exit 0 when every job named was retried, found queued (retried
 * before: the command run again), found retried meanwhile by another retry and failed again
 * since `--all` listed it (two operators at once: not run a second time), or found finished,
 * 1 when some could not be, 2 when the queue cannot be read.
 */
import path from 'node:path';
import { loadConfig } from '../../config/config';
import { Journal } from '../../journal/journal';
import { statePaths } from '../../runner/deps';
import { systemClock } from '../../util/clock';
import { failedJobsListed, retryFailedJob, type ListedFailure, type RetryReport } from '../../queue/failed-jobs';
import { fluxQueue, type FluxJobData } from '../../queue/flux-queue';
import { contentOfGoneJob } from '../../queue/gone-job-content';
import { connectRedisOnce } from '../../queue/redis';
import { ProcessedFiles } from '../../state/processed-files';
import { UsageError } from '../../util/usage-error';

export interface RetryOptions {
  config?: string;
  all?: boolean;
  json?: boolean;
}

export async function retryCommand(ids: string[], opts: RetryOptions): Promise<number> {
  if (!opts.all && ids.length === 0) throw new UsageError('name the failed jobs to retry (their ids, as `chorus-flux jobs` lists them), or give --all');
  if (opts.all && ids.length > 0) throw new UsageError('give either --all or job ids, not both');
  const config = loadConfig(opts.config);
  const redis = await connectRedisOnce(config.redis.url).catch((e: Error) => {
    throw new UsageError(e.message);
  });
  const queue = fluxQueue(config, redis);
  const processed = new ProcessedFiles(config.paths.state);
  // who queued it again and when, for trace: the journal had the failures, then a bare `received`
  const journal = new Journal({ dir: statePaths(config).journal, clock: systemClock, timezone: config.timezone });
  const retried = async (d: FluxJobData, before: string): Promise<void> => {
    await journal.append({ event: 'requeued', sha256: d.sha256, file: d.relPath, partner: d.partner, claimId: d.claimId, processing: path.relative(config.paths.out, d.path).split(path.sep).join('/'), by: 'retry', failed: before });
  };
  try {
    // --all retries the failures it lists: one failed again by the time it is reached was retried meanwhile
    const todo: ListedFailure[] = opts.all ? await failedJobsListed(queue) : ids.map((id) => ({ id }));
    const reports: RetryReport[] = [];
    for (const { id, failedAt } of todo) {
      const r = await retryFailedJob(queue, id, { processingDir: config.paths.processing, outcomeOf: async (sha) => (await processed.get(sha))?.outcome, contentOfGoneJob: contentOfGoneJob(processed), retried }, failedAt);
      reports.push(r);
      if (!opts.json) process.stdout.write(`${r.result.padEnd(10)} ${r.id}  ${r.file ?? ''}  ${r.detail}\n`);
    }
    // run again (a script stopped half-way), a job retried the first time is queued or finished: done
    const bad = reports.filter((r) => r.result !== 'retried' && r.result !== 'already-queued' && r.result !== 'retried-meanwhile' && r.result !== 'finished');
    const queued = reports.filter((r) => r.result === 'already-queued').length; // said only when some were (the line scripts knew is unchanged)
    const meanwhile = reports.filter((r) => r.result === 'retried-meanwhile').length;
    if (opts.json) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
    else process.stdout.write(`${reports.filter((r) => r.result === 'retried').length} retried, ${queued ? `${queued} already queued, ` : ''}${meanwhile ? `${meanwhile} retried meanwhile by another retry, ` : ''}${reports.filter((r) => r.result === 'finished').length} already finished, ${bad.length} not retried\n`);
    return bad.length > 0 ? 1 : 0;
  } finally {
    await journal.close().catch(() => undefined);
    await queue.close();
    await redis.quit().catch(() => undefined);
  }
}
