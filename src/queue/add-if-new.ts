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
  return (await addMaybeMending(queue, name, data, opts)).created;
}

/**
 * addIfNew for claimed files the rescan found without a usable job (job-places.ts): what is
 * left of each job (a record in no list, an id without its record, a record without data) is
 * cleared first, or a job failed for good put back in the failed list, in the same transaction
 * as the adds, so that what each add finds is what that mending left. One transaction for the
 * batch (distinct ids, MEND_CHUNK at most): the mending reads the lists once for all of them.
 * `found`: what the mending found (and did) of each, as the rescan says it, in the order given.
 */
export async function addManyMending<T>(queue: Queue<T>, name: string, jobs: { data: T; opts: JobsOptions & { jobId: string } }[]): Promise<{ created: boolean; found: JobPlace }[]> {
  if (jobs.length === 0) return [];
  try {
    return await addManyOnce(queue, name, jobs);
  } catch (e) {
    if (!NOSCRIPT.test(String((e as Error)?.message))) throw e;
    await loadScripts(await queue.backend.client);
    return addManyOnce(queue, name, jobs);
  }
}

async function addMaybeMending<T>(queue: Queue<T>, name: string, data: T, opts: JobsOptions & { jobId: string }): Promise<{ created: boolean }> {
  try {
    return await addOnce(queue, name, data, opts);
  } catch (e) {
    if (!NOSCRIPT.test(String((e as Error)?.message))) throw e;
    await loadScripts(await queue.backend.client);
    return addOnce(queue, name, data, opts);
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

async function addOnce<T>(queue: Queue<T>, name: string, data: T, opts: JobsOptions & { jobId: string }): Promise<{ created: boolean }> {
  const client = await queue.backend.client;
  const multi = client.multi();
  await queueAdd(queue, multi, name, data, opts);
  const answers = await execAdds(multi);
  if (answers?.length !== 2) throw new Error(`Redis discarded the job ${opts.jobId}'s transaction`);
  return { created: addAnswer(answers, 0, opts.jobId) };
}

async function addManyOnce<T>(queue: Queue<T>, name: string, jobs: { data: T; opts: JobsOptions & { jobId: string } }[]): Promise<{ created: boolean; found: JobPlace }[]> {
  const client = await queue.backend.client;
  const multi = client.multi();
  // sent in full (EVAL, not EVALSHA): it runs only for the rare jobs found without a usable place
  multi.runCommand('eval', mendArgs(queue, jobs.map((j) => j.opts.jobId)));
  for (const j of jobs) await queueAdd(queue, multi, name, j.data, j.opts);
  const what = `${jobs.length} job(s) from ${jobs[0]!.opts.jobId}`;
  const answers = await execAdds(multi);
  if (answers?.length !== 1 + 2 * jobs.length) throw new Error(`Redis discarded the transaction of ${what}`);
  const [mendErr, found] = answers[0]!;
  if (mendErr) throw mendErr;
  if (!Array.isArray(found) || found.length !== jobs.length) throw new Error(`Redis answered ${String(found)} for the mending of ${what}`);
  return jobs.map((j, i) => ({ created: addAnswer(answers, 1 + 2 * i, j.opts.jobId), found: found[i] as JobPlace }));
}

type Multi = ReturnType<RedisClient['multi']>;

/** An EXISTS of the job's key, then BullMQ's insert of it: what EXISTS answers is what the insert found. */
async function queueAdd<T>(queue: Queue<T>, multi: Multi, name: string, data: T, opts: JobsOptions & { jobId: string }): Promise<void> {
  const job = new Job(queue, name, data, { ...queue.jobsOpts, ...opts }, opts.jobId);
  multi.runCommand('exists', [queue.toKey(opts.jobId)]);
  await job.addJob(multi);
}

async function execAdds(multi: Multi): Promise<[Error | null, unknown][] | null> {
  const answers = await multi.exec().catch((e: Error & { previousErrors?: Error[] }) => {
    // a command refused as it was queued (maxmemory reached, a read-only replica) discards the
    // MULTI: Redis's own refusal says why (redis-trouble.ts), not EXECABORT
    throw e.previousErrors?.[0] ?? e;
  });
  return answers as [Error | null, unknown][] | null;
}

/** Whether the add at `at` (its EXISTS, then its insert) made the job. */
function addAnswer(answers: [Error | null, unknown][], at: number, jobId: string): boolean {
  const [[existsErr, existed], [addErr, added]] = [answers[at]!, answers[at + 1]!];
  if (existsErr) throw existsErr;
  if (addErr) throw addErr;
  // BullMQ's own codes (a missing parent, …): none applies to a job without a parent, but not taken for an id
  if (typeof added === 'number' && added < 0) throw new Error(`BullMQ refused the job ${jobId} (code ${added})`);
  return Number(existed) === 0;
}
