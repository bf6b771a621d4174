/**
 * `run --remove`: a file is removed from the inbox once its outcome is journaled and marked, as
 * `watch` claims files out of theirs; its copy is in archive/ or error/ (or, already processed,
 * was kept the first time). Without it an inbox `run` reads every few minutes keeps every file
 * for ever: each run hashes them all again, and once their processed marks are pruned they are
 * taken as new deposits. A file is removed only if it is still the one that was taken: a
 * partner uploading a file of the same name meanwhile keeps it.
 */
import { statSync, unlinkSync } from 'node:fs';

export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

/** The identity of the file at `p` now; undefined when there is none. */
export function identityOf(p: string | Buffer): FileIdentity | undefined {
  const st = statSync(p, { throwIfNoEntry: false });
  return st && { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
}

/** Whether two identities are those of one file, unchanged. */
export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

/** Removes `p` if it is still the file `taken` identifies. */
export function removeIfUnchanged(p: string | Buffer, taken: FileIdentity): 'removed' | 'changed' | 'gone' {
  const now = identityOf(p);
  if (!now) return 'gone';
  if (!sameFile(now, taken)) return 'changed';
  try {
    unlinkSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw e;
  }
  return 'removed';
}
