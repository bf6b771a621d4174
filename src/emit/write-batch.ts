/**
 * Group commit of one inbound file's writes. An atomic write given the file's batch (`batch`
 * option; `withWriteBatch` makes one) renames its temp file at once but keeps the descriptor
 * open; `commitWrites(batch)` then fsyncs every file of the batch together and every folder
 * once, before the journal records the outcome.
 * A file's writes cost one round of flushes instead of one flush after another (the device
 * serialises flushes: here about 0.5 ms each), and concurrent files share them: a folder
 * fsynced by another file's commit after this batch gave its names there is not fsynced again
 * (nameGiven, atomic-write.ts fsyncDir).
 * The guarantee is unchanged: nothing is journaled before what it lists is on disk; a crash
 * before the commit leaves the file unmarked, so it is processed again, with the same names.
 *
 * A batch keeps a few dozen descriptors at most: past that, the writer syncs and closes those it
 * holds before going on (their folders still wait for the commit). A pivot of 400 invoices
 * writes a thousand files (pivot, lifecycle records, CDAR messages): held open, they hit the
 * usual limit of 1,024 descriptors (EMFILE) and the file could never be processed.
 *
 * The batch is passed along (PipelineDeps.batch, the file's view of the outbox and lifecycle
 * store), not found through an AsyncLocalStorage: one of those, once used, makes Node run its
 * async hooks for every promise of the thread (about 280 per file): 2 % of the instructions of
 * a run without Factur-X (docs/PERFORMANCE.md, thirty-first round).
 */
import fsc from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

/** fsync of a descriptor on the thread pool (it waits for the device). */
export const fsyncFd = promisify(fsc.fsync);

/**
 * Names given in folders (renames, links), numbered in the order they were given in this
 * thread: a folder fsync requested once name n was given makes every name up to n in that
 * folder durable, so a batch whose names in a folder were all given before another batch's
 * fsync of it was requested needs no fsync of its own there (atomic-write.ts, fsyncDir).
 */
let namesGiven = 0;

/** Numbers a name just given (its rename or link returned); the number is what fsyncDir is told. */
export function nameGiven(): number {
  return ++namesGiven;
}

/** The number of the last name given in this thread (what a folder fsync requested now covers). */
export function lastNameGiven(): number {
  return namesGiven;
}

/** Closes a descriptor in place (closing only releases it: no thread-pool round trip), ignoring one already closed. */
export function closeQuietly(fd: number): void {
  try {
    fsc.closeSync(fd);
  } catch {
    /* already closed */
  }
}

/**
 * Descriptors one batch holds open at most, by default. Each file in flight has its batch:
 * the runners lower it (setMaxOpenPerBatch) so that their files in flight together use at
 * most half the process's limit of descriptors — 16 files × 32 under the usual 1,024.
 */
export const MAX_OPEN = 32;

let maxOpen = MAX_OPEN;

/** The descriptors per batch for `filesInFlight` files at once under a limit of `limit` descriptors (4 to MAX_OPEN). */
export function maxOpenPerFile(filesInFlight: number, limit: number | undefined): number {
  if (limit === undefined) return MAX_OPEN;
  return Math.max(4, Math.min(MAX_OPEN, Math.floor(limit / 2 / Math.max(1, filesInFlight))));
}

/** Sets the descriptors one batch of this thread holds at most (the runners, at start). */
export function setMaxOpenPerBatch(n: number): void {
  maxOpen = Math.max(1, Math.floor(n));
}

/** A written file whose name is given at the commit: its temp name, its name, how it is given. */
export interface DeferredName {
  tmp: string;
  target: string;
  give: (tmp: string, target: string) => void;
}

export class WriteBatch {
  private fds: number[] = [];
  /** folders written in, with the number of the last name given in each (nameGiven) */
  private dirs = new Map<string, number>();
  private deferred: DeferredName[] = [];

  /**
   * An output a partner takes (pivot/, statut/, cdar/) keeps its temp name until the commit:
   * renamed as it was written, a big flow's first chunk stood in its outbox for seconds before
   * the file's outcome was journaled, and a transfer could take it, a crash follow, and the
   * next run send it again unseen. Named at the commit, just before the journal line.
   */
  defer(d: DeferredName): void {
    this.deferred.push(d);
  }

  /**
   * Holds `fd` until the commit; true when the batch is full and should be synced (syncOpen).
   * `given`: the number of its name in `dir` (nameGiven), or undefined for a deferred name,
   * whose folder the commit records when it gives the name.
   */
  add(fd: number, dir: string, given?: number): boolean {
    this.fds.push(fd);
    if (given !== undefined) this.named(dir, given);
    return this.fds.length >= maxOpen;
  }

  private named(dir: string, given: number): void {
    this.dirs.set(dir, Math.max(given, this.dirs.get(dir) ?? 0));
  }

  /** Fsyncs and closes the descriptors held so far; their folders wait for the commit. */
  async syncOpen(): Promise<void> {
    const fds = this.fds;
    this.fds = [];
    try {
      await Promise.all(fds.map((fd) => fsyncFd(fd)));
    } finally {
      for (const fd of fds) closeQuietly(fd);
    }
  }

  async commit(fsyncDir: DirSync): Promise<void> {
    const fds = this.fds;
    this.fds = [];
    try {
      await Promise.all(fds.map((fd) => fsyncFd(fd)));
    } finally {
      for (const fd of fds) closeQuietly(fd);
    }
    // their content is on disk: the outputs take their names. A failure here fails the file,
    // which is processed again with the same names; those not named yet stay for abandon()
    // to remove, not left as temp files a long-running worker never sweeps
    while (this.deferred.length > 0) {
      const d = this.deferred[0];
      d.give(d.tmp, d.target);
      this.deferred.shift();
      this.named(path.dirname(d.target), nameGiven());
    }
    const dirs = [...this.dirs];
    this.dirs = new Map();
    // a few at a time: a pivot's lifecycle records alone touch a hundred folders, each fsync
    // holding a descriptor. A folder another file's commit fsynced since this batch's last name
    // in it is not fsynced again (fsyncDir)
    for (let k = 0; k < dirs.length; k += maxOpen) await Promise.all(dirs.slice(k, k + maxOpen).map(([d, given]) => fsyncDir(d, given)));
  }

  /** Closes what is open without syncing, and removes the outputs never named (the file failed; nothing will be journaled). */
  async abandon(): Promise<void> {
    const fds = this.fds;
    this.fds = [];
    this.dirs = new Map();
    for (const fd of fds) closeQuietly(fd);
    const deferred = this.deferred;
    this.deferred = [];
    for (const d of deferred) {
      try {
        fsc.unlinkSync(d.tmp);
      } catch {
        /* gone already */
      }
    }
  }
}

/** Makes the names given in `dir` up to number `given` (nameGiven) durable. */
export type DirSync = (dir: string, given: number) => Promise<void>;

/** How a folder is made durable (atomic-write.ts gives its coalescing fsyncDir at load: no import cycle). */
let dirSync: DirSync = async () => undefined;

export function useDirSync(fn: DirSync): void {
  dirSync = fn;
}

/** Runs `fn` with a new batch, which is committed after it (if `fn` did not) and abandoned on failure. */
export async function withWriteBatch<T>(fn: (batch: WriteBatch) => Promise<T>): Promise<T> {
  const batch = new WriteBatch();
  try {
    const result = await fn(batch);
    // every path that writes an output commits before it journals; should one not (a fault
    // of chorus-flux), its outputs are named and made durable all the same rather than lost
    await batch.commit(dirSync);
    return result;
  } finally {
    await batch.abandon();
  }
}
