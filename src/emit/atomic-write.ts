/**
 * Atomic file writes: a temp file in the same folder (dot-prefixed, .tmp suffix, so no
 * watcher or reader takes it), fsync, rename over the final name, fsync the folder.
 * A reader sees the old file or the new one, never half of one; a crash leaves at most a
 * temp file, which `sweepTempFiles` removes.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const TEMP_SUFFIX = '.tmp';
const HOST = os.hostname().replace(/[^A-Za-z0-9-]/g, '_');

/** `.name.<host>~<pid>~<random>.tmp`: the writer is known, so a sweep can tell an orphan. */
export function tempNameFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${HOST}~${process.pid}~${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
}

function writerAlive(name: string): boolean | undefined {
  const m = /\.([A-Za-z0-9_-]+)~(\d+)~[0-9a-f]+\.tmp$/.exec(name);
  if (!m || m[1] !== HOST) return undefined; // another machine's, or an old name: judge by age
  try {
    process.kill(Number(m[2]), 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function fsyncDir(dir: string): Promise<void> {
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(dir, 'r');
    await fh.sync();
  } catch {
    // some file systems refuse fsync on a directory; the rename is still atomic
  } finally {
    await fh?.close();
  }
}

export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(target);
  await fs.mkdir(dir, { recursive: true });
  const tmp = tempNameFor(target);
  const fh = await fs.open(tmp, 'wx', 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  try {
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fsyncDir(dir);
}

/** Creates `target` only if it does not exist (O_EXCL); false when it already exists. */
export async function createExclusive(target: string, data: string): Promise<boolean> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  try {
    const fh = await fs.open(target, 'wx', 0o644);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/**
 * Removes temp files left by a crash in a folder tree; returns how many. A temp file of a
 * process of this machine that is gone is removed at once; any other one once older than
 * `olderThanMs` (a live writer finishes in milliseconds).
 */
export async function sweepTempFiles(root: string, olderThanMs = 3600_000): Promise<number> {
  let removed = 0;
  const now = Date.now();
  async function walk(dir: string): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.startsWith('.') && e.name.endsWith(TEMP_SUFFIX)) {
        try {
          const st = await fs.stat(p);
          const alive = writerAlive(e.name);
          if (alive === false || (alive === undefined && now - st.mtimeMs >= olderThanMs)) {
            await fs.rm(p, { force: true });
            removed++;
          }
        } catch {
          /* gone already */
        }
      }
    }
  }
  await walk(root);
  return removed;
}
