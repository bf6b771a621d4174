/**
 * IdCPRO sequence for the distributed runner: Redis hands out blocks of ids (one atomic
 * script), and the end of each block is recorded in the shared state folder's mark
 * (`ids/high-water-mark`, the local sequence's too) before any id of it is used.
 *
 * Redis may come back empty after a restart. Two guards make that harmless:
 *  - every reservation starts at least at the mark on disk (the floor), so ids used before the
 *    restart are never handed out again;
 *  - Redis keeps a random epoch, created with the counter. A block is used only if, after its
 *    mark is on disk, the epoch is still the one it was reserved in; a block reserved just
 *    before Redis lost its data is dropped (a gap, never a duplicate) and reserved again.
 * A reservation (floor read, Redis, mark written) holds the lock of the mark: a `run` on the
 * same state folder reserves its blocks from the mark alone, and between a floor read and the
 * mark that follows it, both handed out the same ids.
 *
 * Each process used to write a mark of its own (`ids/hwm-<writer>`, a new name at every start
 * of every worker and thread), and every reservation listed and read them all: over the years,
 * thousands of reads on the shared storage under the installation's one IdCPRO lock, and a
 * mark made moments before missing from a listing cached by another machine's NFS client. They
 * are folded into the one mark, read by its name, at the first reservation that meets them.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { writeFileAtomic } from '../emit/atomic-write';
import { withFileLock } from './file-lock';
import type { IdAllocator } from './id-allocator';
import { HIGH_WATER_MARK, readHighWaterMark } from './local-id-sequence';

export interface RedisIdSequenceOptions {
  redis: Redis;
  /** key prefix (the BullMQ prefix of the installation). Default chorus-flux */
  prefix?: string;
  /** the shared state folder for ids (state/ids) */
  dir: string;
  /** this process's name (its mark's name, before marks were one) */
  writerId: string;
  /** ids per reservation. Default 100. */
  blockSize?: number;
}

const RESERVE = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local epoch = redis.call('GET', KEYS[2])
if not epoch then
  epoch = ARGV[3]
  redis.call('SET', KEYS[2], epoch)
end
local floor = tonumber(ARGV[2])
if cur < floor then cur = floor end
local nxt = cur + tonumber(ARGV[1])
redis.call('SET', KEYS[1], nxt)
return {tostring(nxt), epoch}
`;

export class RedisIdSequence implements IdAllocator {
  private nextId = 0n;
  private blockEnd = 0n;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly seqKey: string;
  private readonly epochKey: string;
  private readonly blockSize: number;
  /** the marks of older versions removed (once per process: only older versions make them) */
  private folded = false;

  constructor(private readonly opts: RedisIdSequenceOptions) {
    const prefix = opts.prefix ?? 'chorus-flux';
    this.seqKey = `${prefix}:idcpro:seq`;
    this.epochKey = `${prefix}:idcpro:epoch`;
    this.blockSize = opts.blockSize ?? 100;
  }

  next(): Promise<bigint> {
    const r = this.chain.then(async () => {
      if (this.nextId >= this.blockEnd) await this.reserve();
      return this.nextId++;
    });
    this.chain = r.catch(() => undefined);
    return r;
  }

  private reserve(): Promise<void> {
    return withFileLock(path.join(this.opts.dir, `${HIGH_WATER_MARK}.lock`), () => this.reserveLocked());
  }

  private async reserveLocked(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const floor = await readHighWaterMark(this.opts.dir);
      const candidate = randomBytes(8).toString('hex');
      const [endText, epoch] = (await this.opts.redis.eval(RESERVE, 2, this.seqKey, this.epochKey, String(this.blockSize), floor.toString(), candidate)) as [string, string];
      const end = BigInt(endText);
      // the mark only grows: end is at least floor + blockSize, and nobody writes it but under this lock
      await writeFileAtomic(path.join(this.opts.dir, HIGH_WATER_MARK), `${end}\n`, { immediate: true });
      if (!this.folded) {
        await removeWriterMarks(this.opts.dir);
        this.folded = true;
      }
      const now = await this.opts.redis.get(this.epochKey);
      if (now === epoch) {
        this.nextId = end - BigInt(this.blockSize);
        this.blockEnd = end;
        return;
      }
      // Redis lost its data between the reservation and the mark: drop the block, reserve again
      if (attempt > 20) throw new Error('could not reserve an IdCPRO block: the Redis sequence keeps being reset');
    }
  }
}

/**
 * Removes the per-process marks of older versions (`hwm-<writer>`), once the one mark, written
 * and fsynced just before, holds a value above them all (the floor it was made from read them).
 */
async function removeWriterMarks(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  for (const n of names) if (n.startsWith('hwm-') && !n.endsWith('.lock') && !n.endsWith('.tmp')) await fs.rm(path.join(dir, n), { force: true });
}
