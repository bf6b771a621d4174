/**
 * The flux jobs BullMQ gave up on, for `chorus-flux jobs` and `chorus-flux retry`.
 *
 * A job fails for good after `worker.attempts` system failures (a lifecycle record that cannot
 * be read, a disk that stays full past the backoff) or at once when it can never succeed. Its
 * file stays in processing/ (nothing is lost, the nightly reconciliation reports it stuck)
 * until the operator fixes the cause and retries the job: then it gets its full attempts again.
 * A file whose processing cannot finish (it ends its worker every time: BullMQ fails its job as
 * "stalled more than allowable limit") is set aside instead: refused with the operator's reason.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Job, Queue } from 'bullmq';
import { shaPrefixOfJobId, type FluxJobData } from './flux-queue';
import { faultPoint } from '../util/fault';
import { isRedisLost } from './redis-lost';
import { queueLimits, type QueueLimits } from './queue-limits';
import { RedisLostAtJob } from './until-redis-lost';

/** The queue states `jobs` counts, in the order it prints them. */
export const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

export interface FailedJobView {
  id: string;
  /** the file's path relative to the inboxes, partner first */
  file?: string;
  partner?: string;
  sha256?: string;
  attempts: number;
  /** when it failed for the last time (ISO 8601) */
  failedAt?: string;
  /** the last failure's message, first line */
  reason: string;
  /** whether the claimed file is still in processing/ (else a retry can only find its outcome) */
  inProcessing: boolean;
}

export interface QueueOverview {
  counts: Record<(typeof JOB_STATES)[number], number>;
  /** the newest failed jobs, at most `limit` */
  failed: FailedJobView[];
  /** the queue is paused (from the dashboard, or BullMQ's API): no worker takes a job */
  paused: boolean;
  /** the nightly reconciliation's queue is paused (filled in by `jobs`) */
  nightlyPaused?: boolean;
  /** a global concurrency or rate limit set on the queue (queue-limits.ts) */
  limits: QueueLimits;
  /** the same on the nightly reconciliation's queue (filled in by `jobs`) */
  nightlyLimits?: QueueLimits;
}

export type RetryResult =
  | 'retried' // back in the queue, its attempts counted from zero
  | 'already-queued' // retried before (the same command run again, another operator): waiting, active or delayed (untouched)
  | 'retried-meanwhile' // `retry --all`: retried by another retry since this one listed it, and failed again (untouched)
  | 'finished' // its file was done meanwhile: taken off the failed list (or the job completed, or is gone and its content has an outcome)
  | 'not-failed' // the job is not in the failed list (untouched)
  | 'not-found' // no job has this id
  | 'file-gone' // its file is no longer in processing/ and has no outcome (untouched)
  | 'in-doubt' // the retry was sent, Redis was lost before it answered: it may be queued once Redis answers (until-redis-lost.ts), journaled then by the worker that runs it (retry-seen.ts)
  | 'not-tried'; // Redis was lost before this job's turn (untouched)

export interface RetryReport {
  id: string;
  file?: string;
  result: RetryResult;
  detail: string;
}

export interface FailedJobsOptions {
  /** the processing area: a job naming a file elsewhere is never retried */
  processingDir: string;
  /** the outcome of a content, if it has one (the processed mark) */
  outcomeOf: (sha256: string) => Promise<string | undefined>;
  /**
   * What became of the content of a job no longer in the queue (set aside, or completed and
   * dropped), from its processed mark, found by the start of the hash the job id carries.
   * Without it, or without a mark, such a job is `not-found`.
   */
  contentOfGoneJob?: (shaPrefix: string) => Promise<GoneJobContent | undefined>;
}

