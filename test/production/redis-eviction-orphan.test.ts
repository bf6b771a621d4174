/**
 * A Redis that evicts keys (allkeys-*) drops whole keys, any of them: a job's record may outlive
 * the list that held its id, or the reverse. The keys are deleted here by hand, exactly those an
 * eviction would take (deterministic), on a Redis of the test's own under allkeys-lru.
 *
 * Until 2026-12-07 the watcher's rescan asked only whether a job's record existed:
 * - the `wait` list evicted: every record left, in no list, was taken for a queued job; no worker
 *   took them, and their files waited in processing/ for ever, unsaid;
 * - records evicted, their ids left in `wait`: a worker that took such an id got a record BullMQ
 *   made of nothing, failed it for good ("names a file outside the processing area: undefined"),
 *   and that stub, a record again, held the file in processing/ for ever; the rescan, when first,
 *   queued the id again beside the one left (twice in `wait`);
 * - the `failed` set evicted: a job failed for good vanished from `jobs` for good.
 *
 * The `completed` set evicted is not mended (the files are done): what an operator reads of it
 * is checked below — a file sent again is found a copy on disk, `jobs` counts no job for ever.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { UnrecoverableError, Worker } from 'bullmq';
import IORedis from 'ioredis';
import pino from 'pino';
import { FLUX_QUEUE, fluxQueue } from '../../src/queue/flux-queue';
import { queueOverview } from '../../src/queue/failed-jobs';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { startWorker, type RunningWorker } from '../../src/runner/worker';
import { invoiceNumbered } from '../helpers/generate-flows';
import { journalLinesSoFar } from '../helpers/journal-lines';
import { untilHolds } from '../helpers/logged-daemon';
import { cli } from '../helpers/cli';
import { OwnRedis, redisServerAvailable } from '../helpers/redis-server';
import { prodSetup } from '../helpers/watch';
import { watcherInProcess } from '../helpers/watcher-in-process';

const describeIf = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() ? describe.skip : describe;
const until = (what: string, test: () => boolean | Promise<boolean>, ms = 20_000) => untilHolds(what, test, ms, 100);
const N = 3;

async function scene(prefix: string) {
  const redis = await OwnRedis.start();
  const admin = new IORedis(redis.url);
  await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
  const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 500 }, worker: { concurrency: 2, attempts: 3, backoffMs: 100, lockDurationMs: 5000 }, extra: { redis: { url: redis.url, prefix } } });
  const { config } = setup;
  const key = (k: string) => `${prefix}:${FLUX_QUEUE}:${k}`;
  const journal = () => journalLinesSoFar(path.join(config.paths.out, 'journal')) as { event: string; sha256?: string; file?: string }[];
  const processing = () => readdirSync(path.join(config.paths.processing, 'op-alpha'));
  const watchers: ReturnType<typeof watcherInProcess>[] = [];
  const watch = async () => {
    const w = watcherInProcess(config, redis.url, { quietErrors: true });
    watchers.push(w);
    await w.watcher.start();
    return w;
  };
  const workerLines: { level: number; msg: string; jobId?: string }[] = [];
  let worker: RunningWorker | undefined;
  const work = async () => {
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _e, done) => (workerLines.push(JSON.parse(String(chunk))), done()) }));
    worker = await startWorker({ config, logger, processIn: 'main' });
    return worker;
  };
  for (let n = 0; n < N; n++) writeFileSync(path.join(setup.inbox('op-alpha'), `f-${n}.xml`), invoiceNumbered(7100 + n));
  return {
    redis, admin, config, configFile: setup.configFile, key, journal, processing, watch, work, workerLines,
    outcomes: () => journal().filter((l) => l.event === 'outcome'),
    /** the claimed files queued, their ids in `wait` */
    queued: async () => {
      await until('the files claimed and queued', async () => (await admin.llen(key('wait'))) === N && processing().length === N);
      return admin.lrange(key('wait'), 0, -1);
    },
    async end() {
      for (const w of watchers) await w.close().catch(() => undefined);
      await worker?.close(5000).catch(() => undefined);
      admin.disconnect();
      await redis.stop();
    },
  };
}

/** Each file one outcome, one `received`, no job failed, processing/ and the queue empty. */
async function oneOutcomeEach(s: Awaited<ReturnType<typeof scene>>): Promise<void> {
  await until('every file has its outcome', () => new Set(s.outcomes().map((l) => l.sha256)).size === N, 60_000);
  await until('processing/ empty', () => s.processing().length === 0);
  await sleep(1500); // a second outcome, had one been coming
  const j = s.journal();
  expect(j.filter((l) => l.event === 'outcome')).toHaveLength(N);
  expect(j.filter((l) => l.event === 'received')).toHaveLength(N);
  expect(j.filter((l) => l.event === 'already-processed')).toEqual([]);
  expect(await s.admin.zcard(s.key('failed'))).toBe(0);
}

