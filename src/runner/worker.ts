/**
 * The distributed runner's worker (`chorus-flux worker`): a BullMQ Worker running the same
 * `processFile` as the embedded runner on claimed files, in a thread of its own (job-threads.ts).
 *
 * - Bad input never throws: processFile refuses it (error/ + reason) and the job completes.
 * - A system failure (I/O, Redis) throws: BullMQ retries with exponential backoff.
 * - A job that can never succeed (payload outside the processing area, file gone without an
 *   outcome) fails at once with UnrecoverableError, and stays visible in the failed list.
 * - The claimed file is deleted only after its outcome is journaled and marked; a crash
 *   before that leaves it in processing/ for the watcher's rescan. A per-content lock keeps
 *   two workers from working on the same file at once after a Redis reset.
 */
import { DelayedError, Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { existsSync, promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/config';
import { FLUX_KINDS } from '../model/flux';
import type { Metrics } from '../ops/metrics';
import { createRedis } from '../queue/redis';
import { FLUX_QUEUE, RECONCILE_QUEUE, type FluxJobData } from '../queue/flux-queue';
import { nightlyRepeatStrategy } from '../queue/nightly-runs';
import type { CatchUpJobData } from '../queue/nightly-schedule';
import { reconcileDay, type ReconcileDayResult } from '../reconcile/reconcile-day';
import { missedDays, nightlyJobSettled } from '../reconcile/missed-days';
import { pruneProcessedMarks } from '../state/prune-marks';
import { waitingContents } from '../state/waiting-contents';
import { withFileLock } from '../state/file-lock';
import { RedisIdSequence } from '../state/redis-id-sequence';
import { VERSION } from '../version';
import { sweepOutboxes } from '../emit/sweep';
import { maxOpenPerFile, setMaxOpenPerBatch } from '../emit/write-batch';
import { openFilesLimit } from '../util/open-files-limit';
import { RedisTrouble, reportRedisErrors, reportRedisReady } from '../queue/redis-trouble';
import { VanishedJobs } from '../queue/vanished-job';
import { RedisAtStop, unlessGivenUp, type StoppableConnection } from '../queue/redis-at-stop';
import { watchRedisAnswers } from '../queue/redis-answers';
import { clearRetryBeingJournaled, clearRetryInDoubt, clearRetryMarks, jobKey, makeRetriesInDoubtDir, markFailedForGood, readRetryBeingJournaled, readRetryInDoubt, readRetryMarks, recordRetryBeingJournaled, sweepRetryRecords } from '../queue/retry-seen';
import { readJournalDay } from '../journal/journal';
import { dayOf } from '../util/clock';
import { fluxQueue, reconcileQueue } from '../queue/flux-queue';
import { firstLine, forgetSettledNightlies } from '../queue/failed-jobs';
import { createDeps, statePaths } from './deps';
import { JobThread } from './job-threads';
import type { FileResult, InboundFile, PipelineDeps, ProcessFileOptions } from './process-file';
import { jobOutcome, type JobOutcome } from './job-outcome';
import { InFlightBudget, sizeOnDisk } from './in-flight-budget';
import { ownJournaledOutcome } from './own-outcome';
import { faultPoint } from '../util/fault';
import { within } from '../util/path-within';
import { heldByOlderVersion } from '../state/older-holder';
import { ConfigSkewGuard, type SkewState } from './config-skew';

export interface WorkerOptions {
  config: Config;
  logger: Logger;
  metrics?: Metrics;
  concurrency?: number;
  /** Redis's state as this worker sees it. Default: its own */
  trouble?: RedisTrouble;
  /** other connections of the process (its metrics'), given up on with the worker's when it stops while Redis cannot be reached */
  alsoGiveUp?: Redis[];
  /**
   * Where files are processed. Default 'thread': a thread of their own, so that the main thread
   * stays free for lock renewals, signals and /healthz. 'main': on the main thread (a test that
   * changes the pipeline in place).
   */
  processIn?: 'thread' | 'main';
  /**
   * Called as the worker is about to take jobs (its BullMQ workers made, autorun: they take one
   * as soon as Redis answers, before the start has ended): from here a stop must finish a job
   * in hand, not just exit (`worker`'s Shutdown)
   */
  onTakingWork?: () => void;
}

export interface RunningWorker {
  worker: Worker<FluxJobData, unknown>;
  deps: PipelineDeps;
  /** Redis's state as this worker sees it (for /healthz) */
  trouble: RedisTrouble;
  /** whether its stop gave Redis up (redis-at-stop.ts): the errors that causes are no Redis trouble */
  givenUp(): boolean;
  /** its configuration against the watcher's (config-skew.ts): what differs, for /healthz, while it does */
  configSkew(): Record<string, unknown> | undefined;
  configState(): SkewState;
  /**
   * stops taking jobs, waits for the running ones up to `timeoutMs`, then closes everything;
   * 'redis-down': Redis could not be reached and no file was in hand, so what was left waited
   * on Redis alone and was given up at once (redis-at-stop.ts)
   */
  close(timeoutMs: number): Promise<'drained' | 'forced' | 'redis-down'>;
}

/**
 * Whether the claimed file is still in processing/. Only "no such file" says it is gone: a
 * folder that cannot be read for a while (permissions, a stale NFS handle) fails the attempt,
 * retried, where it failed the job for good as "gone and has no outcome" with the file there.
 */
function claimedFileThere(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw new Error(`cannot tell whether the claimed file ${p} is still there (${code ?? (e as Error).message}): the attempt is retried`);
  }
}

export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const { config, logger, metrics } = opts;
  // BullMQ retries what Redis refused, every few seconds: one line per kind of trouble (and a
  // reminder each minute it lasts), not one per retry
  const trouble = opts.trouble ?? new RedisTrouble();
  const connection = createRedis({ url: config.redis.url, blocking: true });
  const idRedis = createRedis({ url: config.redis.url });
  // what the stop's giving up on Redis rejects is not Redis trouble (redis-at-stop.ts)
  let givenUp = () => false;
  for (const c of [connection, idRedis]) {
    c.on('error', unlessGivenUp(() => givenUp(), reportRedisErrors(trouble, logger, metrics, 'worker connection')));
    c.on('ready', reportRedisReady(trouble, logger, 'worker'));
  }
  // a Redis silent on an open connection raises no error: asked once a second (redis-answers.ts),
  // or /healthz said 200 for as long as it lasted and a stop waited for it until the bound
  const answers = watchRedisAnswers(idRedis, trouble, logger, metrics, 'worker');
  // the job holds the content's lock itself (below), around the file check and the removal too
  // files are processed in a thread of their own (below) unless a test asks for this one
  // CHORUS_FLUX_WORKER_THREAD=0: on the main thread, as before (to compare, bench/scale.ts)
  const processIn = opts.processIn ?? (process.env.CHORUS_FLUX_WORKER_THREAD === '0' ? 'main' : 'thread');
  // this thread's deps journal, read marks and hold the content's lock; the thread has its own to
  // process files. Without Factur-X's maker here: it loaded the generator (pdf-lib, fontkit and its
  // fonts inflated) on a thread that never makes one, 0.1-0.2 s of CPU at every worker start
  const deps = createDeps(config, { logger, ids: undefined, contentLocks: false, optionalFeatures: processIn === 'main' });
  deps.ids = new RedisIdSequence({ redis: idRedis, prefix: config.redis.prefix, dir: statePaths(config).ids, writerId: deps.journal.writerId });
  const swept = await sweepOutboxes(config);
  if (swept > 0) logger.warn({ swept }, 'removed temporary files left by crashed writers');
  await deps.journal.append({ event: 'start', mode: 'worker', version: VERSION, config: config.source });
  const locks = path.join(config.paths.state, 'locks');
  await makeRetriesInDoubtDir(config.paths.state);
  // the input bytes of the jobs in flight, as `run` bounds them: concurrency alone let eight
  // large flows run at once (several GB, the process killed, the jobs retried: a crash loop)
  const budget = new InFlightBudget(Math.max(1, Math.round(config.worker.maxInFlightMb * 1024 * 1024)));

  // aborted when the worker closes: the jobs that have not begun their file go back to the queue
  const stopping = new AbortController();
  // jobs whose file (or nightly reconciliation) is being worked on: a stop waits for them, Redis down or not
  let filesInHand = 0;
  const handBack = async (job: Job<FluxJobData>, token: string | undefined): Promise<never> => {
    // waiting for room (or taken just as the worker closed), nothing read nor written: back in the
    // queue at once, no attempt nor stall counted. Left to run out at the shutdown bound, its lock
    // expired and BullMQ counted a stall: a second one failed the job for good (`retry` by hand)
    await job.moveToDelayed(Date.now(), token);
    logger.info({ jobId: job.id, file: job.data.relPath }, 'stopping: job handed back to the queue before its file was read');
    throw new DelayedError();
  };

  // the failures the processor journaled itself; the others BullMQ made without running it (a job
  // stalled more than allowable limit, failed when next taken) are journaled by the 'failed' handler
  const journaledFailures = new WeakSet<object>();
  // what each job did, for the line said when Redis lost the job's record meanwhile (vanished-job.ts)
  const vanished = new VanishedJobs((id) => ({ subject: `job ${id}`, stands: "what it did stands on disk: its file's outcome is journaled, or the file waits in processing/, where the watcher's rescan queues it again", level: 'info' }));
  const processor = async (job: Job<FluxJobData>, token?: string): Promise<Pick<FileResult, 'outcome' | 'sha256'>> => {
    const d = job.data;
    // an id taken whose record Redis had evicted (job-places.ts): BullMQ made a record of nothing
    // (processedOn alone) and handed it over without data. Failed for good, as it was until
    // 2026-12-07, that stub held the file in processing/ for ever (a record, the rescan took it for
    // its job). It is removed, and the rescan queues the file again; nothing read nor written
    if (d === undefined || d === null || (typeof d === 'object' && Object.keys(d).length === 0)) {
      const removed = await removeStub(job, token);
      if (removed) {
        logger.warn({ jobId: job.id, ...(trouble.evictionPolicy ? { maxmemoryPolicy: trouble.evictionPolicy } : {}) }, `job ${job.id} was taken without its record (Redis evicted it while its id waited in the queue${trouble.evictionPolicy && trouble.evictionPolicy !== 'noeviction' ? `: maxmemory-policy ${trouble.evictionPolicy}` : ''}): nothing read nor done; the record BullMQ made of it was removed, and the watcher's rescan queues its file again`);
        throw new DelayedError();
      }
    }
    if (!d || typeof d.path !== 'string' || !within(path.resolve(d.path), config.paths.processing)) {
      throw new UnrecoverableError(`job ${job.id} names a file outside the processing area: ${d?.path}`);
    }
    // taken as the configuration was found to differ (the pause lets a fetch under way end):
    // back to the queue untouched, for a worker whose configuration matches the watcher's
    if (skew.holdsBack()) {
      await job.moveToDelayed(Date.now(), token);
      logger.info({ jobId: job.id, file: d.relPath }, "job handed back to the queue before its file was read: this worker's configuration differs from the watcher's");
      throw new DelayedError();
    }
    // a file once, at its first start, whatever that start meets: counted once the lock was taken,
    // a first attempt that could not take it (state/ full or unreachable) left the file received
    // by no attempt. A retry, or a start again after its worker died, is no new file; a job
    // queued again by `retry` starts over
    if (job.attemptsStarted <= 1) metrics?.filesReceived.inc({ partner: d.partner });
    // the file's bytes wait for room among the jobs in flight (in-flight-budget.ts); BullMQ
    // renews the job's lock meanwhile (its lock manager renews every job taken until it ends),
    // and the content's lock is not held yet
    const size = sizeOnDisk(d.path);
    if (!(await budget.acquire(size, stopping.signal))) return handBack(job, token);
    filesInHand++;
    let grown = 0; // a Factur-X's inflated XML, released with the file, counted now or once granted
    const asked: { extra: number; withdraw: () => boolean }[] = [];
    const holds = (bytes: number): Promise<void> | undefined => {
      const extra = Math.max(0, bytes - size - grown);
      const g = budget.grow(extra);
      grown += extra;
      if (g.now) return undefined;
      asked.push({ extra, withdraw: g.withdraw });
      return g.granted;
    };
    try {
      const done = await processClaimed(job, holds, job.attemptsStarted > 1);
      vanished.end(job.id, { subject: `job ${job.id} (${d.relPath})`, stands: `nothing to do, its outcome (${done.outcome}) stands, journaled and marked on disk`, level: 'info' });
      return done;
    } catch (e) {
      // the attempt failed (I/O, Redis, the lock): journaled, so that `trace` and the
      // reconciliation say why, and counted, whatever step failed; then retried by BullMQ
      const attempts = job.opts.attempts ?? 1;
      const retried = !(e instanceof UnrecoverableError) && job.attemptsMade + 1 < attempts;
      const message = `attempt ${job.attemptsMade + 1} of ${attempts} failed${retried ? ' (retried)' : e instanceof UnrecoverableError ? ' for good' : ''}: ${(e as Error).message ?? String(e)}`.slice(0, 1000);
      await deps.journal.append({ event: 'system-error', sha256: d.sha256, file: d.relPath, message, job: retried ? 'retried' : 'failed' }).catch(() => undefined);
      if (e !== null && typeof e === 'object') journaledFailures.add(e);
      metrics?.attemptsFailed.inc({ partner: d.partner });
      vanished.end(job.id, { subject: `job ${job.id} (${d.relPath})`, stands: `its attempt failed (${message}); the file waits in processing/, where the watcher's rescan queues it again`, level: 'warn' });
      throw e;
    } finally {
      // still waiting when its thread stopped: never counted
      for (const a of asked) if (a.withdraw()) grown -= a.extra;
      budget.release(size + grown);
      filesInHand--;
    }
  };

  /**
   * Removes the record without data of a job this worker holds (its lock's token), with its id's
   * place in `active` and the stalled check: true when removed (false: it has data, or the job is
   * no longer this worker's). BullMQ is then told nothing more (DelayedError: the processor moved
   * the job itself)
   */
  const removeStub = async (job: Job<FluxJobData>, token: string | undefined): Promise<boolean> => {
    const id = String(job.id);
    const key = jobKey(config.redis.prefix, FLUX_QUEUE, id);
    const queueKey = (k: string) => jobKey(config.redis.prefix, FLUX_QUEUE, k);
    const answer = await idRedis.eval(REMOVE_STUB, 4, key, `${key}:lock`, queueKey('active'), queueKey('stalled'), token ?? '', id);
    return answer === 1;
  };

  // through the thread pool, unlike the stat that checks the file is there: an unlink frees the
  // file's blocks, and may wait for their writeback (0.2 ms median, up to 17 ms, measured under
  // strace on a loaded host): on this thread it held up the lock renewals and the next job
  const removeClaimed = (d: FluxJobData) =>
    fs.unlink(d.path).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });

  /**
   * A job failed for good (or completed) and run again: the operator's retry journaled here when
   * `retry` could not (retry-seen.ts). Under the content's lock, which `retry` holds across its
   * retry and its record of one left in doubt, and which a second worker on the job after a stall
   * waits for. Crash-safe: the line is journaled (fsynced) before the marks that tell the retry
   * are taken off, a record of the retry being journaled written first; a worker killed in between
   * leaves the marks and that record, and the next finds the line in the journal, or journals it.
   * Only a job that ran before can have failed (a fresh one skips it)
   */
  const journalOperatorRetry = async (job: Job<FluxJobData>): Promise<void> => {
    if (job.attemptsMade === 0 && (job.stacktrace?.length ?? 0) === 0) return;
    const d = job.data;
    const id = String(job.id);
    const key = jobKey(config.redis.prefix, FLUX_QUEUE, id);
    const marks = await readRetryMarks(idRedis, key);
    const doubt = await readRetryInDoubt(config.paths.state, id);
    const pending = await readRetryBeingJournaled(config.paths.state, id);
    // `retry` counts the attempts from zero: one with attempts made kept them (the dashboard's)
    const by: 'retry' | 'dashboard' | undefined = job.attemptsMade === 0 ? (doubt ? 'retry' : undefined) : marks.failed !== undefined || marks.completed !== undefined ? 'dashboard' : undefined;
    if (by) {
      // which retry: the record in doubt's sending, or the failure (its time) or completion marked
      const retryKey = by === 'retry' ? `retry ${doubt!.sentAt}` : `dashboard ${marks.failed !== undefined ? `failed ${marks.failedOn ?? ''} ${marks.failed}` : `completed ${marks.completed}`}`;
      const line = {
        event: 'requeued' as const,
        sha256: d.sha256,
        file: d.relPath,
        partner: d.partner,
        claimId: d.claimId,
        processing: path.relative(config.paths.out, d.path).split(path.sep).join('/'),
        by,
        ...(by === 'retry' ? { failed: doubt!.failed, sentAt: doubt!.sentAt, ...(doubt!.sending ? { interrupted: true as const } : {}) } : marks.failed !== undefined ? { failed: marks.failed } : { completed: marks.completed }),
      };
      // a worker killed on this retry after its record: its line may be in the journal already;
      // a `retry` killed after journaling its own line, before it took its record off: that line (no sentAt)
      const journaled = (pending?.key === retryKey && (await requeuedSince(pending.at, line))) || (by === 'retry' && !!doubt!.sending && (await requeuedSince(doubt!.sentAt, { claimId: line.claimId, by: 'retry', failed: doubt!.failed })));
      if (!journaled) {
        if (pending?.key !== retryKey) await recordRetryBeingJournaled(config.paths.state, id, { key: retryKey, at: new Date().toISOString() });
        faultPoint('before-retry-journal');
        await deps.journal.append(line);
        faultPoint('after-retry-journal');
      } else logger.info({ jobId: job.id, file: d.relPath, by }, "an operator's retry journaled by a worker that died before taking its marks off: not journaled again");
    }
    // then the marks: a job retried later by the queue itself is no operator's retry
    await clearRetryMarks(idRedis, key, marks);
    if (doubt) await clearRetryInDoubt(config.paths.state, id);
    if (pending || by) await clearRetryBeingJournaled(config.paths.state, id);
  };

  /** Whether the journal holds, from `at` on (this worker's clock, or a dead one's on the same job), the `requeued` line of this retry. */
  const requeuedSince = async (at: string, line: { claimId: string; by: string; failed?: string; completed?: string; sentAt?: string }): Promise<boolean> => {
    const journalDir = statePaths(config).journal;
    // its day and each day after it to today (in steps of 6 h: a day of the time zone's clock change is 23 or 25 h)
    const days = new Set<string>();
    for (let t = Date.parse(at), now = Date.now(); t <= now + 6 * 3600_000; t += 6 * 3600_000) days.add(dayOf(new Date(Math.min(t, now)), config.timezone));
    for (const day of days) {
      const { lines } = await readJournalDay(journalDir, day);
      if (lines.some((l) => l.event === 'requeued' && l.ts >= at && l.claimId === line.claimId && l.by === line.by && l.failed === line.failed && l.completed === line.completed && l.sentAt === line.sentAt)) return true;
    }
    return false;
  };

  /** `takenAgain`: the job was started before (its worker died on it, or a retry) */
  const processClaimed = (job: Job<FluxJobData>, holds: ProcessFileOptions['holds'], takenAgain: boolean): Promise<Pick<FileResult, 'outcome' | 'sha256'>> => {
    // read before it is ours: an older version's holder line (a rolling upgrade, or one killed on it)
    const olderAttempt = heldByOlderVersion(path.join(locks, `${job.data.sha256}.lock`));
    return withFileLock(path.join(locks, `${job.data.sha256}.lock`), async () => {
      const d = job.data;
      // the file is processed all the same: a retry that cannot be journaled is logged
      await journalOperatorRetry(job).catch((err: Error) => logger.warn({ err, jobId: job.id, file: d.relPath }, "an operator's retry of this failed job could not be journaled: trace will not tell it"));
      // synchronous: a metadata lookup costs less than a thread-pool round trip
      if (!claimedFileThere(d.path)) {
        const done = await deps.processed.get(d.sha256);
        if (done) return { outcome: done.outcome, sha256: d.sha256 }; // finished by a previous attempt
        throw new UnrecoverableError(`the claimed file ${d.path} is gone and has no outcome`);
      }
      if (takenAgain) {
        // its worker died between this claim's outcome line and the removal of its file: the
        // outcome stands. Processed again, it was journaled `already-processed` too, the one
        // deposit read as two (trace: a copy; the reconciliation: one more "already processed")
        const own = await ownJournaledOutcome(deps.processed, d, config.receiptTime);
        if (own !== undefined) {
          await removeClaimed(d);
          return { outcome: own, sha256: d.sha256 };
        }
      }
      const end = metrics?.processingSeconds.startTimer();
      const r: JobOutcome = await processJobFile({ path: d.path, name: d.name, relPath: d.relPath, partner: d.partner, ...(olderAttempt ? { olderAttempt } : {}) }, holds);
      end?.({ outcome: r.outcome });
      metrics?.filesOutcome.inc({ partner: d.partner, outcome: r.outcome, kind: r.kind ?? 'none' });
      for (const verdict of r.flows) metrics?.flowStatuses.inc({ partner: d.partner, verdict });
      // a status flow's lines are no invoices: counted apart, as the reconciliation counts them
      const statusLines = r.kind === FLUX_KINDS.STATUT;
      for (const i of r.invoices) {
        if (statusLines) {
          metrics?.statusLines.inc({ outcome: i.outcome === 'refused' ? 'refused' : 'applied' });
          continue;
        }
        metrics?.invoices.inc({ outcome: i.outcome });
        for (const reason of i.lessChecked) metrics?.invoicesLessChecked.inc({ reason });
      }
      faultPoint('before-unlink');
      await removeClaimed(d);
      return { outcome: r.outcome, sha256: r.sha256 };
    }, { staleMs: Math.max(120_000, config.worker.lockDurationMs * 4), timeoutMs: 10 * 60_000 });
  };

  const concurrency = opts.concurrency ?? config.worker.concurrency;
  // the jobs running at once share the process's descriptors (write-batch.ts)
  setMaxOpenPerBatch(maxOpenPerFile(concurrency, openFilesLimit()));
  // files are processed in a thread of their own: a step of a large file (seconds) must not
  // hold up the lock renewals, the signals or /healthz on this thread
  const thread = processIn === 'main' ? undefined : new JobThread({ config, level: logger.level, maxOpenPerBatch: maxOpenPerFile(concurrency, openFilesLimit()) });
  // the pipeline's modules are loaded by the thread that runs it: on this one only when it does
  // (processIn 'main'); loaded here too, they cost every worker start 0.1-0.2 s of CPU for nothing
  const processHere = (file: InboundFile, holds: ProcessFileOptions['holds']) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load, as features.ts does
    const { processFile } = require('./process-file') as typeof import('./process-file');
    return processFile(deps, file, { holds });
  };
  const processJobFile = async (file: InboundFile, holds: ProcessFileOptions['holds']): Promise<JobOutcome> => (thread ? thread.process(file, { holds }) : jobOutcome(await processHere(file, holds)));
  // compared with the watcher's before any job is taken: a worker started on an old file takes none
  let workers: Worker[] = [];
  const skew = new ConfigSkewGuard({
    redis: idRedis,
    config,
    version: VERSION,
    logger,
    metrics,
    // not waiting for the running jobs (they end as they would): no new one is taken
    onDiffer: () => workers.forEach((w) => void w.pause(true)),
    onMatch: () => workers.forEach((w) => void w.resume()),
  });
  const differsAtStart = (await skew.check()).kind === 'differs';
  opts.onTakingWork?.();
  const worker = new Worker<FluxJobData, unknown>(FLUX_QUEUE, processor, {
    connection,
    prefix: config.redis.prefix,
    concurrency,
    lockDuration: config.worker.lockDurationMs,
    // the check for jobs of dead workers runs as often as a lock lasts (BullMQ's default is a
    // fixed 30 s, the default lock): such a job is taken again within two lock durations
    stalledInterval: config.worker.lockDurationMs,
    // held back from the start when the configuration differs: run by its resume once it matches
    autorun: !differsAtStart,
  });
  // the nightly reconciliation scheduled by `watch` (BullMQ Job Scheduler) runs on any worker
  const reconcileAndLog = async (date: string | undefined, what: string): Promise<ReconcileDayResult> => {
    const r = await reconcileDay({ config, date });
    logger.info({ date: r.date, exitCode: r.exitCode, anomalies: r.report?.anomalies.length, files: r.files, sweptTempFiles: r.swept, ...(r.error ? { error: r.error } : {}) }, r.exitCode === 0 ? `${what}: clean` : r.exitCode === 1 ? `${what}: ANOMALIES` : `${what} could not run`);
    return r;
  };
  // one nightly run at a time over every worker: a catch-up queued when Redis lost the night's
  // job (nightly-schedule.ts) must not reconcile a day again beside a run whose record vanished
  const nightlyLock = path.join(locks, 'nightly-reconciliation.lock');
  const nightlyVanished = new VanishedJobs((id) => ({ subject: `nightly reconciliation job ${id}`, stands: 'its reports stand in reports/ (a night left without one is caught up)', level: 'info' }));
  const nightly = new Worker(RECONCILE_QUEUE, async (job: Job<{ date?: string } & Partial<CatchUpJobData>>) => {
    // a reconciliation under way is disk work too: a stop while Redis is down waits for it, as for a file
    filesInHand++;
    const ran = await withFileLock<{ date?: string; caughtUp?: CaughtUpDay[] }>(nightlyLock, () => (job.data?.catchUpBefore !== undefined ? catchUp(job.data.catchUpBefore) : nightlyRun(job.data?.date)), { staleMs: 120_000, timeoutMs: 3 * 3600_000 }).finally(() => filesInHand--);
    nightlyVanished.end(job.id, { subject: `nightly reconciliation job ${job.id}`, stands: `nothing to do, its reports stand in reports/ (${[ran.date, ...(ran.caughtUp ?? []).map((c) => c.date)].filter(Boolean).join(', ') || 'none due'})`, level: 'info' });
    return ran;
  }, { connection, prefix: config.redis.prefix, concurrency: 1, lockDuration: 10 * 60_000, autorun: !differsAtStart, settings: { repeatStrategy: nightlyRepeatStrategy } });
  workers = [worker, nightly];
  skew.start();
  /**
   * The failed nightly jobs whose days have their report now (caught up, or run by hand): BullMQ
   * keeps failed jobs for ever, and each kept `jobs` at exit 1 for good. A failure here is logged.
   */
  const forgetSettledNights = async () => {
    const queue = reconcileQueue(config, idRedis);
    const gone = await forgetSettledNightlies(queue, (job) => nightlyJobSettled(config, job))
      .catch((err: Error) => void logger.warn({ err }, 'the failed nightly reconciliations whose days have their report could not be removed (tried again next night)'))
      .finally(() => queue.close().catch(() => undefined));
    if (gone && gone.length > 0) logger.info({ jobs: gone }, `${gone.length} failed nightly reconciliation(s) removed from Redis: their days have their report now`);
  };
  /** The days before `before` left without a report: a night whose job Redis lost, or that failed. */
  const catchUp = async (before: string) => {
    const caughtUp: CaughtUpDay[] = [];
    for (const day of missedDays(config, before)) {
      const c = await reconcileAndLog(day, `reconciliation of missed day ${day}`);
      caughtUp.push({ date: day, exitCode: c.exitCode, anomalies: c.report?.anomalies.length ?? 0 });
    }
    if (caughtUp.length === 0) logger.info({ before }, 'catch-up of a night left without its report: every day has its report now');
    await forgetSettledNights();
    return { catchUpBefore: before, caughtUp };
  };
  const nightlyRun = async (date: string | undefined) => {
    const r = await reconcileAndLog(date, 'nightly reconciliation');
    if (r.exitCode === 2) throw new Error(`reconciliation of ${r.date ?? '?'} could not run: ${r.error}`);
    // the scheduled run (no date) also reconciles the nights missed before it, oldest first
    const caughtUp: CaughtUpDay[] = [];
    if (date === undefined && r.date) {
      const missed = missedDays(config, r.date);
      if (missed.length > 0) logger.warn({ days: missed }, `${missed.length} earlier day(s) had no reconciliation report (nights missed while no watch or worker ran, or while Redis had lost the schedule): reconciled now`);
      for (const day of missed) {
        const c = await reconcileAndLog(day, `reconciliation of missed day ${day}`);
        caughtUp.push({ date: day, exitCode: c.exitCode, anomalies: c.report?.anomalies.length ?? 0 });
      }
    }
    // then the marks past their retention; a failure here is logged, the reconciliation stands
    const pruned = await pruneProcessedMarks(config.paths.state, { days: config.retention.processedMarksDays, waiting: () => waitingContents(config.paths.processing) }).catch((err: Error) => {
      logger.error({ err }, 'processed marks could not be pruned (retried next night; `chorus-flux prune` does it by hand)');
      return undefined;
    });
    if (pruned) logger.info({ ...pruned, days: config.retention.processedMarksDays }, `nightly prune: ${pruned.removed} processed mark(s) older than ${pruned.before} removed`);
    // and the records of operators' retries whose job no worker will take again (gone from Redis,
    // or completed): left, they stayed under state/ for ever (set-aside removes its job's own)
    const queue = fluxQueue(config, idRedis);
    const swept = await sweepRetryRecords(config.paths.state, (id) => queue.getJobState(id))
      .catch((err: Error) => {
        logger.error({ err }, 'the records of retries under state/ could not be swept (tried again next night)');
        return undefined;
      })
      .finally(() => queue.close().catch(() => undefined));
    if (swept && swept.removed.length > 0) logger.warn({ removed: swept.removed, kept: swept.kept }, `nightly sweep: ${swept.removed.length} record(s) of operators' retries under state/ removed, their job gone from Redis or completed (a retry left in doubt that never ran, or a worker killed on one)`);
    await forgetSettledNights();
    return { date: r.date, exitCode: r.exitCode, anomalies: r.report?.anomalies.length ?? 0, files: r.files, pruned: pruned?.removed, ...(caughtUp.length ? { caughtUp } : {}) };
  };
  nightly.on('error', unlessGivenUp(() => givenUp(), reportRedisErrors(trouble, logger, metrics, 'reconcile worker', nightlyVanished)));
  nightly.on('completed', (job) => nightlyVanished.recorded(job.id));
  nightly.on('failed', (job) => nightlyVanished.recorded(job?.id));
  worker.on('error', unlessGivenUp(() => givenUp(), reportRedisErrors(trouble, logger, metrics, 'worker', vanished)));
  worker.on('completed', (job) => {
    vanished.recorded(job.id);
    const ended = trouble.succeeded();
    if (ended) logger.info({ kind: ended.kind, failures: ended.failures, seconds: Math.round(ended.ms / 1000) }, 'Redis takes writes again: jobs complete');
  });
  worker.on('failed', (job, err) => {
    vanished.recorded(job?.id);
    logJobFailure(logger, job, err, config.source);
    // failed for good: marked, so that the worker that runs it again after an operator's retry
    // can journal a retry `retry` did not (the dashboard's, one left in doubt: retry-seen.ts)
    if (job?.id && job.finishedOn !== undefined) {
      void markFailedForGood(idRedis, jobKey(config.redis.prefix, FLUX_QUEUE, String(job.id)), `it had failed ${job.attemptsMade} time(s): ${firstLine(err.message)}`, job.finishedOn).catch((e: Error) => logger.warn({ err: e, jobId: job.id }, 'a job failed for good could not be marked: a retry of it from the dashboard will not be journaled'));
    }
    if (!job || journaledFailures.has(err)) return;
    // its workers died on it and the processor never ran this time: without this line the journal
    // ended on a `received`, and trace said "queued or being processed" of a job given up on
    // BullMQ stamps finishedOn only on a job it will not retry (logJobFailure)
    const retried = job.finishedOn === undefined;
    const why = job.deferredFailure ? ` (the workers that took it stopped while on it: killed, out of memory, or their lock not renewed); ${fileLeft(job) ? 'its file waits in processing/: retry it alone, or set it aside if it ends a worker again' : NO_LONGER_IN_PROCESSING}` : '';
    void deps.journal.append({ event: 'system-error', sha256: job.data?.sha256, file: job.data?.relPath, message: `${retried ? 'failed, retried by the queue' : 'given up by the queue'}: ${err.message}${why}`.slice(0, 1000), job: retried ? 'retried' : 'failed' }).catch(() => undefined);
  });
  // a job whose worker stopped on it (killed, out of memory) goes back to the queue: journaled, so
  // that trace tells the attempt cut short before the one that ended it (the `received` lines alone
  // read as one file received twice); one that stalled too often is given up on instead (above)
  worker.on('stalled', (jobId) => {
    void (async () => {
      const job = await Job.fromId<FluxJobData>(worker, jobId);
      if (!job?.data?.sha256 || job.deferredFailure) return;
      await deps.journal.append({ event: 'system-error', sha256: job.data.sha256, file: job.data.relPath, message: `attempt interrupted: the worker on it stopped (killed, out of memory) or did not renew its lock for ${config.worker.lockDurationMs} ms; queued again, another worker takes it`, job: 'requeued' });
    })().catch((err: Error) => logger.warn({ err, jobId }, 'a stalled job could not be journaled'));
  });
  await worker.waitUntilReady();
  // BullMQ's own blocking connections, disconnected with ours at a stop while Redis is down (not
  // asked whether Redis is: the worker's close disconnects them first, Redis up or not)
  const blockingClients: StoppableConnection[] = [];
  for (const w of [worker, nightly]) void w.backend.blockingClient?.then((c) => blockingClients.push(c)).catch(() => undefined);

  return {
    worker,
    deps,
    trouble,
    givenUp: () => givenUp(),
    configSkew: () => skew.health(),
    configState: () => skew.current(),
    async close(timeoutMs: number) {
      let result: 'drained' | 'forced' | 'redis-down' = 'drained';
      stopping.abort();
      skew.stop();
      const graceful = Promise.all([worker.close(), nightly.close()]);
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
      // Redis out of reach and no file in hand: what is left (BullMQ's closing, a job's completion
      // or hand-back, the next job asked for) waits on Redis alone, given up at once. A file in
      // hand is finished first (its outcome journaled, its file removed), within the bound
      const atStop = new RedisAtStop([connection, idRedis, ...(opts.alsoGiveUp ?? [])], () => blockingClients, () => answers.answering);
      givenUp = () => atStop.givenUp;
      const redisDown = new Promise<'redis-down'>((resolve) => {
        const poll = setInterval(() => {
          if (filesInHand === 0 && atStop.giveUpIfDown()) resolve('redis-down');
        }, 20);
        poll.unref();
        void graceful.finally(() => clearInterval(poll)).catch(() => undefined);
        void timer.then(() => clearInterval(poll));
      });
      const ended = await Promise.race([graceful.then(() => 'ok' as const), timer, redisDown]);
      if (ended === 'redis-down') {
        result = 'redis-down';
        // every connection, BullMQ's blocking ones too, is disconnected: nothing queued on them is
        // sent, no job taken as the process ends; BullMQ's closing is not waited for, nor the
        // thread's QUIT (a frozen Redis never answers it: the stop took the thread's 5 s)
        await thread?.close({ redisDown: true });
        logger.warn('Redis could not be reached as the worker stopped, no file in hand: what waited on it was given up; jobs taken and not finished are taken again once their locks expire');
      } else if (ended === 'timeout') {
        result = 'forced';
        // running jobs are abandoned (those not started were handed back already): their locks
        // expire and another worker takes them again
        await thread?.terminate();
        await Promise.all([worker.close(true).catch(() => undefined), nightly.close(true).catch(() => undefined)]);
      } else await thread?.close();
      answers.stop();
      await deps.journal.append({ event: 'stop', mode: 'worker', reason: result }).catch(() => undefined);
      await deps.journal.close().catch(() => undefined);
      if (result !== 'redis-down') await Promise.all([connection.quit().catch(() => undefined), idRedis.quit().catch(() => undefined)]);
      return result;
    },
  };
}

