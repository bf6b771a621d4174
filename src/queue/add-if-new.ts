/**
 * Adding a job under a given id, and knowing whether this add made it.
 *
 * BullMQ's Queue.add with a job id already in Redis returns that job, without error, and its
 * script answers a duplicate with the same id as a new job: the caller cannot tell. Two
 * watchers (two machines) that both find a claimed file without a job after Redis restarted
 * empty both add it; one job is made, and only the watcher that made it may journal the file's
 * `requeued` line. An EXISTS of the job's key and BullMQ's own insert (Job.addJob onto a
 * transaction, as its FlowProducer does) run in one MULTI: Redis runs them together, so what
 * EXISTS answers is what that insert found, whatever the other watcher adds meanwhile and
 * whenever Redis restarts (a restart empties both the job and what EXISTS would see).
 *
 * NOSCRIPT: ioredis sends a script in full (EVAL) the first time a connection runs it, then by
 * its hash alone (EVALSHA). A Redis at its memory limit refuses that first EVAL (OOM) without
 * caching the script, yet ioredis counts it sent; inside a MULTI, where ioredis does not send it
 * again, every later add then failed NOSCRIPT for as long as the connection lasted: the watcher
 * queued nothing again, claims paused for good, after a Redis full for a moment (a maxmemory
 * reached, or a volatile-* policy with nothing left to evict). The connection's scripts are loaded
 * then (SCRIPT LOAD) and the transaction sent once more: nothing of it ran (the add failed).
 */
import { Job, type JobsOptions, type Queue } from 'bullmq';
import { mendArgs, type JobPlace } from './job-places';

/** Adds `data` as job `opts.jobId`; true when this add created the job, false when it was already there. */
export async function addIfNew<T>(queue: Queue<T>, name: string, data: T, opts: JobsOptions & { jobId: string }): Promise<boolean> {
  return (await addMaybeMending(queue, name, data, opts, false)).created;
}

/**
 * addIfNew for a claimed file the rescan found without a usable job (job-places.ts): what is
 * left of its job (a record in no list, an id without its record, a record without data) is
 * cleared first, or a job failed for good put back in the failed list, in the same transaction
 * as the add, so that what the add finds is what that mending left. `found`: what the mending
 * found (and did), as the rescan says it.
 */
export async function addIfNewMending<T>(queue: Queue<T>, name: string, data: T, opts: JobsOptions & { jobId: string }): Promise<{ created: boolean; found: JobPlace }> {
  return addMaybeMending(queue, name, data, opts, true) as Promise<{ created: boolean; found: JobPlace }>;
}

async function addMaybeMending<T>(queue: Queue<T>, name: string, data: T, opts: JobsOptions & { jobId: string }, mend: boolean): Promise<{ created: boolean; found?: JobPlace }> {
  try {
    return await addOnce(queue, name, data, opts, mend);
  } catch (e) {
    if (!NOSCRIPT.test(String((e as Error)?.message))) throw e;
    await loadScripts(await queue.backend.client);
    return addOnce(queue, name, data, opts, mend);
  }
}

const NOSCRIPT = /\bNOSCRIPT\b/;

/** Loads into Redis every script the connection defines (BullMQ's), as its first EVAL would have. */
async function loadScripts(client: RedisClient): Promise<void> {
  const scripts = Object.values((client as unknown as { scriptsSet?: Record<string, { lua: string }> }).scriptsSet ?? {});
  const pipe = client.pipeline();
  for (const s of scripts) pipe.runCommand('script', ['LOAD', s.lua]);
  for (const [err] of (await pipe.exec()) ?? []) if (err) throw err;
}

type RedisClient = Awaited<Queue['backend']['client']>;

async function addOnce<T>(queue: Queue<T>, name: string, data: T, opts: JobsOptions & { jobId: string }, mend: boolean): Promise<{ created: boolean; found?: JobPlace }> {
  const client = await queue.backend.client;
  const job = new Job(queue, name, data, { ...queue.jobsOpts, ...opts }, opts.jobId);
  const multi = client.multi();
  // sent in full (EVAL, not EVALSHA): it runs only for the rare job found without a usable place
  if (mend) multi.runCommand('eval', mendArgs(queue, opts.jobId));
  multi.runCommand('exists', [queue.toKey(opts.jobId)]);
  await job.addJob(multi);
  const answers = await multi.exec().catch((e: Error & { previousErrors?: Error[] }) => {
    // a command refused as it was queued (maxmemory reached, a read-only replica) discards the
    // MULTI: Redis's own refusal says why (redis-trouble.ts), not EXECABORT
    throw e.previousErrors?.[0] ?? e;
  });
  if (!answers || answers.length !== (mend ? 3 : 2)) throw new Error(`Redis discarded the job ${opts.jobId}'s transaction`);
  const [mendErr, found] = mend ? (answers.shift() as [Error | null, JobPlace]) : [null, undefined];
  if (mendErr) throw mendErr;
  const [[existsErr, existed], [addErr, added]] = answers;
  if (existsErr) throw existsErr;
  if (addErr) throw addErr;
  // BullMQ's own codes (a missing parent, …): none applies to a job without a parent, but not taken for an id
  if (typeof added === 'number' && added < 0) throw new Error(`BullMQ refused the job ${opts.jobId} (code ${added})`);
  return { created: Number(existed) === 0, ...(found !== undefined ? { found } : {}) };
}