export interface RetryOptions extends FailedJobsOptions {
  /** records a job queued again (the journal's `requeued` line, so that trace says who and when); `before`: the failure it had */
  retried?: (data: FluxJobData, before: string) => Promise<void>;
  /** records a retry sent whose answer never came, for the worker that runs it should Redis have (retry-seen.ts) */
  inDoubt?: (id: string, data: FluxJobData, before: string, sentAt: string) => Promise<void>;
  /**
   * records a retry about to be sent (`sent` takes it off once `retried` has journaled it): the
   * command killed in between leaves it for the worker that takes the job (retry-seen.ts)
   */
  sending?: (id: string, before: string, sentAt: string) => Promise<void>;
  sent?: (id: string) => Promise<void>;
  /** runs the retry and what records it under the content's lock, which the worker that takes the job holds while it looks for a retry in doubt */
  underContentLock?: <T>(sha256: string, fn: () => Promise<T>) => Promise<T>;
  /**
   * The words of an operator's set-aside of this content, interrupted after its refusal may have
   * gone out (AttemptRecord.refusal), if any: the worker finishes that refusal instead of
   * processing the file, and the retry's line says so (none once the content has an outcome)
   */
  refusalOf?: (sha256: string) => Promise<string | undefined>;
  /**
   * The outcome journaled for this very file (its content's mark names its path, partner and
   * receipt time), if any: what processed it (a `set-aside`, a worker) was interrupted before it
   * removed the file. Such a job is not run again (its worker would journal the deposit
   * `already-processed` beside its outcome): `removeClaimed` removes the file, the job goes
   */
  ownOutcomeOf?: (data: FluxJobData) => Promise<string | undefined>;
  removeClaimed?: (data: FluxJobData) => Promise<void>;
}

export interface GoneJobContent {
  outcome: string;
  /** the file that gave the content its outcome */
  file: string;
  /** the outcome is the refusal `set-aside` writes (rule FLUX-ECARTE) */
  setAside: boolean;
}

/** The states of a job a worker will run: one retried before. */
const QUEUED = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/** A failure's message, first line (the whole stack is in the dashboard). */
export function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n', 1)[0].trim() || '(no reason recorded)';
}

function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function viewOf(job: Job<FluxJobData>): FailedJobView {
  const d = job.data ?? ({} as Partial<FluxJobData>);
  return {
    id: String(job.id),
    file: d.relPath,
    partner: d.partner,
    sha256: d.sha256,
    attempts: job.attemptsMade,
    failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : undefined,
    reason: firstLine(job.failedReason),
    inProcessing: typeof d.path === 'string' && existsSync(d.path),
  };
}

export async function queueOverview(queue: Queue<FluxJobData>, limit = 50): Promise<QueueOverview> {
  const raw = await queue.getJobCounts(...JOB_STATES);
  const counts = Object.fromEntries(JOB_STATES.map((s) => [s, raw[s] ?? 0])) as QueueOverview['counts'];
  const failed = limit > 0 ? await queue.getFailed(0, limit - 1) : [];
  return { counts, failed: failed.filter((j): j is Job<FluxJobData> => !!j).map(viewOf), paused: await queue.isPaused(), limits: await queueLimits(queue) };
}

export interface NightlyFailures {
  failed: number;
  /** the newest failed reconciliation: the day it was for, when it failed, why */
  latest?: { date?: string; failedAt?: string; reason: string };
  /** failed ones whose days have their report since (caught up the next night, or run by hand): not counted */
  settled?: number;
}

/**
 * The nightly reconciliations (the `reconcile` queue) that could not run and whose days still
 * have no report (`settled`, asked of each failed job, newest first: BullMQ keeps them for ever).
 * Counted whatever became of them, one night that failed kept `jobs` at exit 1 for good, after
 * the next night caught the day up or the operator ran it by hand as told.
 */
export async function nightlyFailures(queue: Queue, settled: (job: Job) => boolean = () => false): Promise<NightlyFailures> {
  if (((await queue.getJobCounts('failed')).failed ?? 0) === 0) return { failed: 0 };
  const all = (await queue.getFailed(0, -1)).filter((j): j is Job => !!j);
  const open = all.filter((j) => !settled(j));
  const gone = all.length - open.length;
  const job = open[0];
  const base = { failed: open.length, ...(gone > 0 ? { settled: gone } : {}) };
  if (!job) return base;
  return { ...base, latest: { date: job.data?.date, failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : undefined, reason: firstLine(job.failedReason) } };
}

/**
 * Removes the failed nightly jobs whose days have their report now (`settled`), after a night
 * that ran: BullMQ keeps failed jobs for ever. Returns their ids.
 */
