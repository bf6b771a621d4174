/**
 * Two operators run `chorus-flux retry --all` at the same moment over the same failed jobs (two
 * terminals, a script and a person), on a real Redis: each job is queued again once and its
 * `requeued` line is journaled once, by the retry that queued it; the other says it found the job
 * queued already. BullMQ's reprocessJob takes the job off the failed set and queues it in one
 * script: only one of the two can. A job the first retry queued that a worker failed again at
 * once (its cause not fixed) is failed anew when the second reaches it: `retry --all` retries
 * the failures it listed, so it leaves that one (`retried-meanwhile`), journaled once.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { retryFailedJob } from '../../src/queue/failed-jobs';
import { readJournalDay } from '../../src/journal/journal';
import { type FluxJobData } from '../../src/queue/flux-queue';
import { createRedis } from '../../src/queue/redis';
import { statePaths } from '../../src/runner/deps';
import { dayOf } from '../../src/util/clock';
import { sha256 } from '../../src/util/hash';
import { cli } from '../helpers/cli';
import { invoiceNumbered } from '../helpers/generate-flows';
import { deletePrefix, describeRedis, REDIS_URL, redisClient } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';

const JOBS = 40;

describeRedis('retry run twice at once', () => {
  const setup = prodSetup({ partners: ['op-alpha'] });
  let redis: Redis;
  let queue: Queue<FluxJobData>;
  beforeAll(() => {
    redis = redisClient();
    queue = new Queue<FluxJobData>('flux', { connection: redis, prefix: setup.config.redis.prefix });
  });
  afterAll(async () => {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  /** A worker whose every job fails for good at once (a cause not fixed); `close` stops it. */
  function failingWorker(): { close: () => Promise<void> } {
    const blocking = createRedis({ url: REDIS_URL, blocking: true });
    const w = new Worker<FluxJobData>('flux', async () => {
      throw new UnrecoverableError('a cause not fixed');
    }, { connection: blocking, prefix: setup.config.redis.prefix });
    return {
      close: async () => {
        await w.close();
        await blocking.quit();
      },
    };
  }

  /** Jobs that failed for good (a cause since fixed), their files in processing/; no worker is left to take them. */
  async function failedJobs(n: number, from = 0): Promise<{ id: string; sha: string }[]> {
    const failing = failingWorker();
    const before = await queue.getFailedCount();
    const jobs: { id: string; sha: string }[] = [];
    try {
      for (let i = from; i < from + n; i++) {
        const name = `F95${i}.xml`;
        const content = invoiceNumbered(950 + i);
        const file = path.join(setup.config.paths.processing, 'op-alpha', `race${i}__${name}`);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, content);
        const sha = sha256(Buffer.from(content));
        const job = await queue.add('flux', { path: file, name, relPath: `op-alpha/${name}`, partner: 'op-alpha', sha256: sha, claimId: `race${i}` }, { attempts: 1 });
        jobs.push({ id: job.id!, sha });
      }
      for (let i = 0; i < 200 && (await queue.getFailedCount()) < before + n; i++) await sleep(50);
      expect(await queue.getFailedCount()).toBe(before + n);
    } finally {
      await failing.close();
    }
    return jobs;
  }

  it('each job is queued again once and journaled once, whichever retry queued it', async () => {
    const jobs = await failedJobs(JOBS);
    const retry = () => cli(['retry', '--config', setup.configFile, '--all', '--json'], { timeoutMs: 60_000 });
    const [a, b] = await Promise.all([retry(), retry()]);
    expect([a.code, b.code, a.stderr, b.stderr]).toEqual([0, 0, '', '']);
    const reports = [...JSON.parse(a.stdout), ...JSON.parse(b.stdout)] as { id: string; result: string }[];
    // retried by one of them; the other, if its list still had it, found it queued
    for (const { id } of jobs) expect(reports.filter((r) => r.id === id && r.result !== 'already-queued').map((r) => r.result)).toEqual(['retried']);
    expect(reports.filter((r) => r.result !== 'retried' && r.result !== 'already-queued')).toEqual([]);

    // queued once each: waiting, the failed list empty, attempts from zero
    expect(await queue.getWaitingCount()).toBe(JOBS);
    expect(await queue.getFailedCount()).toBe(0);
    for (const { id } of jobs) expect((await queue.getJob(id))?.attemptsMade).toBe(0);
    // one `requeued` line a job, by the retry that queued it
    const { lines } = await readJournalDay(statePaths(setup.config).journal, dayOf(new Date(), setup.config.timezone));
    const requeued = lines.filter((l) => l.event === 'requeued');
    expect(jobs.map(({ sha }) => requeued.filter((l) => l.sha256 === sha).length)).toEqual(jobs.map(() => 1));
    expect(requeued).toHaveLength(JOBS);
    await queue.drain();
  }, 120_000);

  it('a job the other retry queued and a worker failed again at once is not retried a second time for the failure listed', async () => {
    const [{ id }] = await failedJobs(1, 100);
    const opts = { processingDir: setup.config.paths.processing, outcomeOf: async () => undefined };
    // B lists the failed jobs (retry --all), then A retries this one and a worker fails it again
    const listedFailedAt = (await queue.getJob(id))!.finishedOn;
    const byA: string[] = [];
    const byB: string[] = [];
    expect((await retryFailedJob(queue, id, { ...opts, retried: async () => void byA.push(id) })).result).toBe('retried');
    const failing = failingWorker();
    try {
      for (let i = 0; i < 200 && (await queue.getJobState(id)) !== 'failed'; i++) await sleep(50);
    } finally {
      await failing.close();
    }
    expect(await queue.getJobState(id)).toBe('failed');
    // B reaches it: failed again since B listed it, it was retried meanwhile; not run nor journaled twice
    const b = await retryFailedJob(queue, id, { ...opts, retried: async () => void byB.push(id) }, listedFailedAt);
    expect(b.result).toBe('retried-meanwhile');
    expect(b.detail).toMatch(/^retried by another retry since this one listed it, and failed again \(it had failed 1 time\(s\): a cause not fixed\): left as it is; retry it by its id to run it once more$/);
    expect([byA, byB]).toEqual([[id], []]);
    expect(await queue.getJobState(id)).toBe('failed');
    // named by its id (no listing), it is retried: the operator asks for this failure
    expect((await retryFailedJob(queue, id, { ...opts, retried: async () => void byB.push(id) })).result).toBe('retried');
  }, 60_000);
});
