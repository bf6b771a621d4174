/**
 * A lock that holds across processes and machines sharing one storage: a lock file created
 * with O_EXCL. A lock older than `staleMs` (its holder crashed) is broken. Within a process
 * the same path is also serialised in memory, so the file is only fought over between processes.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface LockOptions {
  /** a lock file older than this is considered abandoned. Default 60 s. */
  staleMs?: number;
  /** give up after this long. Default 30 s. */
  timeoutMs?: number;
}

const local = new Map<string, Promise<unknown>>();

async function acquire(lockPath: string, staleMs: number, timeoutMs: number): Promise<void> {
  const started = Date.now();
  let wait = 2;
  await fs.mkdir(path.dirname(lockPath), { recursive: true });
  for (;;) {
    try {
      const fh = await fs.open(lockPath, 'wx');
      await fh.writeFile(`${os.hostname()} ${process.pid} ${new Date().toISOString()}\n`);
      await fh.close();
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    try {
      const st = await fs.stat(lockPath);
      if (Date.now() - st.mtimeMs > staleMs) {
        // break an abandoned lock: rename it away first so two breakers cannot both win
        const grave = `${lockPath}.stale.${process.pid}.${Date.now()}`;
        await fs.rename(lockPath, grave).then(() => fs.rm(grave, { force: true }), () => undefined);
        continue;
      }
    } catch {
      continue; // released meanwhile
    }
    if (Date.now() - started > timeoutMs) throw new Error(`could not lock ${lockPath} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, wait));
    wait = Math.min(wait * 2, 50);
  }
}

export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const prev = local.get(lockPath) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const chained = prev.then(() => mine);
  local.set(lockPath, chained);
  await prev.catch(() => undefined);
  try {
    await acquire(lockPath, opts.staleMs ?? 60_000, opts.timeoutMs ?? 30_000);
    try {
      return await fn();
    } finally {
      await fs.rm(lockPath, { force: true });
    }
  } finally {
    release();
    if (local.get(lockPath) === chained) local.delete(lockPath);
  }
}
