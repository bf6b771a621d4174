/**
 * Child process of the id-allocation test: allocates N IdCPRO from the Redis sequence and
 * prints them, one per line. argv: redisUrl prefix stateDir writerId count
 */
import { createRedis } from '../../../src/queue/redis';
import { RedisIdSequence } from '../../../src/state/redis-id-sequence';

async function main(): Promise<void> {
  const [url, prefix, dir, writer, count] = process.argv.slice(2);
  const redis = createRedis({ url });
  const seq = new RedisIdSequence({ redis, prefix, dir, writerId: writer, blockSize: 50 });
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
  await redis.quit();
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e));
  process.exit(1);
});
