/**
 * A job whose record vanished from Redis while a worker was on it: Redis restarted without its
 * data (no persistence), or was flushed. The worker ends the job all the same, and BullMQ, asked
 * to record the end, answers "Missing key for job <id>. moveToFinished" — once for the end, once
 * more for the failure it then tries to record instead.
 *
 * Nothing is wrong: what the job did is on disk (a file's outcome journaled and marked, a
 * reconciliation's report), and a file whose attempt failed waits in processing/, where the
 * watcher's rescan queues it again. So it is no Redis trouble (Redis answered: /healthz stays
 * up) and no fault to look into: one line per job, saying what stands.
 */

/** BullMQ's words for a job whose key is gone (finished-errors.ts, ErrorCode.JobNotExist). */
const MISSING_JOB = /^Missing key for job (.+)\. (\w+)$/;

/** The job id BullMQ names when the job's record is gone, or undefined for another error. */
export function vanishedJobId(err: unknown): string | undefined {
  return MISSING_JOB.exec(String((err as { message?: unknown } | undefined)?.message ?? err))?.[1];
}

/** What a job's processor did, as the line says it: `subject` (its file), and what stands on disk. */
export interface EndedJob {
  /** what the job was about: `job <id> (op-alpha/a.xml)` */
  subject: string;
  /** what stands: `its outcome (accepted) stands, journaled and marked on disk` */
  stands: string;
  /** the line's level: info when the work is done, warn when it waits to be done again */
  level: 'info' | 'warn';
}

/** Jobs remembered at most: those BullMQ never answered about (a worker closed mid-way). */
const REMEMBERED = 1000;

/** Jobs whose processor ended and whose end BullMQ has not recorded yet, and those already said. */
export class VanishedJobs {
  private readonly ended = new Map<string, EndedJob>();
  private readonly said = new Set<string>();

  /** `unknownJob`: what to say of a job this worker did not see end (forgotten, or another queue's) */
  constructor(private readonly unknownJob: (jobId: string) => EndedJob) {}

  /** The processor ended this job (returned or threw). */
  end(jobId: string | undefined, what: EndedJob): void {
    if (jobId === undefined) return;
    remember(this.ended, jobId, what);
  }

  /** BullMQ recorded the job's end (completed, failed): nothing vanished. */
  recorded(jobId: string | undefined): void {
    if (jobId !== undefined) this.ended.delete(jobId);
  }

  /**
   * The line for an error about a vanished job (none for the second error of the same job: it is
   * dropped), or undefined for any other error.
   */
  explain(err: unknown): { line?: EndedJob & { msg: string }; jobId: string } | undefined {
    const jobId = vanishedJobId(err);
    if (jobId === undefined) return undefined;
    if (this.said.has(jobId)) return { jobId };
    remember(this.said, jobId);
    const what = this.ended.get(jobId) ?? this.unknownJob(jobId);
    this.ended.delete(jobId);
    return { jobId, line: { ...what, msg: `${what.subject}: its record vanished from Redis as the worker ended it (Redis restarted without its data, or was flushed): ${what.stands}` } };
  }
}

function remember<K>(into: Map<K, unknown> | Set<K>, key: K, value?: unknown): void {
  if (into instanceof Map) into.set(key, value);
  else into.add(key);
  if (into.size > REMEMBERED) into.delete(into.keys().next().value as K);
}
