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
 *   where `retry` counts them from zero.
 *
 * A worker that fails a job for good marks the job's record in Redis (`chorusFailed`, what
 * failed); BullMQ takes only its own fields off a job it retries, so the mark is still there when
 * a worker next takes the job — and only then, as a failed job leaves the failed list by an
 * operator's retry alone. The worker takes the mark off (one script: two workers never both) and
 * journals the retry unless `retry` did: a job with attempts made was not retried by `retry`.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { writeFileAtomic } from '../emit/atomic-write';

/** The job-record field a worker sets on a job it failed for good: that failure, in words. */
export const FAILED_MARK = 'chorusFailed';

/** Sets the mark on a job still in Redis (a job removed meanwhile is not made again with one field). */
const MARK = `if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end return 0`;
/** The mark, taken off: one worker alone gets it. */
const TAKE = `local v = redis.call('HGET', KEYS[1], ARGV[1]) if v then redis.call('HDEL', KEYS[1], ARGV[1]) end return v`;

/** The Redis key of a flux job's record (BullMQ's `<prefix>:<queue>:<id>`). */
export const jobKey = (prefix: string, queue: string, id: string) => `${prefix}:${queue}:${id}`;

export async function markFailedForGood(redis: Redis, key: string, failed: string): Promise<void> {
  await redis.eval(MARK, 1, key, FAILED_MARK, failed);
}

/** The failure a job had before an operator's retry, or undefined when it was not failed for good since a worker last took it. */
export async function takeFailedMark(redis: Redis, key: string): Promise<string | undefined> {
  const v = (await redis.eval(TAKE, 1, key, FAILED_MARK)) as string | null;
  return v ?? undefined;
}

/** A retry `retry` sent and Redis never answered. */
export interface RetryInDoubt {
  /** the failure the job had (`it had failed N time(s): …`) */
  failed: string;
  /** when the retry was sent (ISO 8601) */
  sentAt: string;
}

const inDoubtDir = (stateDir: string) => path.join(stateDir, 'retries-in-doubt');
const inDoubtFile = (stateDir: string, id: string) => path.join(inDoubtDir(stateDir), `${id.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);

/**
 * Made by the worker at its start, as the service's user: a record `retry` writes there as
 * another (root) is then one the worker can remove, where a folder `retry` made it could not.
 */
export async function makeRetriesInDoubtDir(stateDir: string): Promise<void> {
  await fs.mkdir(inDoubtDir(stateDir), { recursive: true });
}

/** Records a retry in doubt (under the content's lock): written whole and durable, or not at all. */
export async function recordRetryInDoubt(stateDir: string, id: string, r: RetryInDoubt): Promise<void> {
  await writeFileAtomic(inDoubtFile(stateDir, id), `${JSON.stringify(r)}\n`);
}

/** The retry in doubt recorded for a job, taken off; undefined when none is (or it cannot be read: nothing is made up). */
export async function takeRetryInDoubt(stateDir: string, id: string): Promise<RetryInDoubt | undefined> {
  const file = inDoubtFile(stateDir, id);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  await fs.rm(file, { force: true });
  try {
    const r = JSON.parse(text) as Partial<RetryInDoubt>;
    return typeof r.failed === 'string' && typeof r.sentAt === 'string' ? { failed: r.failed, sentAt: r.sentAt } : undefined;
  } catch {
    return undefined;
  }
}

/** A retry confirmed (and journaled by `retry`): an earlier one in doubt for the job is no longer (it never ran: the job was still failed). */
export async function clearRetryInDoubt(stateDir: string, id: string): Promise<void> {
  await fs.rm(inDoubtFile(stateDir, id), { force: true });
}
