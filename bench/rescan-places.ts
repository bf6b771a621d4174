/**
 * The cost of the watcher's rescan asking Redis where each claimed file's job stands
 * (src/queue/job-places.ts), against the EXISTS of each record it asked until 2026-12-07, for a
 * backlog of claimed files whose jobs all wait (the lists read in full: the worst case) or all
 * failed. A redis-server of its own on a free port, no persistence. Not part of `npm run bench`.
 * Run: `node -r ./test/helpers/ts-register.js bench/rescan-places.ts [files…]`
 */
import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import { jobPlaces } from '../src/queue/job-places';
import { commandUsec, withOwnRedis } from './own-redis';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  await withOwnRedis(async (redis) => {
    const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
    for (const n of sizes.length ? sizes : [1000, 5000]) {
      for (const state of ['waiting', 'failed'] as const) {
        await redis.flushall(); // the bench's own server
        const queue = new Queue('flux', { connection: redis, prefix: 'bench' });
        const ids = Array.from({ length: n }, (_, k) => `${k.toString(16).padStart(40, '0')}-claim${k}`);
        for (let k = 0; k < n; k += 1000) await queue.addBulk(ids.slice(k, k + 1000).map((id) => ({ name: 'flux', data: { path: `/x/${id}`, sha256: id }, opts: { jobId: id } })));
        if (state === 'failed') {
          const m = redis.multi();
          for (const id of ids) m.lrem('bench:flux:wait', 0, id).zadd('bench:flux:failed', Date.now(), id).hset(`bench:flux:${id}`, 'finishedOn', Date.now(), 'failedReason', 'x');
          await m.exec();
        }
        const client = await queue.backend.client;
        const oldWay = async () => {
          for (let k = 0; k < ids.length; k += 500) {
            const pipe = client.pipeline();
            for (const id of ids.slice(k, k + 500)) pipe.runCommand('exists', [queue.toKey(id)]);
            await pipe.exec();
          }
        };
        const newWay = async () => {
          const places = await jobPlaces(queue, ids);
          if (places.some((p) => p !== 'held')) throw new Error(`not all held: ${places.find((p) => p !== 'held')}`);
        };
        for (const [name, run, cmd] of [['EXISTS per record (before)', oldWay, 'exists'], ['jobPlaces (now)', newWay, 'eval']] as const) {
          await run(); // warm-up
          const before = await redis.info('commandstats');
          const wall: number[] = [];
          const rounds = 20;
          for (let r = 0; r < rounds; r++) {
            const t = performance.now();
            await run();
            wall.push(performance.now() - t);
          }
          const redisMs = (commandUsec(await redis.info('commandstats'), cmd) - commandUsec(before, cmd)) / 1000 / rounds;
          console.log(`${n} claimed files, jobs ${state}: ${name}: ${median(wall).toFixed(1)} ms per rescan (median of ${rounds}), Redis busy ${redisMs.toFixed(1)} ms`);
        }
        await queue.close();
      }
    }
  });
}

void main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
