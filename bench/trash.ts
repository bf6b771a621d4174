/**
 * Where the benchmarks put the folders they are done with, so that removing them does not tax
 * the benchmark that runs next.
 *
 * On ext4 without a journal (this project's machines), a freed inode is skipped, and its inode
 * table block looked up, by every file creation in its block group for 60 s after the
 * deletion, and for up to 6 minutes while that block is not yet written back
 * (`recently_deleted()` in fs/ext4/ialloc.c: RECENTCY_MIN 60 s + RECENTCY_DIRTY 300 s). The
 * pipeline bench ends with half a million files to remove (the soak's outputs, the two runs'),
 * and the scale bench starts right after it: its workers' file creations paid for them
 * (measured: 24 µs per creation in a quiet folder, 110–160 µs in the minutes after such a
 * removal). A production worker frees one inode per file it finishes, which the benchmarks
 * keep doing; only the mass removals between benchmarks are an artefact.
 *
 * So a folder is renamed into the trash (no inode freed), and the trash is emptied once, when
 * `npm run bench` (or a benchmark run alone) is over, or at once when the disk runs short.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../src/util/project-root';

const CACHE = path.join(projectRoot(), '.cache', 'bench');
const TRASH = path.join(CACHE, 'trash');
/** written when the trash is emptied: the next benchmark says when that was */
const EMPTIED = path.join(CACHE, '.trash-emptied');
/** below this much free space the trash is emptied at once (the benchmarks write gigabytes) */
const MIN_FREE_BYTES = 8 * 1024 ** 3;
/** how long file creations pay for a mass removal (see above) */
const RECENTCY_MS = 360_000;

let count = 0;

function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return Number(s.bavail) * Number(s.bsize);
}

/** Moves `dir` into the trash (removed later by emptyTrash); a folder that does not exist is ignored. */
export function discard(dir: string): void {
  if (!existsSync(dir)) return;
  mkdirSync(TRASH, { recursive: true });
  const target = path.join(TRASH, `${process.pid}-${Date.now()}-${count++}-${path.basename(dir)}`);
  try {
    renameSync(dir, target);
  } catch {
    rmSync(dir, { recursive: true, force: true }); // another file system: removed in place
    return;
  }
  if (freeBytes(CACHE) < MIN_FREE_BYTES) {
    process.stderr.write('bench: the disk runs short; emptying the trash now (file creations in the next minutes will be slower)\n');
    emptyTrash();
  }
}

/** Removes everything in the trash (at the end of a benchmark run). */
export function emptyTrash(): void {
  if (!existsSync(TRASH)) return;
  const entries = readdirSync(TRASH);
  if (entries.length === 0) return;
  rmSync(TRASH, { recursive: true, force: true });
  writeFileSync(EMPTIED, new Date().toISOString());
}

/**
 * A warning when the trash was emptied within the last 6 minutes: the file creations of a
 * benchmark started now pay for it (its figures would be pessimistic). Undefined otherwise.
 */
export function recentRemovalWarning(now = Date.now()): string | undefined {
  if (!existsSync(EMPTIED)) return undefined;
  const ago = now - statSync(EMPTIED).mtimeMs;
  if (ago >= RECENTCY_MS) return undefined;
  return `bench: the previous benchmark's files were removed ${Math.round(ago / 1000)} s ago; on ext4 without a journal file creations are slower for up to ${RECENTCY_MS / 60_000} minutes after that (wait for figures to compare)`;
}

/** How long a benchmark started now would still pay for the last emptying of the trash (ms; 0 when nothing was removed lately). */
export function recentRemovalLeftMs(now = Date.now()): number {
  if (!existsSync(EMPTIED)) return 0;
  return Math.max(0, RECENTCY_MS - (now - statSync(EMPTIED).mtimeMs));
}

/** Free space below which `npm run bench` warns before starting: its runs write more than 10 GB. */
const WARN_FREE_BYTES = 16 * 1024 ** 3;

/** A warning when the disk holding the benchmarks' folders has less than 16 GB free. Undefined otherwise. */
export function lowDiskWarning(): string | undefined {
  mkdirSync(CACHE, { recursive: true });
  const free = freeBytes(CACHE);
  if (free >= WARN_FREE_BYTES) return undefined;
  return `bench: only ${(free / 1024 ** 3).toFixed(1)} GB free under ${CACHE}; the full run writes more than 10 GB (finished runs are removed when the disk runs short, at the price of slower file creations afterwards)`;
}
