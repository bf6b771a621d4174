/**
 * Operator retries the `retry` command could not journal, journaled by the worker that runs them.
 *
 * `chorus-flux retry` journals a `requeued` line once Redis confirms the retry. Two retries had
 * none, and trace showed a failed job processed again with no one asking:
 *
 * - a retry sent whose answer never came (Redis lost: `in-doubt`), which Redis ran once it
 *   answered again. The command records it under state/ (`retries-in-doubt/<job id>.json`),
 *   holding the content's lock across the retry and that record; the worker that takes the job
 *   holds the same lock, so it finds the record exactly when the command did not journal;
 * - a retry from a writable dashboard (bull-board's `job.retry`), which keeps the job's attempts
 *   where `retry` counts them from zero;
 * - a retry Redis ran whose `retry` was killed before it journaled it (since 2026-12-07 `retry`
 *   writes its record before sending, `sending`, and removes it once its line is journaled: the
 *   worker journals from a record left so, unless the journal has the command's line); and one
 *   whose `retry` could not journal its line (the journal unwritable: since 2026-12-07 the record
 *   stays, where it was removed all the same and no one journaled the retry).
 *
 * A worker that fails a job for good marks the job's record in Redis (`chorusFailed`, what
 * failed); BullMQ takes only its own fields off a job it retries, so the mark is still there when
 * a worker next takes the job — and only then, as a failed job leaves the failed list by an
 * operator's retry alone. The worker journals the retry unless `retry` did (a job with attempts
 * made was not retried by `retry`), then takes the mark off. A completed job retried from the
 * dashboard (bull-board offers it) is marked by `chorus-flux dashboard` itself (`chorusCompleted`).
 *
 * Crash-safe, under the content's lock (two workers on one job after a stall take it in turn):
 * the worker records the retry it is journaling (state/retries-being-journaled/), journals its
 * line (fsynced), then takes the marks and the record in doubt off, then its own record. Killed
 * anywhere in between, it leaves the marks: the next worker journals the retry unless the journal
 * holds its line from that record's time on. Records whose job is gone from Redis or completed
 * are swept by the nightly job; `set-aside` removes its job's.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { writeFileAtomic } from '../emit/atomic-write';

/** The job-record field a worker sets on a job it failed for good: that failure, in words. */
export const FAILED_MARK = 'chorusFailed';
/** Beside it: when the job failed (BullMQ's finishedOn, which its retry takes off): one failure from another of the same words. */
export const FAILED_ON_MARK = 'chorusFailedOn';
/**
 * The field the dashboard (`chorus-flux dashboard`) sets on a completed job it is about to retry
 * (bull-board retries completed jobs too): the outcome the job had completed with.
 */
export const COMPLETED_MARK = 'chorusCompleted';

/** Sets the marks on a job still in Redis (a job removed meanwhile is not made again with a few fields). */
const MARK = `if redis.call('EXISTS', KEYS[1]) == 1 then for i = 1, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end return 1 end return 0`;
/**
 * The marks of one retry taken off once its line is journaled, only if they are still the ones
 * read (ARGV: failed, completed; '' for none): a job failed for good anew meanwhile (its worker
 * slow, the job found stalled and given up on) keeps its new mark.
 */
const CLEAR = `local f = redis.call('HGET', KEYS[1], ARGV[3]) or '' local c = redis.call('HGET', KEYS[1], ARGV[4]) or ''
if f == ARGV[1] and c == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[3], ARGV[5], ARGV[4]) end return -1`;

/** The Redis key of a flux job's record (BullMQ's `<prefix>:<queue>:<id>`). */
export const jobKey = (prefix: string, queue: string, id: string) => `${prefix}:${queue}:${id}`;

export async function markFailedForGood(redis: Redis, key: string, failed: string, failedOn?: number): Promise<void> {
  await redis.eval(MARK, 1, key, FAILED_MARK, failed, ...(failedOn !== undefined ? [FAILED_ON_MARK, String(failedOn)] : []));
}

/** The marks an operator's retry finds on a job: the failure it had, or the outcome it had completed with. */
export interface RetryMarks {
  failed?: string;
  /** when it failed (ms), on marks set since 2026-12-07 */
  failedOn?: string;
  completed?: string;
}

/** The marks on a job, read (not taken off: that waits for the retry's line, clearRetryMarks). */
export async function readRetryMarks(redis: Redis, key: string): Promise<RetryMarks> {
  const [failed, failedOn, completed] = await redis.hmget(key, FAILED_MARK, FAILED_ON_MARK, COMPLETED_MARK);
  return { ...(failed !== null ? { failed } : {}), ...(failedOn !== null ? { failedOn } : {}), ...(completed !== null ? { completed } : {}) };
}

