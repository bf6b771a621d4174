/**
 * Durable local sequence for the embedded runner. Ids are handed out from reserved blocks:
 * before the first id of a block is used, the block's end is written (atomically, fsync) as
 * the high-water mark. After a crash the sequence restarts at the mark, so an id is never
 * reused (a crash only leaves a gap). Several processes on the same state folder are
 * serialised by a lock file.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../emit/atomic-write';
import { withFileLock } from './file-lock';
import type { IdAllocator } from './id-allocator';

/** The local sequence's mark; its lock is taken by every reservation, local or Redis (redis-id-sequence.ts). */
export const HIGH_WATER_MARK = 'high-water-mark';

export interface LocalIdSequenceOptions {
  /** folder of the sequence files (state/ids) */
  dir: string;
  /** ids reserved per disk write. Default 100. */
  blockSize?: number;
  /** first id of a brand-new installation. Default 1. */
  start?: bigint;
}

export class LocalIdSequence implements IdAllocator {
  private nextId = 0n;
  private blockEnd = 0n; // exclusive
  private readonly blockSize: bigint;
  private readonly file: string;

  constructor(private readonly opts: LocalIdSequenceOptions) {
    this.blockSize = BigInt(opts.blockSize ?? 100);
    this.file = path.join(opts.dir, HIGH_WATER_MARK);
  }

  private chain: Promise<unknown> = Promise.resolve();

  /** Serialised in-process so concurrent callers never share or skip a block. */
  next(): Promise<bigint> {
    const r = this.chain.then(async () => {
      if (this.nextId >= this.blockEnd) await this.reserve();
      return this.nextId++;
    });
    this.chain = r.catch(() => undefined);
    return r;
  }

  private async reserve(): Promise<void> {
    await withFileLock(this.file + '.lock', async () => {
      const hwm = await readHighWaterMark(this.opts.dir, this.opts.start ?? 1n);
      const end = hwm + this.blockSize;
      await writeFileAtomic(this.file, `${end}\n`, { immediate: true });
      this.nextId = hwm;
      this.blockEnd = end;
    });
  }
}

/**
 * The first id not yet reserved by any local block or recorded by Redis allocators: the mark,
 * read by its name (a listing cached by an NFS client may not show it yet), and the per-process
 * marks older versions of the Redis sequence left (`hwm-<writer>`).
 */
export async function readHighWaterMark(dir: string, start = 1n): Promise<bigint> {
  let names: string[] = [];
  try {
    names = await fs.readdir(dir);
  } catch (e) {
    // no folder yet: no id was ever given. Any other failure (EMFILE, EIO) must not start the
    // sequence again from the bottom: an IdCPRO would be given twice
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return start;
    throw e;
  }
  let max = start;
  for (const n of [HIGH_WATER_MARK, ...names.filter((x) => x.startsWith('hwm-'))]) {
    if (n.endsWith('.lock') || n.endsWith('.tmp')) continue;
    let text: string;
    try {
      text = await fs.readFile(path.join(dir, n), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // none yet, or removed meanwhile
      throw e;
    }
    let v: bigint;
    try {
      v = BigInt(text.trim());
      if (text.trim() === '') throw new Error('empty');
    } catch {
      // written atomically, a mark is never half-written: this one was damaged. Skipped, the
      // sequence could start again below ids already given
      throw new Error(`the IdCPRO mark ${path.join(dir, n)} holds no number (${JSON.stringify(text.slice(0, 40))}): no IdCPRO is given until it is repaired; write into it a number above every IdCPRO given (the highest in the lifecycle records, state/invoices/)`);
    }
    if (v > max) max = v;
  }
  return max;
}
