/**
 * `chorus-flux jobs --config <file>`: the flux queue at a glance — jobs by state, and the
 * failed ones with their file and reason, the nightly reconciliation's schedule (or that Redis
 * has none: no `watch` runs), and the nightly reconciliations that could not run.
 * Exit 0 when nothing failed, 1 when something did (for a monitoring check), 2 when the queue
 * cannot be read. A global concurrency or rate limit set on a queue is shown (not an exit 1:
 * it may be meant); `--clear-limits` removes it.
 */
import { loadConfig } from '../../config/config';
import { nightlyFailures, queueOverview, JOB_STATES, type NightlyFailures, type QueueOverview } from '../../queue/failed-jobs';
import { fluxQueue, FLUX_QUEUE, reconcileQueue } from '../../queue/flux-queue';
import { connectRedisOnce } from '../../queue/redis';
import { ONE_SHOT_REDIS_TIMEOUT_S, redisLost } from '../../queue/redis-lost';
import { redactRedisUrl } from '../../queue/redis-url';
import { NIGHTLY_RECONCILIATION } from '../../queue/nightly-schedule';
import { nightlyJobSettled } from '../../reconcile/missed-days';
import { clearLimits, hasLimits, limitsText, queueLimits } from '../../queue/queue-limits';
import { UsageError } from '../../util/usage-error';

/** BullMQ's reason for a job whose worker died on it more often than `maxStalledCount` allows. */
export const STALLED_TOO_OFTEN = 'job stalled more than allowable limit';

export interface JobsOptions {
  config?: string;
  json?: boolean;
  limit?: number;
  /** resume a paused queue first */
  resume?: boolean;
  /** remove a global concurrency or rate limit set on the queues first (queue-limits.ts) */
  clearLimits?: boolean;
  /** seconds Redis has to answer each request (ONE_SHOT_REDIS_TIMEOUT_S) */
  redisTimeout?: number;
}

/** The nightly reconciliation's schedule as Redis holds it; undefined when it holds none. */
export interface NightlySchedule {
  pattern?: string;
  tz?: string;
  /** the next run (ISO) */
  next?: string;
}

export function formatOverview(o: QueueOverview, nightly: NightlyFailures, where: string, configArg: string, schedule?: NightlySchedule): string {
  const lines = [`queue ${where}`, JOB_STATES.map((s) => `${s} ${o.counts[s]}`).join(' · ')];
  if (o.paused) lines.push(`the queue is PAUSED (from the dashboard?): no worker takes a job, files wait in processing/. Resume it: chorus-flux jobs --config ${configArg} --resume`);
  if (o.nightlyPaused) lines.push(`the nightly reconciliation's queue is PAUSED (from the dashboard?): no reconciliation runs. Resume it: chorus-flux jobs --config ${configArg} --resume`);
  for (const [what, l] of [['the queue', o.limits], ["the nightly reconciliation's queue", o.nightlyLimits]] as const) {
    if (l && hasLimits(l)) lines.push(`${what} has ${limitsText(l)}, set from a dashboard or a BullMQ client and kept in Redis across restarts: it holds back every worker whatever its --concurrency. Remove it: chorus-flux jobs --config ${configArg} --clear-limits`);
  }
  if (o.counts.failed === 0) lines.push('no failed job');
  else {
    lines.push('', `failed jobs, newest first${o.failed.length < o.counts.failed ? ` (${o.failed.length} of ${o.counts.failed}; --limit to see more)` : ''}:`);
    for (const j of o.failed) {
      lines.push(`  ${j.id}  ${j.file ?? '?'}  ${j.attempts} attempt(s)  ${j.failedAt ?? ''}${j.inProcessing ? '' : '  (file no longer in processing/)'}`);
      lines.push(`      ${j.reason}`);
    }
    lines.push('', `once the cause is fixed: chorus-flux retry --config ${configArg} --all   (or name the job ids)`);
    const stalled = o.failed.filter((j) => j.reason === STALLED_TOO_OFTEN);
    if (stalled.length > 0) {
      // their workers died on them (out of memory, a crash): a retry may end another worker
      lines.push(`jobs whose workers died on them (${STALLED_TOO_OFTEN}): retry them one at a time; a file that ends a worker again cannot be processed:`, `  chorus-flux set-aside --config ${configArg} --reason "<why, for the partner>" ${stalled.map((j) => j.id).join(' ')}`);
    }
  }
  lines.push(
    '',
    schedule
      ? `nightly reconciliation: scheduled (${schedule.pattern ?? '?'}${schedule.tz ? `, ${schedule.tz}` : ''})${schedule.next ? `, next at ${schedule.next}` : ''}`
      : 'nightly reconciliation: NOT scheduled in Redis — no `watch` runs against this Redis and prefix (watch schedules it at start, and again whenever Redis lost it)',
  );
  if (nightly.latest) {
    const l = nightly.latest;
    lines.push('', `nightly reconciliations that could not run: ${nightly.failed}; the latest${l.date ? ` (for ${l.date})` : ''}${l.failedAt ? ` at ${l.failedAt}` : ''}:`, `      ${l.reason}`, `  run it by hand once fixed: chorus-flux reconcile --config ${configArg}${l.date ? ` --date ${l.date}` : ' --date <day>'}`);
  }
  if (nightly.settled) lines.push('', `nightly reconciliations that could not run and whose days have their report since: ${nightly.settled} (not counted; the next night's run removes them)`);
  return `${lines.join('\n')}\n`;
}

