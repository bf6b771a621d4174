/**
 * The rescan's mending after a mass eviction (job-places.ts, MEND): until 2026-12-07 it read
 * the queue's lists whole, and cleared each id off them (LREM), once per job mended: quadratic in
 * the length of `wait` — 20,000 waiting, their records evicted, held Redis 298 s over a rescan of
 * 383 s (docs/PERFORMANCE.md). It reads them once per batch of jobs now. The count of list reads
 * is Redis's own (INFO commandstats, calls from scripts included): no timing. Then the mending's
 * guarantees, batch by batch: a job that went back to a list between the rescan's read and the
 * mending is left alone, an id is never twice in `wait`, the ids not mended keep their order.
 */
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { FLUX_QUEUE } from '../../src/queue/flux-queue';
import { addManyMending } from '../../src/queue/add-if-new';
import { jobPlaces } from '../../src/queue/job-places';
import { invoiceNumbered } from '../helpers/generate-flows';
import { journalLinesSoFar } from '../helpers/journal-lines';
import { untilHolds } from '../helpers/logged-daemon';
import { OwnRedis, redisServerAvailable } from '../helpers/redis-server';
import { prodSetup } from '../helpers/watch';
import { watcherInProcess } from '../helpers/watcher-in-process';

const describeIf = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() ? describe.skip : describe;
const until = (what: string, test: () => boolean | Promise<boolean>, ms = 60_000) => untilHolds(what, test, ms, 100);
const callsOf = (info: string, cmd: string) => Number(new RegExp(`^cmdstat_${cmd}:calls=(\\d+)`, 'm').exec(info)?.[1] ?? 0);

describeIf('the rescan mending after a mass eviction', () => {
  it('reads the lists once per batch, not once per job: 300 records evicted, their ids in wait, each queued again once', async () => {
    const N = 300;
    const redis = await OwnRedis.start();
    const admin = new IORedis(redis.url);
    const prefix = 'mend-batch';
    const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 5000 }, extra: { redis: { url: redis.url, prefix } } });
    const { config } = setup;
    const key = (k: string) => `${prefix}:${FLUX_QUEUE}:${k}`;
    const processing = () => readdirSync(path.join(config.paths.processing, 'op-alpha'));
    let again: ReturnType<typeof watcherInProcess> | undefined;
    try {
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
      for (let n = 0; n < N; n++) writeFileSync(path.join(setup.inbox('op-alpha'), `f-${n}.xml`), invoiceNumbered(7400 + n));
      const first = watcherInProcess(config, redis.url, { quietErrors: true });
      await first.watcher.start();
      await until('the files claimed and queued', async () => (await admin.llen(key('wait'))) === N && processing().length === N);
      await first.close();
      const ids = await admin.lrange(key('wait'), 0, -1);
      await admin.del(...ids.map((id) => key(id))); // the records evicted, the ids left in `wait`
      // older than the rescan's grace for fresh claims (5 s): found by the next watcher's first rescan
      const dir = path.join(config.paths.processing, 'op-alpha');
      await until('the claims older than the grace', () => processing().every((f) => Date.now() - statSync(path.join(dir, f)).ctimeMs > 5500));
      await admin.config('RESETSTAT'); // this test's own Redis
      again = watcherInProcess(config, redis.url, { quietErrors: true });
      await again.watcher.start();
      const said = () => again!.logged.filter((l) => (l as unknown as { found?: string }).found === 'id-without-record');
      await until('each file queued again', () => said().length === N);
      const stats = await admin.info('commandstats');
      // the rescan's read (jobPlaces) and the mending's, per batch: a handful, not one per job
      expect(callsOf(stats, 'lrange')).toBeLessThan(20);
      const wait = await admin.lrange(key('wait'), 0, -1);
      expect(wait).toHaveLength(N);
      expect(new Set(wait)).toEqual(new Set(ids));
      for (const id of ids) expect(await admin.hexists(key(id), 'data')).toBe(1);
      const journal = journalLinesSoFar(path.join(config.paths.out, 'journal')) as { event: string }[];
      expect(journal.filter((l) => l.event === 'requeued')).toHaveLength(N);
    } finally {
      await again?.close();
      admin.disconnect();
      await redis.stop();
    }
  }, 180_000);

  it('a batch: each kind mended as before, a job back in a list since the rescan read left alone, no id twice, the others in order', async () => {
    const redis = await OwnRedis.start();
    const admin = new IORedis(redis.url);
    const conn = new IORedis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue(FLUX_QUEUE, { connection: conn, prefix: 'mend-kinds' });
    const key = (k: string) => `mend-kinds:${FLUX_QUEUE}:${k}`;
    try {
      const ids = ['orphaned', 'no-record', 'twice', 'back', 'stub', 'for-good', 'locked', 'other-1', 'other-2'];
      await queue.addBulk(ids.map((id) => ({ name: 'flux', data: { id }, opts: { jobId: id } })));
      // what an eviction leaves of each (the others wait untouched)
      await admin.lrem(key('wait'), 0, 'orphaned');
      await admin.lrem(key('wait'), 0, 'back');
      await admin.del(key('no-record'), key('twice'));
      await admin.lpush(key('wait'), 'twice'); // an id twice in wait (as the rescan left it until 2026-12-07)
      await admin.hdel(key('stub'), 'data');
      await admin.lrem(key('wait'), 0, 'for-good');
      await admin.hset(key('for-good'), 'finishedOn', '1700000000000', 'failedReason', 'failed for good');
      await admin.lrem(key('wait'), 0, 'locked');
      await admin.set(key('locked:lock'), 'a-worker-token');
      const mended = ['orphaned', 'no-record', 'twice', 'back', 'stub', 'for-good', 'locked'];
      expect(await jobPlaces(queue, mended)).toEqual(['orphaned', 'id-without-record', 'id-without-record', 'orphaned', 'record-without-data', 'orphaned-failed', 'held']);
      // between the rescan's read and the mending, `back` went back to the queue (a promotion, a retry)
      await admin.lpush(key('wait'), 'back');
      const backBefore = await admin.hgetall(key('back'));
      const before = await admin.lrange(key('wait'), 0, -1);
      const added = await addManyMending(queue, 'flux', mended.map((id) => ({ data: { id }, opts: { jobId: id } })));
      expect(added).toEqual([
        { created: true, found: 'orphaned' },
        { created: true, found: 'id-without-record' },
        { created: true, found: 'id-without-record' },
        { created: false, found: 'held' },
        { created: true, found: 'record-without-data' },
        { created: false, found: 'orphaned-failed' },
        { created: false, found: 'held' },
      ]);
      expect(await admin.hgetall(key('back'))).toEqual(backBefore);
      expect(await admin.zrange(key('failed'), '0', '-1')).toEqual(['for-good']);
      expect(await admin.get(key('locked:lock'))).toBe('a-worker-token');
      // as one job after the other did it: each made again pushed at the head, in turn; the ids
      // not mended where they were, in their order
      const made = ['orphaned', 'no-record', 'twice', 'stub'];
      const kept = before.filter((id) => !made.includes(id));
      expect(await admin.lrange(key('wait'), 0, -1)).toEqual([...[...made].reverse(), ...kept]);
      for (const id of made) expect(await admin.hget(key(id), 'data')).toBe(JSON.stringify({ id }));
    } finally {
      await queue.close();
      conn.disconnect();
      admin.disconnect();
      await redis.stop();
    }
  }, 60_000);
});
