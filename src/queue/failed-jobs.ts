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
import type { FluxJobData } from './flux-queue';

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
}

export type RetryResult =
  | 'retried' // back in the queue, its attempts counted from zero
  | 'finished' // its file was done meanwhile: taken off the failed list
  | 'not-failed' // the job is not in the failed list (untouched)
  | 'not-found' // no job has this id
  | 'file-gone'; // its file is no longer in processing/ and has no outcome (untouched)

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
}

function firstLine(text: string | undefined): string {
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
  return { counts, failed: failed.filter((j): j is Job<FluxJobData> => !!j).map(viewOf), paused: await queue.isPaused() };
}

export interface NightlyFailures {
  failed: number;
  /** the newest failed reconciliation: the day it was for, when it failed, why */
  latest?: { date?: string; failedAt?: string; reason: string };
}

/** The nightly reconciliations (the `reconcile` queue) that could not run. */
export async function nightlyFailures(queue: Queue): Promise<NightlyFailures> {
  const failed = (await queue.getJobCounts('failed')).failed ?? 0;
  if (failed === 0) return { failed };
  const [job] = await queue.getFailed(0, 0);
  if (!job) return { failed };
  return { failed, latest: { date: job.data?.date, failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : undefined, reason: firstLine(job.failedReason) } };
}

/** The ids of every failed job, newest first (read in pages: the list can be long). */
export async function failedJobIds(queue: Queue<FluxJobData>, page = 500): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; ; start += page) {
    const jobs = await queue.getFailed(start, start + page - 1);
    for (const j of jobs) if (j?.id) ids.push(String(j.id));
    if (jobs.length < page) return ids;
  }
}

/** What `retry` and `set-aside` say of a job they leave as it is, or of one finished meanwhile. */
interface Settled {
  id: string;
  file?: string;
  result: 'not-found' | 'not-failed' | 'file-gone' | 'finished';
  detail: string;
}

/**
 * The checks `retry` and `set-aside` share: the job exists and has failed, it names a file of
 * the processing area, and that file is still there. Otherwise what to say; a job whose file
 * was finished meanwhile is taken off the failed list. `outside` ends the sentence for a job
 * naming a file elsewhere.
 */
async function failedJobWithFile(queue: Queue<FluxJobData>, id: string, opts: FailedJobsOptions, outside: string): Promise<{ job: Job<FluxJobData>; data: FluxJobData; file: string } | Settled> {
  const job = (await queue.getJob(id)) as Job<FluxJobData> | undefined;
  if (!job) return { id, result: 'not-found', detail: 'no job has this id' };
  const file = job.data?.relPath;
  const state = await job.getState();
  if (state !== 'failed') return { id, file, result: 'not-failed', detail: `the job is ${state}, not failed: left as it is` };
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
      return { id, file, result: 'not-failed', detail: `its file was finished meanwhile (outcome ${outcome}), but the job could not be taken off the list: ${(e as Error).message}` };
    }
    return { id, file, result: 'finished', detail: `its file was finished meanwhile (outcome ${outcome}): taken off the failed list` };
  }
  return { job, data: d, file: d.relPath };
}

/** Retries one failed job, or says why not. */
export async function retryFailedJob(queue: Queue<FluxJobData>, id: string, opts: FailedJobsOptions): Promise<RetryReport> {
  const found = await failedJobWithFile(queue, id, opts, 'it is never run');
  if (!('job' in found)) return found;
  const { job, file } = found;
  const before = `it had failed ${job.attemptsMade} time(s): ${firstLine(job.failedReason)}`;
  try {
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
  } catch (e) {
    // retried by someone else since its state was read (BullMQ checks the state atomically)
    return { id, file, result: 'not-failed', detail: `not retried, its state changed meanwhile (another retry?): ${(e as Error).message}` };
  }
  return { id, file, result: 'retried', detail: `queued again (${before})` };
}

export type SetAsideResult =
  | 'set-aside' // refused with the operator's reason: error/, status flow, journal; the job is off the list
  | 'finished' // its file was done meanwhile: taken off the failed list
  | 'not-failed'
  | 'not-found'
  | 'file-gone'
  | 'not-written'; // the refusal could not be written (a system failure): the job stays failed

export interface SetAsideReport {
  id: string;
  file?: string;
  result: SetAsideResult;
  detail: string;
}

export interface SetAsideOptions extends FailedJobsOptions {
  /** refuses the claimed file with the operator's reason (processing's refuseUnread); returns its outcome, and what else the operator should know */
  refuse: (data: FluxJobData) => Promise<{ outcome: string; note?: string }>;
}

/**
 * Gives a failed job's file its one outcome without processing it: refused, with the reason
 * the operator gives (the partner is told). For a file that cannot be processed at all; a
 * job whose cause is fixed is retried instead.
 */
export async function setAsideFailedJob(queue: Queue<FluxJobData>, id: string, opts: SetAsideOptions): Promise<SetAsideReport> {
  const found = await failedJobWithFile(queue, id, opts, 'nothing is set aside');
  if (!('job' in found)) return found;
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
  // the job goes once its file has its outcome; should that fail, `set-aside` again finds it finished
  await job.remove().catch(() => undefined);
  return { id, file, result: outcome === 'refused' ? 'set-aside' : 'finished', detail: `${outcome === 'refused' ? `refused with the reason given (${before})` : `its content already had an outcome (${outcome}): nothing more written`}${note ? `; ${note}` : ''}` };
}