/**
 * KEYS: the job's record, its lock, the queue's `active` list and `stalled` set; ARGV: the lock's
 * token, the job id. Only a record without data, and only while this worker holds its lock.
 */
const REMOVE_STUB = `if redis.call('HEXISTS', KEYS[1], 'data') == 1 then return 0 end
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[1] .. ':logs')
redis.call('LREM', KEYS[3], 0, ARGV[2])
redis.call('SREM', KEYS[4], ARGV[2])
return 1`;

/** A day the nightly job reconciled besides its own (a night missed before). */
interface CaughtUpDay {
  date: string;
  exitCode: number;
  anomalies: number;
}

/**
 * A failed attempt, said as what happens next: retried after its backoff (a warning), or given
 * up on, the job left in the failed list for an operator (an error). BullMQ stamps `finishedOn`
 * only on a job it will not retry.
 */
function logJobFailure(logger: Logger, job: Job<FluxJobData> | undefined, err: Error, configFile: string): void {
  const attempts = job?.opts.attempts ?? 1;
  const said = { err, jobId: job?.id, sha256: job?.data?.sha256, file: job?.data?.relPath, partner: job?.data?.partner, attempt: job?.attemptsMade, attempts };
  if (job && job.finishedOn === undefined) {
    logger.warn({ ...said, retryInMs: job.delay }, `job failed, attempt ${job.attemptsMade} of ${attempts}: retried in ${job.delay} ms`);
    return;
  }
  const why = err.name === 'UnrecoverableError' ? 'failed for good (not retried)' : `given up after ${job?.attemptsMade ?? '?'} attempt(s)`;
  if (job && !fileLeft(job)) {
    logger.warn(said, `job ${why}: left in the failed list, ${NO_LONGER_IN_PROCESSING}`);
    return;
  }
  logger.error(said, `job ${why}: left in the failed list with its file in processing/ (chorus-flux jobs --config ${configFile} shows it; retry or set-aside once the cause is fixed)`);
}

/** Whether a job's claimed file is still in processing/, waiting for a retry or a set-aside. */
const fileLeft = (job: Job<FluxJobData>) => typeof job.data?.path !== 'string' || existsSync(job.data.path);

/**
 * A job failed by its stalls once its file had left processing/: a worker finished the file, but
 * its job's completion came after its lock had lapsed (Redis frozen or out of reach longer than
 * worker.lockDurationMs), the job found stalled once too often. Said "its file waits in
 * processing/: retry it" until 2026-12-07, sending an operator after a file that had its outcome.
 */
const NO_LONGER_IN_PROCESSING = 'its file no longer in processing/ (a worker finished it, its completion refused once its lock had lapsed: `chorus-flux trace` shows its outcome); nothing waits on this job: `chorus-flux retry` takes it off the failed list (said `finished`)';