export async function forgetSettledNightlies(queue: Queue, settled: (job: Job) => boolean): Promise<string[]> {
  const gone: string[] = [];
  for (const job of await queue.getFailed(0, -1)) {
    if (!job?.id || !settled(job)) continue;
    await job.remove();
    gone.push(job.id);
  }
  return gone;
}

/** A failed job as a listing found it; `failedAt` (BullMQ's finishedOn) tells its failure from a later one. */
export interface ListedFailure {
  id: string;
  failedAt?: number;
}

/** Every failed job, newest first (read in pages: the list can be long). */
export async function failedJobsListed(queue: Queue<FluxJobData>, page = 500): Promise<ListedFailure[]> {
  const listed: ListedFailure[] = [];
  for (let start = 0; ; start += page) {
    const jobs = await queue.getFailed(start, start + page - 1);
    for (const j of jobs) if (j?.id) listed.push({ id: String(j.id), failedAt: j.finishedOn });
    if (jobs.length < page) return listed;
  }
}

/** The ids of every failed job, newest first. */
export async function failedJobIds(queue: Queue<FluxJobData>, page = 500): Promise<string[]> {
  return (await failedJobsListed(queue, page)).map((j) => j.id);
}

/** What `retry` and `set-aside` say of a job they leave as it is, or of one finished meanwhile. */
interface Settled {
  id: string;
  file?: string;
  result: 'not-found' | 'not-failed' | 'file-gone' | 'finished' | 'already-queued' | 'already-set-aside';
  detail: string;
}

/**
 * What a command run again finds of a job it dealt with the first time (a script stopped
 * half-way is run again with the same ids): said as done, exit 0, when what was wanted holds.
 */
async function notFailed(job: Job<FluxJobData> | undefined, id: string, state: string, command: 'retry' | 'set-aside', opts: FailedJobsOptions): Promise<Settled> {
  if (!job) {
    const prefix = shaPrefixOfJobId(id);
    const gone = prefix ? await opts.contentOfGoneJob?.(prefix) : undefined;
    if (!gone) return { id, result: 'not-found', detail: 'no job has this id' };
    if (gone.setAside && command === 'set-aside') return { id, file: gone.file, result: 'already-set-aside', detail: `set aside before (outcome ${gone.outcome}): nothing more written` };
    return { id, file: gone.file, result: 'finished', detail: `the job is gone and its content has an outcome (${gone.outcome}${gone.setAside ? ', set aside' : ''}): nothing to do` };
  }
  const file = job.data?.relPath;
  if (state === 'unknown') return inNoList(job, id, opts);
  if (state === 'completed') return { id, file, result: 'finished', detail: `the job is completed (outcome ${(job.returnvalue as { outcome?: string } | undefined)?.outcome ?? 'unknown'}): nothing to do` };
  if (command === 'retry' && QUEUED.has(state)) return { id, file, result: 'already-queued', detail: `the job is ${state}, queued for a worker (retried before?): left as it is` };
  return { id, file, result: 'not-failed', detail: `the job is ${state}, not failed: left as it is` };
}

/**
 * A job whose record is in no list or set of the queue: a Redis that evicts keys took the set that
 * held it, most often `completed`, which nothing mends (its file is done: docs/OPERATIONS.md,
 * "Redis requirements"). Until 2026-12-08 it was said `unknown, not failed` (exit 1), as a typo
 * is: what the disk knows of its file is said instead, finished when its content has an outcome.
 */
async function inNoList(job: Job<FluxJobData>, id: string, opts: FailedJobsOptions): Promise<Settled> {
  const d = job.data as Partial<FluxJobData> | undefined;
  const file = d?.relPath;
  const why = 'its record is in no list of the queue (Redis evicted keys of the queue)';
  if (typeof d?.path === 'string' && existsSync(d.path)) {
    return { id, file, result: 'not-failed', detail: `${why}, its file waits in processing/: the watcher's rescan queues it again, or puts it back in the failed list had it failed for good: left as it is` };
  }
  const prefix = d?.sha256?.slice(0, 40) ?? shaPrefixOfJobId(id);
  const gone = prefix ? await opts.contentOfGoneJob?.(prefix) : undefined;
  const outcome = gone?.outcome ?? (d?.sha256 ? await opts.outcomeOf(d.sha256) : undefined);
  if (!outcome) return { id, file, result: 'not-failed', detail: `${why}, its file is no longer in processing/ and its content has no outcome on disk: look for ${d?.sha256 ?? id} in the journal` };
  const by = gone && gone.file !== file ? `, given by ${gone.file}` : '';
  return { id, file, result: 'finished', detail: `the job finished: ${why}, its file is no longer in processing/ and its content's processed mark says its outcome (${outcome}${gone?.setAside ? ', set aside' : ''}${by}): nothing to do` };
}