describeIf("a Redis that evicts keys: a job's record and its place in the queue lost apart", () => {
  it("the queue's wait list evicted, the records left: the rescan queues each file again, said once per file", async () => {
    const s = await scene('orphan-wait');
    try {
      const w = await s.watch();
      const ids = await s.queued();
      await s.admin.del(s.key('wait')); // the list evicted, the records left
      await s.work();
      await oneOutcomeEach(s);
      const said = () => w.logged.filter((l) => /no list of the queue/.test(l.msg));
      expect(said().map((l) => (l as unknown as { jobId: string }).jobId).sort()).toEqual([...ids].sort());
      // once per file, a warning; one `requeued` line each, by this watcher
      expect(said()).toHaveLength(N);
      for (const l of said()) expect(l.level).toBe(40);
      // true here too, no worker being on them (the same words as when one is: redis-eviction-active)
      for (const l of said()) expect(l.msg).toMatch(/no worker would take it from there, though one may still be on it/);
      expect(s.journal().filter((l) => l.event === 'requeued')).toHaveLength(N);
    } finally {
      await s.end();
    }
  }, 120_000);

  it('records evicted, their ids left in wait, a worker takes them first: no job failed, the stubs removed, the files queued again and done once', async () => {
    const s = await scene('orphan-stub');
    try {
      const w = await s.watch();
      const ids = await s.queued();
      await w.close(); // no rescan meanwhile: the worker meets the ids first
      for (const id of ids) await s.admin.del(s.key(id)); // the records evicted, the ids left in `wait`
      await s.work();
      await until('the worker took every id', async () => (await s.admin.llen(s.key('wait'))) + (await s.admin.llen(s.key('active'))) === 0);
      await sleep(1000);
      // nothing failed, nothing left of those jobs in Redis: the rescan sees them gone
      expect(await s.admin.zcard(s.key('failed'))).toBe(0);
      expect(await s.admin.llen(s.key('active'))).toBe(0);
      for (const id of ids) expect(await s.admin.exists(s.key(id))).toBe(0);
      expect(s.processing()).toHaveLength(N);
      expect(s.workerLines.filter((l) => l.level >= 50)).toEqual([]);
      const said = s.workerLines.filter((l) => /taken without its record/.test(l.msg));
      expect(said.map((l) => l.jobId).sort()).toEqual([...ids].sort());
      const again = await s.watch();
      await oneOutcomeEach(s);
      expect(again.logged.filter((l) => l.msg === 'found in processing and queued again')).toHaveLength(N);
    } finally {
      await s.end();
    }
  }, 120_000);

  it('records evicted, their ids left in wait, the rescan first: each id taken off and queued again once, not twice in wait', async () => {
    const s = await scene('orphan-ids');
    try {
      const w = await s.watch();
      const ids = await s.queued();
      for (const id of ids) await s.admin.del(s.key(id));
      await until('the rescan made the jobs again', async () => (await Promise.all(ids.map((id) => s.admin.exists(s.key(id))))).every((e) => e === 1));
      await sleep(1000);
      const said = () => w.logged.filter((l) => /waited in the queue without its record/.test(l.msg));
      const wait = await s.admin.lrange(s.key('wait'), 0, -1);
      expect(wait.sort()).toEqual([...ids].sort());
      for (const id of ids) expect(await s.admin.hexists(s.key(id), 'data')).toBe(1);
      await s.work();
      await oneOutcomeEach(s);
      expect(said()).toHaveLength(N);
      expect(s.workerLines.filter((l) => /taken without its record/.test(l.msg))).toEqual([]);
    } finally {
      await s.end();
    }
  }, 120_000);

  it('a job failed for good whose failed set was evicted: put back in the failed list, not run again unasked, said once', async () => {
    const s = await scene('orphan-failed');
    try {
      const w = await s.watch();
      const ids = await s.queued();
      await w.close();
      // the jobs failed for good (as a worker leaves them), then the failed set evicted
      const conn = new IORedis(s.redis.url, { maxRetriesPerRequest: null });
      const failing = new Worker(FLUX_QUEUE, async () => {
        throw new UnrecoverableError('failed for good by the test');
      }, { connection: conn, prefix: 'orphan-failed' });
      await until('the jobs failed for good', async () => (await s.admin.zcard(s.key('failed'))) === N);
      await failing.close();
      conn.disconnect();
      const before = await Promise.all(ids.map((id) => s.admin.hgetall(s.key(id))));
      await s.admin.del(s.key('failed'));
      // `retry` before the rescan mends them: not failed, said why and what the rescan does (exit 1)
      const early = await cli(['retry', '--config', s.configFile, ids[0]!], { timeoutMs: 60_000 });
      expect([early.code, early.stdout.split('\n')[0]]).toEqual([1, expect.stringMatching(/^not-failed +\S+ +op-alpha\/f-\d\.xml +its record is in no list of the queue \(Redis evicted keys of the queue\), its file waits in processing\/: the watcher's rescan queues it again, or puts it back in the failed list had it failed for good: left as it is$/)]);
      const again = await s.watch();
      await until('the jobs back in the failed list', async () => (await s.admin.zcard(s.key('failed'))) === N);
      await sleep(2000); // rescans after it: held again, nothing more said
      expect((await s.admin.zrange(s.key('failed'), '0', '-1')).sort()).toEqual([...ids].sort());
      const said = again.logged.filter((l) => /put back in the failed list/.test(l.msg));
      expect(said).toHaveLength(N);
      expect(await Promise.all(ids.map((id) => s.admin.hgetall(s.key(id))))).toEqual(before);
      expect(await s.admin.llen(s.key('wait'))).toBe(0);
      expect(s.processing()).toHaveLength(N);
      expect(s.journal().filter((l) => l.event === 'requeued')).toEqual([]);
    } finally {
      await s.end();
    }
  }, 120_000);

  it('the completed set evicted: nothing to mend, a file sent again is told a copy from disk, `jobs` counts true, the day reconciles clean', async () => {
    const s = await scene('orphan-completed');
    const conn = new IORedis(s.redis.url, { maxRetriesPerRequest: null });
    const queue = fluxQueue(s.config, conn);
    try {
      const w = await s.watch();
      const ids = await s.queued();
      await s.work();
      await oneOutcomeEach(s);
      await until('the jobs completed', async () => (await s.admin.zcard(s.key('completed'))) === N);
      await s.admin.del(s.key('completed')); // the set evicted, the completed jobs' records left
      // the same contents sent again: their duplicates told from the processed marks on disk
      for (let n = 0; n < N; n++) writeFileSync(path.join(String(s.config.partners[0]!.inbox), `again-${n}.xml`), invoiceNumbered(7100 + n));
      await until('each copy told', () => s.journal().filter((l) => l.event === 'already-processed').length === N);
      await until('processing/ empty', () => s.processing().length === 0);
      await until('the copies\' jobs completed', async () => (await s.admin.zcard(s.key('completed'))) === N);
      await sleep(1500); // rescans after it: nothing found to mend, nothing queued again
      const j = s.journal();
      expect(j.filter((l) => l.event === 'outcome')).toHaveLength(N);
      expect(j.filter((l) => l.event === 'requeued')).toEqual([]);
      expect(w.logged.filter((l) => /found in processing/.test(l.msg))).toEqual([]);
      expect(readdirSync(path.join(s.config.paths.out, 'pivot', 'VALM01')).filter((f) => f.endsWith('.xml'))).toHaveLength(N);
      // `jobs` (and the dashboard, the queue metrics): nothing waiting, active or failed; the
      // completed ones it still holds in its set, the copies'
      const seen = await queueOverview(queue);
      expect(seen.counts).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0, completed: N });
      // the first jobs' records stay, in no set: no part of any count (docs/OPERATIONS.md)
      for (const id of ids) expect(await s.admin.hexists(s.key(id), 'finishedOn')).toBe(1);
      const day = await reconcileDay({ config: s.config, write: false });
      expect(day.report?.anomalies).toEqual([]);
      expect(day.exitCode).toBe(0);
      // `retry` of those first jobs (an operator given their ids): finished, what the disk knows of
      // their files said, exit 0. Until 2026-12-08: `not-failed … the job is unknown, not failed`, exit 1
      const retry = await cli(['retry', '--config', s.configFile, ...ids], { timeoutMs: 60_000 });
      const lines = retry.stdout.trim().split('\n');
      for (const id of ids) expect(lines.find((l) => l.includes(id))).toMatch(/^finished +\S+ +op-alpha\/f-\d\.xml +the job finished: its record is in no list of the queue \(Redis evicted keys of the queue\), its file is no longer in processing\/ and its content's processed mark says its outcome \(accepted\): nothing to do$/);
      expect([lines.at(-1), retry.code]).toEqual([`0 retried, ${N} already finished, 0 not retried`, 0]);
      for (const id of ids) expect(await s.admin.hexists(s.key(id), 'finishedOn')).toBe(1); // left as they were
    } finally {
      await queue.close();
      conn.disconnect();
      await s.end();
    }
  }, 120_000);
});
