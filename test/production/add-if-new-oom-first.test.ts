/**
 * addIfNew on a connection whose first add met a Redis at its memory limit (OOM: a maxmemory
 * reached, or a volatile-* eviction policy with nothing left to evict). ioredis sent BullMQ's
 * add script in full (EVAL), Redis refused it without caching it, and ioredis went on sending
 * its hash alone inside the MULTI: every later add failed NOSCRIPT for as long as the
 * connection lasted, Redis long since back with room (the watcher queued nothing, for good).
 * A redis-server of the test's own (CONFIG SET maxmemory on it), real BullMQ.
 */
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { addIfNew } from '../../src/queue/add-if-new';
import { createRedis } from '../../src/queue/redis';
import { OwnRedis, redisServerAvailable } from '../helpers/redis-server';

const describeIf = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() ? describe.skip : describe;

describeIf('addIfNew after Redis refused its first add for memory', () => {
  it('adds again once Redis has room (it failed NOSCRIPT for as long as the connection lasted)', async () => {
    const redis = await OwnRedis.start();
    const admin = new IORedis(redis.url);
    const connection = createRedis({ url: redis.url });
    const queue = new Queue('flux', { connection, prefix: 'oom-first' });
    try {
      await queue.waitUntilReady();
      await admin.config('SET', 'maxmemory', '1');
      await expect(addIfNew(queue, 'flux', { n: 1 }, { jobId: 'one' })).rejects.toThrow(/OOM command not allowed/);
      await admin.config('SET', 'maxmemory', '0');
      expect(await addIfNew(queue, 'flux', { n: 1 }, { jobId: 'one' })).toBe(true);
      expect(await addIfNew(queue, 'flux', { n: 2 }, { jobId: 'two' })).toBe(true);
      expect(await addIfNew(queue, 'flux', { n: 3 }, { jobId: 'one' })).toBe(false);
      expect((await queue.getJob('one'))?.data).toEqual({ n: 1 });
      expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 2 });
    } finally {
      await queue.close();
      connection.disconnect();
      admin.disconnect();
      await redis.stop();
    }
  }, 30_000);
});