/**
 * The checks `retry` and `set-aside` share: the job exists and has failed, it names a file of
 * the processing area, and that file is still there. Otherwise what to say; a job whose file
 * was finished meanwhile is taken off the failed list. `outside` ends the sentence for a job
 * naming a file elsewhere.
 */
async function failedJobWithFile(queue: Queue<FluxJobData>, id: string, opts: FailedJobsOptions, command: 'retry' | 'set-aside', outside: string): Promise<{ job: Job<FluxJobData>; data: FluxJobData; file: string } | Settled> {
  const job = (await queue.getJob(id)) as Job<FluxJobData> | undefined;
  const state = job ? await job.getState() : 'gone';
  if (!job || state !== 'failed') return notFailed(job, id, state, command, opts);
  const file = job.data?.relPath;
  const d = job.data;
  if (!d || typeof d.path !== 'string' || !inside(path.resolve(d.path), opts.processingDir)) {
    return { id, file, result: 'file-gone', detail: `the job names a file outside the processing area (${d?.path}): ${outside}` };
  }
  if (!existsSync(d.path)) {
    const outcome = d.sha256 ? await opts.outcomeOf(d.sha256) : undefined;
    if (!outcome) return { id, file, result: 'file-gone', detail: `its file is no longer in processing/ and has no outcome: look for ${d.sha256 ?? 'it'} in the journal and the inbox` };
    try {
      await job.remove();
    } catch (e) {
      // sent, unanswered: it may be removed once Redis answers; the same command run again says
      if (isRedisLost(e)) throw new RedisLostAtJob(e, { id, file, result: 'finished', detail: `its file was finished meanwhile (outcome ${outcome}); Redis was lost taking the job off the failed list (${firstLine((e as Error).message)}): run the same command again once Redis answers` });
      // removed meanwhile by what finished it (a `set-aside` removes its job once the file is refused)
      if ((await job.getState().catch(() => 'failed')) === 'unknown') return { id, file, result: 'finished', detail: `its file was finished meanwhile (outcome ${outcome}), its job removed: nothing to do` };
      return { id, file, result: 'not-failed', detail: `its file was finished meanwhile (outcome ${outcome}), but the job could not be taken off the list: ${(e as Error).message}` };
    }
    return { id, file, result: 'finished', detail: `its file was finished meanwhile (outcome ${outcome}): taken off the failed list` };
  }
  return { job, data: d, file: d.relPath };
}

/**
 * Retries one failed job, or says why not. `listedFailedAt`: when the job had failed as a
 * listing found it (`retry --all`): a job failed again since was retried meanwhile by another
 * retry (two operators at once), whose `requeued` line stands; retried again here, it would run
 * once more and be journaled twice for one failure listed.
 */
