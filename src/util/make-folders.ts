/**
 * Makes a folder and its missing parents one at a time. Node's recursive mkdir loops for ever
 * under /proc (mkdir says ENOENT there, and it retries the parent, which exists, then the
 * folder again), and elsewhere reports a read-only parent as ENOENT; made one by one, the
 * first folder refused is named with its own error.
 */
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { nearestExisting } from './real-path';
import { describeErrorCode } from './system-error-hint';

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Undefined when `dir` exists (made or already there); else the folder refused and why, for the operator. */
export function makeFolders(dir: string): { refused: string; why: string } | undefined {
  const { head, tail } = nearestExisting(dir);
  let at = head;
  for (const name of tail) {
    at = path.join(at, name);
    try {
      mkdirSync(at);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      if (code === 'EEXIST' && isDir(at)) continue; // made meanwhile by another process
      // ENOENT under a folder that exists: a file system that takes no new folders (/proc)
      return { refused: at, why: code === 'ENOENT' ? 'ENOENT: this file system takes no new folders' : describeErrorCode(code) };
    }
  }
  return undefined;
}
