/**
 * A Redis that evicts keys (allkeys-*) may take, while a worker is processing a job, both the
 * queue's `active` list and the job's lock: the job's record is then in no list and unlocked,
 * the stalled check (which reads `active`) never finds it, and the watcher's rescan queues the
 * file again under the same job id (job-places.ts) while the first worker is still on it. The
 * content lock on disk must keep one outcome: the keys are deleted here by hand, exactly those
 * an eviction would take (deterministic), while each job's worker is held inside it on its
 * file's content lock (as a worker of another machine would hold it). Real watch and worker.
 */
import { createHash } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import IORedis from 'ioredis';
import { FLUX_QUEUE } from '../../src/queue/flux-queue';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { invoiceNumbered } from '../helpers/generate-flows';
import { holdLock } from '../helpers/hold-lock';
import { journalLinesSoFar } from '../helpers/journal-lines';
import { loggedDaemon, untilHolds } from '../helpers/logged-daemon';
import { OwnRedis, redisServerAvailable } from '../helpers/redis-server';
import { listFiles } from '../helpers/run';
import { prodSetup } from '../helpers/watch';

const describeIf = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() ? describe.skip : describe;
const until = (what: string, test: () => boolean | Promise<boolean>, ms = 30_000) => untilHolds(what, test, ms, 100);
const shaOf = (s: string) => createHash('sha256').update(s).digest('hex');
const N = 3;


describeIf("a Redis that evicts keys: the active list and a job's lock evicted while a worker is on the job", () => {
  // slots for the jobs alone: the first attempts end first, their ends refused ("Missing lock"),
  // then the jobs queued again are taken and find the outcomes; slots for both: either ends first
  for (const [slots, order] of [[N, 'the first attempts end first'], [2 * N, 'both attempts on the content lock']] as const) it(`${order}: the rescan queues each file again, the content lock keeps one outcome each, the day reconciles clean, one plain line per file`, async () => {
    const redis = await OwnRedis.start();
    const admin = new IORedis(redis.url);
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const prefix = `evict-active-${slots}`;
    const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 500 }, worker: { concurrency: slots, attempts: 3, backoffMs: 100, lockDurationMs: 3000 }, extra: { redis: { url: redis.url, prefix } } });
    const { config } = setup;
    const key = (k: string) => `${prefix}:${FLUX_QUEUE}:${k}`;
    const journal = () => journalLinesSoFar(path.join(config.paths.out, 'journal')) as { event: string; sha256?: string }[];
    const processing = () => readdirSync(path.join(config.paths.processing, 'op-alpha'));
    const texts = Array.from({ length: N }, (_, n) => invoiceNumbered(7300 + n));
    const locks = path.join(config.paths.state, 'locks');
    const holds = texts.map((t) => holdLock(path.join(locks, `${shaOf(t)}.lock`)));
    await Promise.all(holds.map((h) => h.taken));
    const watch = loggedDaemon('watch', setup.configFile, setup.dir);
    const worker = loggedDaemon('worker', setup.configFile, setup.dir);
    const daemons = [watch, worker];
    try {
      await until('the daemons started', () => daemons.every((d) => d.lines().some((l) => typeof l.metrics === 'string')), 60_000);
      texts.forEach((t, n) => writeFileSync(path.join(setup.inbox('op-alpha'), `f-${n}.xml`), t));
      // each job taken, its worker held inside it on the file's content lock
      await until('every job active', async () => (await admin.llen(key('active'))) === N);
      const ids = await admin.lrange(key('active'), 0, -1);
      // evicted: the active list and every job's lock, the records left
      await admin.del(key('active'), ...ids.map((id) => key(`${id}:lock`)));
      // the rescan finds each record in no list, unlocked: queued again, taken by a free slot
      await until('each file queued again by the rescan', () => watch.lines().filter((l) => /no list of the queue/.test(String(l.msg))).length === N);
      if (slots > N) await until('the jobs taken again', async () => (await admin.llen(key('active'))) === N);
      else await until('the jobs queued again, waiting for a slot', async () => (await admin.llen(key('wait'))) === N);
      for (const h of holds) await h.release();
      await until('every file has its outcome', () => new Set(journal().filter((l) => l.event === 'outcome').map((l) => l.sha256)).size === N, 60_000);
      await until('processing/ empty', () => processing().length === 0);
      await until('no job left waiting or active', async () => (await admin.llen(key('active'))) + (await admin.llen(key('wait'))) === 0);
      await sleep(2000); // the first attempts' ends told to BullMQ, and a second outcome, had one been coming
    } finally {
      for (const d of daemons) d.child.kill('SIGTERM');
      await Promise.all(daemons.map((d) => d.exited));
    }
    try {
      const j = journal();
      expect(j.filter((l) => l.event === 'outcome').map((l) => l.sha256).sort()).toEqual(texts.map(shaOf).sort());
      expect(j.filter((l) => l.event === 'received')).toHaveLength(N);
      expect(j.filter((l) => l.event === 'already-processed')).toEqual([]);
      expect(j.filter((l) => l.event === 'system-error')).toEqual([]);
      const files = listFiles(config.paths.out, ['state', 'logs', 'journal']);
      expect(files.filter((f) => f.startsWith('pivot/'))).toHaveLength(N);
      expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
      expect(await admin.zcard(key('failed'))).toBe(0);
      const day = await reconcileDay({ config, write: false });
      expect(day.report?.anomalies).toEqual([]);
      expect(day.exitCode).toBe(0);
      // what the operator reads: nothing at level error, no stack, one line per file from the watcher
      const lines = daemons.flatMap((d) => d.lines()) as { level: number; msg: string; err?: { stack?: string } }[];
      expect(j.filter((l) => l.event === 'requeued')).toHaveLength(N);
      // the worker: one lock-lost line (BullMQ's refusals of the first attempts' ends, "Missing
      // lock" or "Lock mismatch", are lock losses too: said at most once a minute), nothing else
      const said = worker.lines().filter((l) => l.level === 40 && !/maxmemory-policy is allkeys-lru; BullMQ needs|statusPartner/.test(String(l.msg)));
      expect(said).toEqual([expect.objectContaining({ kind: 'lock-lost', msg: expect.stringMatching(/maxmemory-policy is allkeys-lru, not noeviction: short of memory, it may have evicted the lock/) })]);
      // true here, a worker being on each job (until 2026-12-08: "no worker would have taken it")
      expect(watch.lines().filter((l) => l.found === 'orphaned').map((l) => l.msg)).toEqual(Array(N).fill(expect.stringMatching(/no worker would take it from there, though one may still be on it, its lock evicted \(the content lock on disk keeps one outcome\)/)));
      expect(lines.filter((l) => l.level >= 50)).toEqual([]);
      expect(lines.filter((l) => /\n\s+at /.test(l.err?.stack ?? ''))).toEqual([]);
    } finally {
      admin.disconnect();
      await redis.stop();
    }
  }, 180_000);
});
