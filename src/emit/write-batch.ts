/**
 * Group commit of one inbound file's writes. Inside `withWriteBatch`, an atomic write renames
 * its temp file at once but keeps the descriptor open; `commitWrites()` then fsyncs every
 * file of the batch together and every folder once, before the journal records the outcome.
 * A file's writes cost one round of flushes instead of one flush after another (the device
 * serialises flushes: here about 0.5 ms each), and concurrent files share them.
 * The guarantee is unchanged: nothing is journaled before what it lists is on disk; a crash
 * before the commit leaves the file unmarked, so it is processed again, with the same names.
 *
 * A batch keeps at most MAX_OPEN descriptors: past that, the writer syncs and closes those it
 * holds before going on (their folders still wait for the commit). A pivot of 400 invoices
 * writes a thousand files (pivot, lifecycle records, CDAR messages): held open, they hit the
 * usual limit of 1,024 descriptors (EMFILE) and the file could never be processed.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import fsc from 'node:fs';
import { promisify } from 'node:util';

/** fsync of a descriptor on the thread pool (it waits for the device). */
export const fsyncFd = promisify(fsc.fsync);

/** Closes a descriptor in place (closing only releases it: no thread-pool round trip), ignoring one already closed. */
export function closeQuietly(fd: number): void {
  try {
    fsc.closeSync(fd);
  } catch {
    /* already closed */
  }
}

/**
 * Descriptors one batch holds open at most. Files in flight (8 per thread by default) each
 * have their batch: 16 × 32 leaves room under a limit of 1,024.
 */
export const MAX_OPEN = 32;

export class WriteBatch {
  private fds: number[] = [];
  private dirs = new Set<string>();

  /** Holds `fd` (written, renamed) until the commit; true when the batch is full and should be synced (syncOpen). */
  add(fd: number, dir: string): boolean {
    this.fds.push(fd);
    this.dirs.add(dir);
    return this.fds.length >= MAX_OPEN;
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

  async commit(fsyncDir: (dir: string) => Promise<void>): Promise<void> {
    const fds = this.fds;
    const dirs = [...this.dirs];
    this.fds = [];
    this.dirs = new Set();
    try {
      await Promise.all(fds.map((fd) => fsyncFd(fd)));
    } finally {
      for (const fd of fds) closeQuietly(fd);
    }
    await Promise.all(dirs.map((d) => fsyncDir(d)));
  }

  /** Closes what is open without syncing (the file failed; nothing will be journaled). */
  async abandon(): Promise<void> {
    const fds = this.fds;
    this.fds = [];
    this.dirs = new Set();
    for (const fd of fds) closeQuietly(fd);
  }
}

const storage = new AsyncLocalStorage<WriteBatch>();

export function currentBatch(): WriteBatch | undefined {
  return storage.getStore();
}

export async function withWriteBatch<T>(fn: () => Promise<T>): Promise<T> {
  const batch = new WriteBatch();
  try {
    return await storage.run(batch, fn);
  } finally {
    await batch.abandon();
  }
}