export async function jobsCommand(opts: JobsOptions): Promise<number> {
  const config = loadConfig(opts.config);
  const timeoutMs = (opts.redisTimeout ?? ONE_SHOT_REDIS_TIMEOUT_S) * 1000;
  const redis = await connectRedisOnce(config.redis.url, undefined, timeoutMs).catch((e: Error) => {
    throw new UsageError(e.message);
  });
  const queue = fluxQueue(config, redis);
  const nightlyQueue = reconcileQueue(config, redis);
  // how far --resume went, for the message should Redis be lost on the way
  const toResume = opts.resume ? [queue, nightlyQueue] : [];
  const resumed: string[] = [];
  let at = 0; // the queue being looked at (toResume.length: all done)
  let sent = false; // its resume sent, not yet answered
  let lost = false;
  try {
    for (; at < toResume.length; at++) {
      const q = toResume[at];
      sent = false;
      if (!(await q.isPaused())) continue;
      sent = true;
      await q.resume();
      sent = false;
      resumed.push(q.name);
      process.stderr.write(`chorus-flux: the ${q.name} queue was paused: resumed, the workers take its jobs again\n`);
    }
    for (const q of opts.clearLimits ? [queue, nightlyQueue] : []) {
      const removed = await clearLimits(q, redis);
      if (hasLimits(removed)) process.stderr.write(`chorus-flux: the ${q.name} queue had ${limitsText(removed)}: removed, the workers take its jobs at their own concurrency again\n`);
    }
    const o = await queueOverview(queue, opts.limit ?? 50);
    // the nightly reconciliation's queue may be paused from the dashboard too: it would stop without a word
    o.nightlyPaused = await nightlyQueue.isPaused();
    o.nightlyLimits = await queueLimits(nightlyQueue);
    const nightly = await nightlyFailures(nightlyQueue, (job) => nightlyJobSettled(config, job));
    const s = await nightlyQueue.getJobScheduler(NIGHTLY_RECONCILIATION);
    const schedule: NightlySchedule | undefined = s ? { pattern: s.pattern ?? undefined, tz: s.tz ?? undefined, next: s.next ? new Date(s.next).toISOString() : undefined } : undefined;
    if (opts.json) process.stdout.write(`${JSON.stringify({ ...o, nightly, schedule: schedule ?? null }, null, 2)}\n`);
    else process.stdout.write(formatOverview(o, nightly, `${FLUX_QUEUE} (prefix ${config.redis.prefix}) at ${redactRedisUrl(config.redis.url)}`, opts.config ?? '<file>', schedule));
    return o.counts.failed > 0 || nightly.failed > 0 || o.paused || o.nightlyPaused ? 1 : 0;
  } catch (e) {
    const l = redisLost(e, config.redis.url, timeoutMs);
    if (!l) throw e;
    lost = true;
    // the limits are removed after any resume; removing them again is harmless
    const limitsToo = opts.clearLimits ? '; the queues\' limits may not have been removed: run `chorus-flux jobs --clear-limits` again once Redis answers' : '';
    if (!opts.resume) throw l.saying(`the queue could not be read${limitsToo}`);
    // each queue said: resumed, its resume in doubt (sent, unanswered: Redis may run it), or not tried
    const said = [
      ...resumed.map((n) => `the ${n} queue resumed`),
      ...toResume.slice(at).map((q, i) => (i === 0 && sent ? `the resume of the ${q.name} queue was sent, unanswered: it may take effect once Redis answers` : `the ${q.name} queue not resumed (not tried: paused if it was)`)),
    ];
    throw l.saying(`${[...said, 'the queue could not be read'].join('; ')}; run \`chorus-flux jobs --resume\` again once Redis answers${limitsToo}`);
  } finally {
    // Redis lost: its requests unanswered are dropped, not waited for (a quit would wait its deadline again)
    if (lost) redis.disconnect();
    await Promise.all([queue.close(), nightlyQueue.close()].map((p) => p.catch(() => undefined)));
    if (!lost) await redis.quit().catch(() => undefined);
  }
}
