/**
 * The cost of the watcher's rescan mending what a Redis that evicts keys left of the claimed
 * files' jobs (src/queue/job-places.ts, MEND in the add's transaction, add-if-new.ts): a backlog
 * of jobs all waiting, then every record evicted (their ids left in `wait`), each file then
 * found `id-without-record` and its job made again, MEND_CHUNK files per transaction as the rescan does.
 * A redis-server of its own on a free port, no persistence. Not part of `npm run bench`.
 * Run: `node -r ./test/helpers/ts-register.js bench/rescan-mend.ts [files…]`
 */
import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import { addManyMending } from '../src/queue/add-if-new';
import { jobPlaces, MEND_CHUNK } from '../src/queue/job-places';
import { commandUsec, withOwnRedis } from './own-redis';


async function main(): Promise<void> {
  await withOwnRedis(async (redis) => {
    const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
    for (const n of sizes.length ? sizes : [2000, 5000, 20000]) {
      await redis.flushall(); // the bench's own server
      const queue = new Queue('flux', { connection: redis, prefix: 'bench' });
      const ids = Array.from({ length: n }, (_, k) => `${k.toString(16).padStart(40, '0')}-claim${k}`);
      const dataOf = (id: string) => ({ path: `/x/${id}`, sha256: id });
      for (let k = 0; k < n; k += 1000) await queue.addBulk(ids.slice(k, k + 1000).map((id) => ({ name: 'flux', data: dataOf(id), opts: { jobId: id } })));
      const evict = redis.pipeline();
      for (const id of ids) evict.del(`bench:flux:${id}`);
      await evict.exec();
      const before = await redis.info('commandstats');
      const t = performance.now();
      // the rescan: places read (lists once), then each file's add with its mending, in turn
      const places = await jobPlaces(queue, ids);
      const tPlaces = performance.now() - t;
      if (places.some((p) => p !== 'id-without-record')) throw new Error(`not all id-without-record: ${places.find((p) => p !== 'id-without-record')}`);
      for (let k = 0; k < ids.length; k += MEND_CHUNK) {
        const chunk = ids.slice(k, k + MEND_CHUNK);
        const added = await addManyMending(queue, 'flux', chunk.map((id) => ({ data: dataOf(id), opts: { jobId: id } })));
        if (added.some((r) => !r.created || r.found !== 'id-without-record')) throw new Error(`${JSON.stringify(added.find((r) => !r.created || r.found !== 'id-without-record'))}`);
      }
      const wall = performance.now() - t;
      const after = await redis.info('commandstats');
      const evalMs = (commandUsec(after, 'eval') - commandUsec(before, 'eval')) / 1000;
      const wait = await redis.lrange('bench:flux:wait', 0, -1);
      if (wait.length !== n || new Set(wait).size !== n) throw new Error(`wait holds ${wait.length} ids, ${new Set(wait).size} distinct`);
      console.log(`${n} waiting, records evicted: rescan ${(wall / 1000).toFixed(2)} s (places ${tPlaces.toFixed(0)} ms), Redis in the mending ${(evalMs / 1000).toFixed(2)} s, ${(evalMs / n).toFixed(3)} ms per file mended`);
      await queue.close();
    }
  });
}

void main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
