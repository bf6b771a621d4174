/**
 * Child process of the id-allocation test: allocates N IdCPRO from the Redis sequence (a
 * worker's) or the local one (a `run`'s) and prints them, one per line.
 * argv: redisUrl prefix stateDir writerId count [redis|local] [blockSize]
 */
import { createRedis } from '../../../src/queue/redis';
import type { IdAllocator } from '../../../src/state/id-allocator';
import { LocalIdSequence } from '../../../src/state/local-id-sequence';
import { RedisIdSequence } from '../../../src/state/redis-id-sequence';

async function main(): Promise<void> {
  const [url, prefix, dir, writer, count, kind = 'redis', block = '50'] = process.argv.slice(2);
  const blockSize = Number(block);
  const redis = kind === 'redis' ? createRedis({ url }) : undefined;
  const seq: IdAllocator = redis ? new RedisIdSequence({ redis, prefix, dir, writerId: writer, blockSize }) : new LocalIdSequence({ dir, blockSize: blockSize });
  const out: string[] = [];
  const n = Number(count);
  // several concurrent callers inside the process as well
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (out.length < n) {
      const id = await seq.next();
      if (out.length < n) out.push(id.toString());
    }
  }));
  process.stdout.write(out.join('\n') + '\n');
  await redis?.quit();
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e));
  process.exit(1);
});
