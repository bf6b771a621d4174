/**
 * IdCPRO sequence for the distributed runner: Redis hands out blocks of ids (one atomic
 * script), and each process records the end of its block on the shared state folder
 * (`ids/hwm-<writer>`) before using any id of it.
 *
 * Redis may come back empty after a restart. Two guards make that harmless:
 *  - every reservation starts at least at the highest mark on disk (the floor), so ids used
 *    before the restart are never handed out again;
 *  - Redis keeps a random epoch, created with the counter. A block is used only if, after its
 *    mark is on disk, the epoch is still the one it was reserved in; a block reserved just
 *    before Redis lost its data is dropped (a gap, never a duplicate) and reserved again.
 * A reservation (floor read, Redis, mark written) holds the lock of the local sequence's mark:
 * a `run` on the same state folder reserves its blocks from the marks on disk alone, and
 * between a floor read and the mark that follows it, both handed out the same ids.
 */
import { randomBytes } from 'node:crypto';
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
  /** this process's name, for its mark file */
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
  private readonly markFile: string;
  private readonly blockSize: number;

  constructor(private readonly opts: RedisIdSequenceOptions) {
    const prefix = opts.prefix ?? 'chorus-flux';
    this.seqKey = `${prefix}:idcpro:seq`;
    this.epochKey = `${prefix}:idcpro:epoch`;
    this.markFile = path.join(opts.dir, `hwm-${opts.writerId.replace(/[^A-Za-z0-9_.-]/g, '_')}`);
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
      await writeFileAtomic(this.markFile, `${end}\n`, { immediate: true });
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