export async function retryFailedJob(queue: Queue<FluxJobData>, id: string, opts: RetryOptions, listedFailedAt?: number): Promise<RetryReport> {
  const seen = await failedJobWithFile(queue, id, opts, 'retry', 'it is never run');
  if (!('job' in seen)) return seen as RetryReport; // never already-set-aside for a retry (notFailed)
  const underLock = opts.underContentLock ?? (<T>(_sha: string, fn: () => Promise<T>) => fn());
  return underLock(seen.data.sha256 ?? id, async (): Promise<RetryReport> => {
    // read again under the lock: what held it meanwhile (a `set-aside` of the same job by another
    // operator, another retry) may have given the file its outcome, removed the job or queued it.
    // Until 2026-12-07 the job read before was retried all the same: a job set aside meanwhile was
    // queued again, its `requeued` line journaled after its outcome, or `retry` said `not-failed`
    // (`Missing key … reprocessJob`), exit 1 (test/production/retry-beside-set-aside.test.ts)
    const found = opts.underContentLock ? await failedJobWithFile(queue, id, opts, 'retry', 'it is never run') : seen;
    if (!('job' in found)) return found as RetryReport;
    const { job, file } = found;
    const before = `it had failed ${job.attemptsMade} time(s): ${firstLine(job.failedReason)}`;
    if (listedFailedAt !== undefined && job.finishedOn !== listedFailedAt) {
      return { id, file, result: 'retried-meanwhile', detail: `retried by another retry since this one listed it, and failed again (${before}): left as it is; retry it by its id to run it once more` };
    }
    // finished, its file not removed: what was left is done here, as `set-aside` run again does.
    // Until 2026-12-07 the job was queued again, and its worker journaled the same deposit
    // `already-processed` beside its outcome (test/production/set-aside-then-retry.test.ts)
    const own = opts.removeClaimed ? await opts.ownOutcomeOf?.(found.data) : undefined;
    if (own !== undefined) {
      await opts.removeClaimed!(found.data);
      try {
        await job.remove();
      } catch (e) {
        if (isRedisLost(e)) throw new RedisLostAtJob(e, { id, file, result: 'finished', detail: `its file had its outcome (${own}), journaled, when what gave it was interrupted before it removed the file: removed from processing/; Redis was lost taking the job off the failed list (${firstLine((e as Error).message)}): run the same command again once Redis answers` });
        return { id, file, result: 'not-failed', detail: `its file had its outcome (${own}), journaled: removed from processing/, but the job could not be taken off the list: ${(e as Error).message}` };
      }
      return { id, file, result: 'finished', detail: `its file had its outcome (${own}), journaled, when what gave it (a set-aside, a worker) was interrupted before it removed the file: removed from processing/, the job taken off the failed list; nothing run again` };
    }
    const sentAt = new Date().toISOString();
    // a record that cannot be written (state/ read-only for this operator) leaves the retry as it was before it
    const record = () => (opts.sending ? opts.sending(id, before, sentAt).then(() => true, () => false) : Promise.resolve(false));
    const recorded = await record();
    try {
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    } catch (e) {
      // sent, unanswered: Redis may run it once it answers again, so neither "retried" nor "not
      // retried" would be true; not journaled (trace says only what was done), but recorded: the
      // worker that runs it, should Redis have, journals it (retry-seen.ts)
      if (isRedisLost(e)) {
        const unrecorded = await opts.inDoubt?.(id, found.data, before, sentAt).then(
          () => '',
          (r: Error) => `; not recorded (${firstLine(r.message)}): should Redis run it, trace will not tell this retry`,
        );
        throw new RedisLostAtJob(e, { id, file, result: 'in-doubt', detail: `the retry was sent, but Redis was lost before it answered (${firstLine((e as Error).message)}): it may be queued again once Redis answers (the worker that takes it then journals the retry); \`chorus-flux jobs\` says, and \`retry\` run again finds it already-queued or retries it${unrecorded ?? ''}` });
      }
      // retried by someone else since its state was read (BullMQ checks the state atomically)
      await opts.sent?.(id).catch(() => undefined);
      const now = await job.getState().catch(() => 'unknown');
      if (QUEUED.has(now)) return { id, file, result: 'already-queued', detail: `retried meanwhile by another retry: the job is ${now}` };
      return { id, file, result: 'not-failed', detail: `not retried, its state changed meanwhile (another retry?): ${(e as Error).message}` };
    }
    faultPoint('after-retry-queued');
    // journaled once queued (a line of intent would stand false had the queue refused it). A journal
    // that cannot be written (its folder unwritable, the disk full) leaves the job retried and its
    // record in place (written now if it could not be before): the worker that takes the job, which
    // waits for this lock, journals the retry from it (retry-seen.ts). Until 2026-12-07 the record
    // was taken off all the same, and no one ever journaled the retry (it said "not journaled":
    // test/production/retry-unjournaled.test.ts)
    const lineFailed = await opts.retried?.(found.data, before).then(
      () => undefined,
      (e: Error) => e,
    );
    faultPoint('after-retry-line');
    let unjournaled = '';
    if (lineFailed) {
      const kept = recorded || (await record());
      unjournaled = kept
        ? `; its requeued line could not be journaled (${firstLine(lineFailed.message)}): left recorded under state/retries-in-doubt/, the worker that takes the job journals the retry`
        : `; not journaled (${firstLine(lineFailed.message)}), nor recorded under state/retries-in-doubt/ for the worker that takes the job: trace will not tell this retry`;
    } else await opts.sent?.(id).catch(() => undefined);
    // state/ unreadable by this operator: the worker finds the refusal all the same
    const refusal = found.data.sha256 ? await opts.refusalOf?.(found.data.sha256).catch(() => undefined) : undefined;
    const refused = refusal === undefined ? '' : `; a set-aside of this file was interrupted after its refusal may have gone out to the partner: the worker finishes that refusal (${refusal}), the file is not processed`;
    return { id, file, result: 'retried', detail: `queued again (${before})${unjournaled}${refused}` };
  });
}