/** Takes off the marks read, if they are still those: true when taken (or there were none). */
export async function clearRetryMarks(redis: Redis, key: string, read: RetryMarks): Promise<boolean> {
  if (read.failed === undefined && read.completed === undefined) return true;
  return ((await redis.eval(CLEAR, 1, key, read.failed ?? '', read.completed ?? '', FAILED_MARK, COMPLETED_MARK, FAILED_ON_MARK)) as number) >= 0;
}

/** The dashboard's mark on a completed job it retries (before the retry: the worker that takes the job must find it). */
export async function markCompletedRetry(redis: Redis, key: string, outcome: string): Promise<void> {
  await redis.eval(MARK, 1, key, COMPLETED_MARK, outcome);
}

/**
 * The dashboard's flux queue, its jobs' retries of a completed job marked first (bull-board
 * calls `job.retry('completed')` on the jobs it gets from `getJob` and `getJobs`, and has no hook
 * of its own): the worker that takes the job then journals the retry. A mark that cannot be set
 * stops the retry (nothing runs unjournaled); a retry refused takes its mark off.
 */
export function markCompletedRetries(queue: Queue, redis: Redis, prefix: string): void {
  const wrap = <J extends Job | undefined>(job: J): J => {
    if (!job) return job;
    const retry = job.retry.bind(job);
    job.retry = async (state: Parameters<Job['retry']>[0] = 'failed', opts?: Parameters<Job['retry']>[1]) => {
      if (state !== 'completed') return retry(state, opts);
      const key = jobKey(prefix, queue.name, String(job.id));
      const rv = job.returnvalue as { outcome?: unknown } | undefined;
      const outcome = typeof rv?.outcome === 'string' ? rv.outcome : 'unknown';
      await markCompletedRetry(redis, key, outcome);
      try {
        return await retry(state, opts);
      } catch (e) {
        await unmarkCompletedRetry(redis, key, outcome).catch(() => undefined);
        throw e;
      }
    };
    return job;
  };
  const getJob = queue.getJob.bind(queue);
  queue.getJob = async (id: string) => wrap(await getJob(id));
  const getJobs = queue.getJobs.bind(queue);
  queue.getJobs = async (...a: Parameters<Queue['getJobs']>) => (await getJobs(...a)).map(wrap);
}

/** A completed job's retry refused: its mark taken off (it would read as a retry the next time it is retried). */
export async function unmarkCompletedRetry(redis: Redis, key: string, outcome: string): Promise<void> {
  await redis.eval(`if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0`, 1, key, COMPLETED_MARK, outcome);
}

/**
 * A retry `retry` sent and Redis never answered; or, `sending`, one `retry` recorded before
 * sending it, taken off once its `requeued` line is journaled: a `retry` killed in between (after
 * the job was queued, before its line) leaves it for the worker that takes the job, which journals
 * the retry unless the journal holds its line from `sentAt` on (until 2026-12-07 such a retry had
 * no line: test/production/retry-killed-journaling.test.ts).
 */
export interface RetryInDoubt {
  /** the failure the job had (`it had failed N time(s): …`) */
  failed: string;
  /** when the retry was sent (ISO 8601) */
  sentAt: string;
  /** recorded before sending (Redis answered or not): the command may have been killed after the job was queued, before its line */
  sending?: boolean;
}

