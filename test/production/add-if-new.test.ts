/**
 * addIfNew: a job added under an id, and whether this add made it (BullMQ's Queue.add answers
 * an id already there as it answers a new job). On the test Redis, under a prefix of its own.
 */
import type { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { addIfNew } from '../../src/queue/add-if-new';
import { fluxJobOptions } from '../../src/queue/flux-queue';
import { createRedis } from '../../src/queue/redis';
import { deletePrefix, describeRedis, REDIS_URL, redisClient, uniquePrefix } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';

describeRedis('addIfNew', () => {
  const prefix = uniquePrefix('add-if-new');
  const connections: Redis[] = [];
  const queues: Queue[] = [];
  const queueOn = () => {
    const c = createRedis({ url: REDIS_URL });
    const q = new Queue('flux', { connection: c, prefix });
    connections.push(c);
    queues.push(q);
    return q;
  };

  afterAll(async () => {
    const admin = redisClient();
    await deletePrefix(admin, prefix);
    await admin.quit();
    for (const q of queues) await q.close();
    for (const c of connections) await c.quit();
  });

  it('says true for the add that made the job, false for an add of an id already there (which changes nothing)', async () => {
    const q = queueOn();
    expect(await addIfNew(q, 'flux', { n: 1 }, { jobId: 'one' })).toBe(true);
    expect(await addIfNew(q, 'flux', { n: 2 }, { jobId: 'one' })).toBe(false);
    expect((await q.getJob('one'))?.data).toEqual({ n: 1 });
    expect(await q.getJobCounts('waiting')).toEqual({ waiting: 1 });
  });

  it('says true to exactly one of many adds of one id at once, from several connections', async () => {
    const qs = [queueOn(), queueOn(), queueOn(), queueOn()];
    for (let id = 0; id < 10; id++) {
      const made = await Promise.all(Array.from({ length: 20 }, (_, k) => addIfNew(qs[k % qs.length], 'flux', { k }, { jobId: `race-${id}` })));
      expect([id, made.filter(Boolean).length]).toEqual([id, 1]);
    }
  });

  it('stores the job as Queue.add does (name, data, options)', async () => {
    const q = queueOn();
    const opts = fluxJobOptions(prodSetup({ partners: ['op-alpha'] }).config);
    await q.add('flux', { n: 3 }, { ...opts, jobId: 'by-add' });
    await addIfNew(q, 'flux', { n: 3 }, { ...opts, jobId: 'by-add-if-new' });
    const [a, b] = [await q.getJob('by-add'), await q.getJob('by-add-if-new')];
    expect([b?.name, b?.data, b?.opts]).toEqual([a?.name, a?.data, { ...a?.opts, jobId: 'by-add-if-new' }]);
  });
});