export type SetAsideResult =
  | 'set-aside' // refused with the operator's reason: error/, status flow, journal; the job is off the list
  | 'already-set-aside' // set aside before (the same command run again): the job is gone, its content's mark is that refusal
  | 'finished' // its file was done meanwhile: taken off the failed list
  | 'not-failed'
  | 'not-found'
  | 'file-gone'
  | 'not-written' // the refusal could not be written (a system failure): the job stays failed
  | 'not-tried'; // Redis was lost before this job's turn (untouched)

export interface SetAsideReport {
  id: string;
  file?: string;
  result: SetAsideResult;
  detail: string;
}

export interface SetAsideOptions extends FailedJobsOptions {
  /** refuses the claimed file with the operator's reason (processing's refuseUnread); returns its outcome, and what else the operator should know */
  refuse: (data: FluxJobData) => Promise<{ outcome: string; note?: string }>;
  /** once the file has its outcome: what was recorded of the job's retries under state/ goes (no worker will take it again) */
  forgetRetries?: (id: string) => Promise<void>;
}

/**
 * Gives a failed job's file its one outcome without processing it: refused, with the reason
 * the operator gives (the partner is told). For a file that cannot be processed at all; a
 * job whose cause is fixed is retried instead.
 */
export async function setAsideFailedJob(queue: Queue<FluxJobData>, id: string, opts: SetAsideOptions): Promise<SetAsideReport> {
  const found = await failedJobWithFile(queue, id, opts, 'set-aside', 'nothing is set aside');
  if (!('job' in found)) return found as SetAsideReport; // never already-queued for a set-aside (notFailed)
  const { job, data, file } = found;
  const before = `it had failed ${job.attemptsMade} time(s): ${firstLine(job.failedReason)}`;
  let outcome: string;
  let note: string | undefined;
  try {
    ({ outcome, note } = await opts.refuse(data));
  } catch (e) {
    // a system failure (an outbox folder that is a file, a full disk): this job stays failed, the others are tried
    return { id, file, result: 'not-written', detail: `the refusal could not be written: ${firstLine((e as Error).message)}; the job is left failed, its file in processing/: fix the cause and set it aside again` };
  }
  // a retry of it left in doubt (never run: the job is still failed) will never be: its record goes
  // with the job. A record that cannot be removed is left to the nightly sweep (retry-seen.ts)
  await opts.forgetRetries?.(id).catch(() => undefined);
  // the job goes once its file has its outcome; should that fail, `set-aside` again finds it finished
  const removed = await job.remove().then(
    () => undefined,
    (e: Error) => e,
  );
  const report: SetAsideReport = { id, file, result: outcome === 'refused' ? 'set-aside' : 'finished', detail: `${outcome === 'refused' ? `refused with the reason given (${before})` : `its content already had an outcome (${outcome}): nothing more written`}${note ? `; ${note}` : ''}` };
  // the file has its outcome all the same; the job may stay listed failed, which the command run again clears
  if (removed && isRedisLost(removed)) throw new RedisLostAtJob(removed, { ...report, detail: `${report.detail}; Redis was lost taking the job off the failed list (${firstLine(removed.message)}): run the same command again once Redis answers` });
  return report;
}