const inDoubtDir = (stateDir: string) => path.join(stateDir, 'retries-in-doubt');
const inDoubtFile = (stateDir: string, id: string) => path.join(inDoubtDir(stateDir), `${id.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);

/**
 * Made by the worker at its start, as the service's user: a record `retry` writes there as
 * another (root) is then one the worker can remove, where a folder `retry` made it could not.
 */
export async function makeRetriesInDoubtDir(stateDir: string): Promise<void> {
  await fs.mkdir(inDoubtDir(stateDir), { recursive: true });
  await fs.mkdir(beingJournaledDir(stateDir), { recursive: true });
}

/** Records a retry in doubt (under the content's lock): written whole and durable, or not at all. */
export async function recordRetryInDoubt(stateDir: string, id: string, r: RetryInDoubt): Promise<void> {
  await writeFileAtomic(inDoubtFile(stateDir, id), `${JSON.stringify({ ...r, id })}\n`);
}

/** The retry in doubt recorded for a job (left in place: cleared once its line is journaled); undefined when none is (or it cannot be read: nothing is made up). */
export async function readRetryInDoubt(stateDir: string, id: string): Promise<RetryInDoubt | undefined> {
  let text: string;
  try {
    text = await fs.readFile(inDoubtFile(stateDir, id), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const r = JSON.parse(text) as Partial<RetryInDoubt>;
    return typeof r.failed === 'string' && typeof r.sentAt === 'string' ? { failed: r.failed, sentAt: r.sentAt, ...(r.sending === true ? { sending: true } : {}) } : undefined;
  } catch {
    return undefined;
  }
}

/** A retry confirmed (and journaled by `retry`): an earlier one in doubt for the job is no longer (it never ran: the job was still failed). */
export async function clearRetryInDoubt(stateDir: string, id: string): Promise<void> {
  await fs.rm(inDoubtFile(stateDir, id), { force: true });
}

/**
 * A retry's line about to be journaled by the worker that took the job, before the marks that
 * tell the retry (the job's `chorusFailed`, `chorusCompleted`; the record in doubt) are taken off
 * — in that order, so that a worker killed in between leaves them for the next: `key` says which
 * retry (the same marks found again), `at` when (the worker's clock, which stamps its line too):
 * the next worker journals the line unless the journal has it from `at` on.
 */
export interface RetryBeingJournaled {
  key: string;
  at: string;
}

const beingJournaledDir = (stateDir: string) => path.join(stateDir, 'retries-being-journaled');
const beingJournaledFile = (stateDir: string, id: string) => path.join(beingJournaledDir(stateDir), `${id.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);

export async function recordRetryBeingJournaled(stateDir: string, id: string, r: RetryBeingJournaled): Promise<void> {
  await writeFileAtomic(beingJournaledFile(stateDir, id), `${JSON.stringify({ ...r, id })}\n`);
}

/** The retry a worker was journaling for the job when it died; undefined when none (or unreadable: then as if none, and the marks say). */
export async function readRetryBeingJournaled(stateDir: string, id: string): Promise<RetryBeingJournaled | undefined> {
  try {
    const r = JSON.parse(await fs.readFile(beingJournaledFile(stateDir, id), 'utf8')) as Partial<RetryBeingJournaled>;
    return typeof r.key === 'string' && typeof r.at === 'string' ? { key: r.key, at: r.at } : undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

export async function clearRetryBeingJournaled(stateDir: string, id: string): Promise<void> {
  await fs.rm(beingJournaledFile(stateDir, id), { force: true });
}

/** What the nightly sweep did with the records of retries left under state/. */
export interface RetryRecordsSwept {
  /** records of jobs no longer in Redis, or completed: removed (job id, and why) */
  removed: { id: string; dir: string; job: string }[];
  /** records kept: their job still failed or queued (the next retry or worker uses them) */
  kept: number;
}

/**
 * The records under state/retries-in-doubt/ and state/retries-being-journaled/ whose job is
 * gone from Redis (removed, set aside, Redis emptied) or completed: no worker will ever take them
 * again, so nothing would ever remove them. Removed (the nightly job), and said. `stateOf`: the
 * job's state ('unknown' when it is gone, as BullMQ says). A record newer than `minAgeMs` is left
 * (a retry under way).
 */
export async function sweepRetryRecords(stateDir: string, stateOf: (id: string) => Promise<string>, minAgeMs = 3600_000): Promise<RetryRecordsSwept> {
  const out: RetryRecordsSwept = { removed: [], kept: 0 };
  for (const dir of [inDoubtDir(stateDir), beingJournaledDir(stateDir)]) {
    let names: string[];
    try {
      names = (await fs.readdir(dir)).filter((n) => n.endsWith('.json'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    for (const name of names) {
      const file = path.join(dir, name);
      let id = name.slice(0, -'.json'.length);
      let mtimeMs: number;
      try {
        mtimeMs = (await fs.stat(file)).mtimeMs;
        const r = JSON.parse(await fs.readFile(file, 'utf8')) as { id?: unknown };
        if (typeof r.id === 'string') id = r.id;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        if (!(e instanceof SyntaxError)) throw e;
        mtimeMs = 0; // unreadable: only its name tells the job
      }
      if (Date.now() - mtimeMs < minAgeMs) {
        out.kept++;
        continue;
      }
      const state = await stateOf(id);
      if (state === 'unknown' || state === 'completed') {
        await fs.rm(file, { force: true });
        out.removed.push({ id, dir: path.basename(dir), job: state === 'unknown' ? 'gone from Redis' : 'completed' });
      } else out.kept++;
    }
  }
  return out;
}
