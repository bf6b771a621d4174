/**
 * A Redis that stops answering (or goes down) after `jobs`, `retry` or `set-aside` connected:
 * they waited for ever, ioredis queueing their commands with no timeout. Each must end within
 * its Redis deadline (`--redis-timeout`, 30 s by default) plus a second or two, exit 2, saying
 * which jobs were done, which one is in doubt and which were not tried — and journal only what
 * was done. The freeze is a `kill -STOP` of a redis-server of the test's own, timed by a relay
 * (marker-proxy.ts) right before the command sends a chosen job's key.
 *
 * And the dashboard, a long-running server: its API answers 503 while Redis is silent (its
 * calls waited for ever, the page blank), as it does while Redis is down.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'node:child_process';
import { UnrecoverableError, Worker, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { readJournalDay } from '../../src/journal/journal';
import { retryFailedJob, setAsideFailedJob } from '../../src/queue/failed-jobs';
import { fluxQueue, reconcileQueue, type FluxJobData } from '../../src/queue/flux-queue';
import { connectRedisOnce, createRedis } from '../../src/queue/redis';
import { dayOf } from '../../src/util/clock';
import { startWorker } from '../../src/runner/worker';
import pino from 'pino';
import { cli, ROOT } from '../helpers/cli';
import { invoiceNumbered } from '../helpers/generate-flows';
import { MarkerProxy } from '../helpers/marker-proxy';
import { claimAndQueue } from '../helpers/queue-claimed';
import { OwnRedis, redisServerAvailable } from '../helpers/redis-server';
import { prodSetup, type ProdSetup } from '../helpers/watch';
import { until } from '../helpers/until';

const describeIf = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() ? describe.skip : describe;

describeIf('one-shot commands and the dashboard when Redis stops answering after they connected', () => {
  let redis: OwnRedis;
  let proxy: MarkerProxy;
  let conn: Redis;
  let queue: Queue<FluxJobData>;
  let setup: ProdSetup;
  beforeEach(async () => {
    redis = await OwnRedis.start();
    proxy = await MarkerProxy.start(redis.port);
    // the commands go through the relay; the test's own connection straight to the server
    setup = prodSetup({ partners: ['op-alpha'], worker: { attempts: 1 }, extra: { redis: { url: proxy.url, prefix: 'cf-oneshot' } } });
    conn = createRedis({ url: redis.url });
    queue = fluxQueue(setup.config, conn);
    queue.on('error', () => undefined); // Redis killed by a test: said by the command, not here
  });
  afterEach(async () => {
    redis.thaw();
    await queue.close().catch(() => undefined);
    conn.disconnect();
    await proxy.close();
    await redis.stop();
  });

  /** `n` failed jobs, their files in processing/: their ids in the order `retry --all` takes them (newest failed first). */
  async function failedJobs(n: number): Promise<{ id: string; data: FluxJobData }[]> {
    const made: { id: string; data: FluxJobData }[] = [];
    for (let i = 1; i <= n; i++) {
      const src = path.join(setup.inbox('op-alpha'), `F${i}.xml`);
      writeFileSync(src, invoiceNumbered(700 + i));
      made.push(await claimAndQueue(setup.config, queue, 'op-alpha', src));
    }
    const blocking = createRedis({ url: redis.url, blocking: true });
    const failing = new Worker<FluxJobData>('flux', async () => {
      throw new UnrecoverableError('a cause since fixed');
    }, { connection: blocking, prefix: setup.config.redis.prefix, concurrency: 1 });
    await until('the jobs failed', async () => ((await queue.getFailedCount()) === n ? true : (await sleep(50), undefined)), 30_000);
    await failing.close();
    await blocking.quit();
    const order = (await queue.getFailed(0, -1)).map((j) => String(j.id));
    return order.map((id) => made.find((m) => m.id === id)!);
  }

  async function requeuedLines(): Promise<string[]> {
    const { lines } = await readJournalDay(path.join(setup.config.paths.out, 'journal'), dayOf(new Date(), setup.config.timezone));
    return lines.filter((l) => l.event === 'requeued').map((l) => (l as { sha256: string }).sha256);
  }

  const timed = async (args: string[]) => {
    const t0 = Date.now();
    const r = await cli(args, { timeoutMs: 90_000 });
    return { ...r, ms: Date.now() - t0 };
  };

  it('`jobs`, Redis frozen once it connected: exit 2 within its deadline, saying Redis does not answer', async () => {
    await failedJobs(1);
    // the first command on the queue's keys, after the connection's PING
    proxy.when('cf-oneshot:flux', () => redis.freeze());
    const r = await timed(['jobs', '--config', setup.configFile, '--redis-timeout', '3']);
    process.stdout.write(`jobs ended in ${r.ms} ms, Redis frozen after it connected\n`);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.ms).toBeLessThan(20_000); // the old code waited for ever; room for a loaded CI host
    expect(r.stderr).toMatch(/^chorus-flux: Redis at redis:\/\/127\.0\.0\.1:\d+ did not answer for 3 s, its connection still open: the queue could not be read$/m);
    expect(r.stdout).toBe('');
  }, 60_000);

  /** Both queues paused (from a dashboard): what `jobs --resume` resumes. */
  async function bothPaused(): Promise<Queue> {
    const nightly = reconcileQueue(setup.config, conn);
    await queue.pause();
    await nightly.pause();
    return nightly;
  }

  const journaled = () => (existsSync(path.join(setup.config.paths.out, 'journal')) ? readdirSync(path.join(setup.config.paths.out, 'journal'), { recursive: true }).length : 0);

  it('`jobs --resume`, Redis frozen between the two queues: exit 2 within its deadline, saying the flux queue resumed and the reconcile queue not tried (still paused)', async () => {
    const nightly = await bothPaused();
    try {
      const before = journaled();
      // the reconcile queue's pause read (HEXISTS meta paused: its meta written at construction holds no `paused`)
      proxy.when('cf-oneshot:reconcile:meta\r\n$6\r\npaused', () => redis.freeze());
      const r = await timed(['jobs', '--config', setup.configFile, '--resume', '--redis-timeout', '3']);
      process.stdout.write(`jobs --resume ended in ${r.ms} ms, Redis frozen between its two queues\n`);
      expect(r.signal).toBeNull();
      expect(r.code).toBe(2);
      expect(r.ms).toBeLessThan(20_000);
      expect(r.stderr).toContain('chorus-flux: the flux queue was paused: resumed, the workers take its jobs again\n');
      expect(r.stderr).toMatch(/^chorus-flux: Redis at redis:\/\/127\.0\.0\.1:\d+ did not answer for 3 s, its connection still open: the flux queue resumed; the reconcile queue not resumed \(not tried: paused if it was\); the queue could not be read; run `chorus-flux jobs --resume` again once Redis answers$/m);
      expect(r.stdout).toBe('');
      redis.thaw();
      // what it said holds: one resumed, the other left as it was; nothing journaled (jobs journals nothing)
      expect(await queue.isPaused()).toBe(false);
      expect(await nightly.isPaused()).toBe(true);
      expect(journaled()).toBe(before);
      // run again once Redis answers: the other resumed, exit 0 (nothing failed)
      const again = await timed(['jobs', '--config', setup.configFile, '--resume']);
      expect(again.stderr).toBe('chorus-flux: the reconcile queue was paused: resumed, the workers take its jobs again\n');
      expect(await nightly.isPaused()).toBe(false);
    } finally {
      await nightly.close();
    }
  }, 60_000);

  it('`jobs --resume`, Redis frozen as the flux queue\'s resume goes: that resume said in doubt (Redis ran it once it answered), the reconcile queue not tried', async () => {
    const nightly = await bothPaused();
    try {
      // BullMQ's resume script (its keys name the legacy `paused` list; the pause read asks the meta's field)
      proxy.when('cf-oneshot:flux:paused', () => redis.freeze());
      const r = await timed(['jobs', '--config', setup.configFile, '--resume', '--redis-timeout', '3']);
      expect(r.code).toBe(2);
      expect(r.ms).toBeLessThan(20_000);
      expect(r.stderr).not.toContain('resumed, the workers take its jobs again');
      expect(r.stderr).toMatch(/: the resume of the flux queue was sent, unanswered: it may take effect once Redis answers; the reconcile queue not resumed \(not tried: paused if it was\); the queue could not be read; run `chorus-flux jobs --resume` again once Redis answers$/m);
      redis.thaw();
      await until('the resume run by Redis', async () => ((await queue.isPaused()) ? (await sleep(100), undefined) : true), 10_000);
      expect(await nightly.isPaused()).toBe(true);
    } finally {
      await nightly.close();
    }
  }, 60_000);

  it('`retry --all`, Redis frozen at the second job: exit 2 within the default 30 s deadline; the first said retried and journaled, the others not tried, untouched', async () => {
    const jobs = await failedJobs(4);
    // its key's second time: the first is the listing of the failed jobs
    proxy.when(jobs[1].id, () => redis.freeze(), 2);
    const r = await timed(['retry', '--config', setup.configFile, '--all']);
    process.stdout.write(`retry --all ended in ${r.ms} ms, Redis frozen at its second job\n`);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.ms).toBeGreaterThan(29_000);
    expect(r.ms).toBeLessThan(40_000);
    expect(r.stdout).toMatch(new RegExp(`^retried +${jobs[0].id} `, 'm'));
    for (const j of jobs.slice(1)) expect(r.stdout).toMatch(new RegExp(`^not-tried +${j.id} +left as it is: Redis stopped answering before it was tried$`, 'm'));
    expect(r.stdout).toContain('1 retried, 0 already finished, 0 not retried, 3 not tried: Redis stopped answering');
    expect(r.stderr).toMatch(/^chorus-flux: Redis at redis:\/\/127\.0\.0\.1:\d+ did not answer for 30 s, its connection still open: 1 retried, 3 not tried; run the same command again once Redis answers$/m);
    redis.thaw();
    expect(await requeuedLines()).toEqual([jobs[0].data.sha256]);
    expect(await queue.getJobState(jobs[0].id)).toBe('waiting');
    for (const j of jobs.slice(1)) expect(await queue.getJobState(j.id)).toBe('failed');
    // run again once Redis answers: the rest is retried, the first found queued, exit 0
    const again = await timed(['retry', '--config', setup.configFile, ...jobs.map((j) => j.id)]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('3 retried, 1 already queued, 0 already finished, 0 not retried');
  }, 120_000);

  it('`retry --all`, Redis frozen while it lists the failed jobs: exit 2, nothing retried, nothing journaled', async () => {
    const jobs = await failedJobs(2);
    proxy.when(jobs[1].id, () => redis.freeze());
    const r = await timed(['retry', '--config', setup.configFile, '--all', '--redis-timeout', '2']);
    expect(r.code).toBe(2);
    expect(r.ms).toBeLessThan(20_000); // the old code waited for ever; room for a loaded CI host
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^chorus-flux: Redis at redis:\/\/127\.0\.0\.1:\d+ did not answer for 2 s, its connection still open: the failed jobs could not be listed; nothing retried$/m);
    redis.thaw();
    expect(await requeuedLines()).toEqual([]);
    for (const j of jobs) expect(await queue.getJobState(j.id)).toBe('failed');
  }, 60_000);

  it('`retry <ids>` as JSON, Redis frozen at the second job: exit 2, every id in the JSON with what became of it', async () => {
    const jobs = await failedJobs(3);
    proxy.when(jobs[1].id, () => redis.freeze());
    const r = await timed(['retry', '--config', setup.configFile, '--redis-timeout', '2', '--json', ...jobs.map((j) => j.id)]);
    expect(r.code).toBe(2);
    expect(r.ms).toBeLessThan(20_000); // the old code waited for ever; room for a loaded CI host
    const reports = JSON.parse(r.stdout) as { id: string; result: string }[];
    expect(reports.map((x) => [x.id, x.result])).toEqual([
      [jobs[0].id, 'retried'],
      [jobs[1].id, 'not-tried'],
      [jobs[2].id, 'not-tried'],
    ]);
    expect(r.stderr).toContain('did not answer for 2 s, its connection still open: 1 retried, 2 not tried');
  }, 60_000);

  it('`retry --all`, Redis killed at the second job: exit 2 at once, a plain message (not a stack), the first retried, the others not tried', async () => {
    const jobs = await failedJobs(3);
    proxy.when(jobs[1].id, () => redis.kill(), 2);
    const r = await timed(['retry', '--config', setup.configFile, '--all']);
    expect(r.code).toBe(2);
    expect(r.ms).toBeLessThan(20_000); // the old code waited for ever; room for a loaded CI host
    expect(r.stderr).not.toContain('system failure');
    expect(r.stderr).toMatch(/^chorus-flux: Redis at redis:\/\/127\.0\.0\.1:\d+ cannot be reached \(Connection is closed\.\): 1 retried, 2 not tried; run the same command again once Redis answers$/m);
    expect(r.stdout).toMatch(new RegExp(`^retried +${jobs[0].id} `, 'm'));
    for (const j of jobs.slice(1)) expect(r.stdout).toMatch(new RegExp(`^not-tried +${j.id} `, 'm'));
    expect(await requeuedLines()).toEqual([jobs[0].data.sha256]);
  }, 60_000);

  it('`set-aside`, Redis frozen at the second job: exit 2; the first set aside (its refusal written), the second not tried, its file still in processing/', async () => {
    const jobs = await failedJobs(2);
    proxy.when(jobs[1].id, () => redis.freeze());
    const r = await timed(['set-aside', '--config', setup.configFile, '--redis-timeout', '2', '--reason', 'Flux illisible', jobs[0].id, jobs[1].id]);
    process.stdout.write(`set-aside ended in ${r.ms} ms, Redis frozen at its second job\n`);
    expect(r.code).toBe(2);
    expect(r.ms).toBeLessThan(20_000); // the old code waited for ever; room for a loaded CI host
    expect(r.stdout).toMatch(new RegExp(`^set-aside +${jobs[0].id} `, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^not-tried +${jobs[1].id} `, 'm'));
    expect(r.stderr).toContain('did not answer for 2 s, its connection still open: 1 set aside, 1 not tried; run the same command again once Redis answers');
    expect(existsSync(jobs[0].data.path)).toBe(false);
    expect(existsSync(jobs[1].data.path)).toBe(true);
    redis.thaw();
    expect(await queue.getJobState(jobs[1].id)).toBe('failed');
  }, 60_000);

  it('a retry whose request Redis never answered is said in doubt, not "not retried": it may run once Redis answers, and it did', async () => {
    const [job] = await failedJobs(1);
    const oneShot = await connectRedisOnce(proxy.url, 5000, 1500);
    const q = fluxQueue(setup.config, oneShot);
    // freeze right as the retry goes: its request reaches the server, which answers nothing
    const orig = q.getJob.bind(q);
    q.getJob = async (id: string) => {
      const j = await orig(id);
      if (j) {
        const retry = j.retry.bind(j);
        j.retry = (...a: Parameters<typeof j.retry>) => (redis.freeze(), retry(...a));
      }
      return j;
    };
    let journaled = 0;
    const r = await retryFailedJob(q, job.id, { processingDir: setup.config.paths.processing, outcomeOf: async () => undefined, retried: async () => void journaled++ }).then(
      (x) => x,
      (e: { report?: { result: string; detail: string } }) => e.report,
    );
    expect(r).toMatchObject({ result: 'in-doubt' });
    expect(r?.detail).toMatch(/^the retry was sent, but Redis was lost before it answered \(Command timed out\): it may be queued again once Redis answers/);
    expect(journaled).toBe(0);
    oneShot.disconnect();
    redis.thaw();
    await until('the retry run by Redis', async () => ((await queue.getJobState(job.id)) === 'waiting' ? true : (await sleep(100), undefined)), 10_000);
  }, 60_000);

  /** The worker run on the jobs, until `id` completes; the journal's lines for `sha256` then. */
  async function workerRuns(id: string, sha256: string): Promise<{ event: string; by?: string; failed?: string; sentAt?: string }[]> {
    const running = await startWorker({ config: setup.config, logger: pino({ level: 'silent' }) });
    try {
      await until('the worker completed the job', async () => ((await queue.getJobState(id)) === 'completed' ? true : (await sleep(100), undefined)), 30_000);
    } finally {
      await running.close(5000);
    }
    const { lines } = await readJournalDay(path.join(setup.config.paths.out, 'journal'), dayOf(new Date(), setup.config.timezone));
    // in time order (the journal reads each writer's file in turn)
    return lines.filter((l) => (l as { sha256?: string }).sha256 === sha256).sort((a, b) => a.ts.localeCompare(b.ts)) as never;
  }

  /**
   * BullMQ's retry of the job (its reprocessJob script): the job's key, the fifth time `retry <id>`
   * sends it (after HGETALL and its state, read once, then again under the file's content lock:
   * failed-jobs.ts, since 2026-12-07).
   */
  const RETRY_REQUEST = 5;

  it('a retry left in doubt that Redis then ran: the worker that takes the job journals it (`requeued`, by retry, when it was sent), once, before the file is processed', async () => {
    const [job] = await failedJobs(1);
    proxy.when(job.id, () => redis.freeze(), RETRY_REQUEST);
    const t0 = Date.now();
    const r = await timed(['retry', '--config', setup.configFile, '--redis-timeout', '2', job.id]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(new RegExp(`^in-doubt +${job.id} .*the worker that takes it then journals the retry`, 'm'));
    expect(await requeuedLines()).toEqual([]); // the command journals only what Redis confirmed
    redis.thaw(); // Redis runs the retry it was sent
    await until('the retry run by Redis', async () => ((await queue.getJobState(job.id)) === 'waiting' ? true : (await sleep(100), undefined)), 10_000);
    const lines = await workerRuns(job.id, job.data.sha256);
    const requeued = lines.filter((l) => l.event === 'requeued');
    expect(requeued).toEqual([expect.objectContaining({ by: 'retry', failed: 'it had failed 1 time(s): a cause since fixed', sentAt: expect.any(String) })]);
    const sent = Date.parse(requeued[0].sentAt!);
    expect(sent).toBeGreaterThanOrEqual(t0);
    expect(sent).toBeLessThan(t0 + r.ms);
    // trace tells the retry before the processing it caused
    const events = lines.map((l) => l.event);
    expect(events.indexOf('requeued')).toBeLessThan(events.indexOf('received'));
    expect(events.filter((e) => e === 'outcome')).toHaveLength(1);
    const traced = await cli(['trace', job.data.sha256, '--config', setup.configFile], { timeoutMs: 60_000 });
    expect(traced.stdout).toMatch(/its failed job queued again by the operator \(chorus-flux retry, sent at \S+: Redis never answered it, and ran it\): it had failed 1 time\(s\): a cause since fixed +\[[^\n]*\n[^\n]*received from op-alpha/);
  }, 90_000);

  it('a retry left in doubt that Redis never ran, retried again: journaled once, by the retry that was confirmed', async () => {
    const [job] = await failedJobs(1);
    // the retry's request held by the relay for good: sent, never delivered
    proxy.when(job.id, () => new Promise<void>(() => undefined), RETRY_REQUEST);
    const first = await timed(['retry', '--config', setup.configFile, '--redis-timeout', '2', job.id]);
    expect(first.code).toBe(2);
    expect(first.stdout).toMatch(new RegExp(`^in-doubt +${job.id} `, 'm'));
    expect(await queue.getJobState(job.id)).toBe('failed');
    const again = await timed(['retry', '--config', setup.configFile, job.id]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^retried +${job.id} `, 'm'));
    expect(existsSync(path.join(setup.config.paths.state, 'retries-in-doubt', `${job.id}.json`))).toBe(false);
    const requeued = (await workerRuns(job.id, job.data.sha256)).filter((l) => l.event === 'requeued');
    expect(requeued).toEqual([expect.objectContaining({ by: 'retry', failed: 'it had failed 1 time(s): a cause since fixed' })]);
    expect(requeued[0].sentAt).toBeUndefined();
  }, 90_000);

  it('a set-aside whose refusal was written when Redis froze: said set aside (it is, on disk), its job left listed, and the command stops there', async () => {
    const [job] = await failedJobs(1);
    const oneShot = await connectRedisOnce(proxy.url, 5000, 1500);
    const q = fluxQueue(setup.config, oneShot);
    const t0 = Date.now();
    const r = await setAsideFailedJob(q, job.id, {
      processingDir: setup.config.paths.processing,
      outcomeOf: async () => undefined,
      // the refusal written, Redis freezes before the job is taken off the list
      refuse: async () => (redis.freeze(), { outcome: 'refused' }),
    }).then(
      () => undefined,
      (e: { report?: { result: string; detail: string } }) => e.report,
    );
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r).toMatchObject({ result: 'set-aside' });
    expect(r?.detail).toMatch(/; Redis was lost taking the job off the failed list \(Command timed out\): run the same command again once Redis answers$/);
    oneShot.disconnect();
  }, 60_000);

  it('dashboard: its API answers 503 within seconds of a freeze (it waited for ever), and the queues again after it', async () => {
    setup = prodSetup({ partners: ['op-alpha'], extra: { redis: { url: redis.url, prefix: 'cf-oneshot' } } });
    const child = spawn(process.execPath, ['-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), 'dashboard', '-c', setup.configFile, '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    try {
      const url = await until('the dashboard started', async () => /"url":"([^"]+)"/.exec(err)?.[1] ?? (await sleep(100), undefined), 30_000);
      const api = `${url}api/queues?activeQueue=flux&page=1&jobsPerPage=10`;
      const get = async () => {
        const t0 = Date.now();
        try {
          const res = await fetch(api, { signal: AbortSignal.timeout(8000) });
          return { status: res.status as number | 'timeout', body: await res.text(), ms: Date.now() - t0 };
        } catch {
          return { status: 'timeout' as const, body: '', ms: Date.now() - t0 };
        }
      };
      expect((await get()).status).toBe(200);
      redis.freeze();
      const frozenAt = Date.now();
      const answered = await until('the API to say 503', async () => {
        const g = await get();
        expect(g.status).not.toBe('timeout');
        return g.status === 503 ? { ...g, after: Date.now() - frozenAt } : (await sleep(500), undefined);
      }, 20_000);
      process.stdout.write(`dashboard API 503 after ${answered.after} ms of a freeze\n`);
      expect(answered.after).toBeLessThan(10_000);
      expect(JSON.parse(answered.body)).toMatchObject({ redis: 'not-answering' });
      redis.thaw();
      await until('the API answers again', async () => ((await get()).status === 200 ? true : (await sleep(500), undefined)), 20_000);
      // and a SIGTERM during a freeze: it stops at once, not waiting on Redis
      redis.freeze();
      await sleep(4000);
      const sent = Date.now();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(Date.now() - sent).toBeLessThan(10_000);
    } finally {
      child.kill('SIGKILL');
    }
  }, 90_000);
});
