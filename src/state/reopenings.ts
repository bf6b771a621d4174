/**
 * The reopenings of refused contents (`chorus-flux reprocess`): a file refused because of our
 * side (an unknown recipient, a code service missing from the configuration) put back into its
 * partner's inbox once the configuration is fixed, to be processed as a new attempt.
 *
 * A content's current reopening is one small file beside its mark,
 * `state/files/<xx>/<sha256>.reopen`, rewritten atomically (and durably) at each step, so that
 * the command killed anywhere and run again continues where it stopped:
 *
 *   1. the reopening decided (who, why, which refusal: the refused mark's `at`);
 *   2. its `reopened` journal line written (`journaledAt`): before anything is retired;
 *   3. the refused attempt's record, then its mark, renamed to history names (retireMark):
 *      the same bytes deposited next are a new attempt, with a new flow salt (flow-id.ts); a
 *      refused file left in the inbox is given its new receipt time before (reprocess.ts);
 *   4. the copy's name chosen (`copyTo`), recorded before the copy is linked there;
 *   5. the copy made (`copied`).
 *
 * History names (`<sha256>.retired-<16 hex>.mark|attempt|reopen`) are never read by the
 * pipeline (they match neither MARK_FILE nor ATTEMPT_FILE); `prune` removes them once they are
 * older than the retention (prune-marks.ts), the retention counting from the reopening.
 */
import { existsSync, promises as fs, utimesSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../emit/atomic-write';
import { readFileIfExists } from '../util/read-if-exists';
import { sha256 } from '../util/hash';

/** The current reopening of a content, and the history names of what a reopening retired. */
export const REOPEN_FILE = /^[0-9a-f]{64}\.reopen$/;
export const RETIRED_FILE = /^[0-9a-f]{64}\.retired-[0-9a-f]{16}\.(mark|attempt|reopen)$/;

export interface ReopenRecord {
  sha256: string;
  /** the file's name as the partner gave it (the last part of `file`; its kept original in error/ may be hash-tagged) */
  name: string;
  /** its path relative to the inbox, as journaled (`<partner>/<name>`) */
  file: string;
  partner: string;
  /** the OS user who reopened it */
  by: string;
  /** the operator's words, whole */
  reason: string;
  /** the day of the refused attempt's receipt (its error/<day>/ folder) */
  refusedDay: string;
  /** the refused mark's `at`: which outcome this reopening is of */
  refusedAt: string;
  /** the kept original, relative to the output root (error/<day>/<name>) */
  original: string;
  /** when the reopening was decided */
  at: string;
  /** the folder the copy goes to (absolute), settled when the reopening is decided */
  dir?: string;
  /** the `ts` of its `reopened` journal line, once journaled */
  journaledAt?: string;
  /** where the copy goes (absolute), chosen before it is made */
  copyTo?: string;
  /** the copy is made */
  copied?: boolean;
  /** the refused file was still in the inbox under its name (a `run` without --remove): it was given a new receipt time instead of a copy */
  inPlace?: boolean;
}

/** A reopening's id: of the content and of the refusal it reopens (two reopenings of one content differ). */
export function reopenId(rec: Pick<ReopenRecord, 'sha256' | 'refusedAt'>): string {
  return sha256(`${rec.sha256}\u0000${rec.refusedAt}`).slice(0, 16);
}

export class Reopenings {
  constructor(private readonly stateDir: string) {}

  private dirFor(sha: string): string {
    return path.join(this.stateDir, 'files', sha.slice(0, 2));
  }

  fileFor(sha: string): string {
    return path.join(this.dirFor(sha), `${sha}.reopen`);
  }

  /** The current reopening of a content, or undefined (none, or one that cannot be read: it was never durable). */
  get(sha: string): ReopenRecord | undefined {
    const bytes = readFileIfExists(this.fileFor(sha));
    if (bytes === undefined) return undefined;
    try {
      const rec = JSON.parse(bytes.toString('utf8')) as ReopenRecord;
      if (typeof rec !== 'object' || rec === null || rec.sha256 !== sha || typeof rec.refusedAt !== 'string') return undefined;
      return rec;
    } catch {
      return undefined;
    }
  }

  /** Durable when it returns: each step is recorded before the next begins. */
  async put(rec: ReopenRecord): Promise<void> {
    await writeFileAtomic(this.fileFor(rec.sha256), JSON.stringify(rec) + '\n', { immediate: true });
  }

  /**
   * Renames the content's `<kind>` file (`json` its mark, `attempt` its attempt record,
   * `reopen` a finished reopening) to its history name for the reopening `id`; false when it
   * was not there (retired already). Its mtime is set to now: the history is kept a retention
   * from the reopening, not from the refusal. The rename is durable (the folder fsynced).
   */
  async retire(sha: string, kind: 'json' | 'attempt' | 'reopen', id: string): Promise<boolean> {
    const dir = this.dirFor(sha);
    const from = path.join(dir, `${sha}.${kind}`);
    const to = path.join(dir, `${sha}.retired-${id}.${kind === 'json' ? 'mark' : kind}`);
    try {
      await fs.rename(from, to);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
    const now = new Date();
    try {
      utimesSync(to, now, now);
    } catch {
      /* its age only decides when prune takes it */
    }
    const fh = await fs.open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    return true;
  }

  /** Whether a history file of this reopening is there (for tests and trace's notes). */
  retired(sha: string, kind: 'json' | 'attempt', id: string): boolean {
    return existsSync(path.join(this.dirFor(sha), `${sha}.retired-${id}.${kind === 'json' ? 'mark' : kind}`));
  }
}
