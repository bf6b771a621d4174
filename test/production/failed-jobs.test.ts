/**
 * Failed jobs and the operator, on a real Redis: a job that keeps failing (a lifecycle record
 * the power cut left empty) ends in the failed list with its file still in processing/;
 * `chorus-flux jobs` shows it with its file and reason (exit 1); once the record is restored,
 * `chorus-flux retry --all` queues it again and the file gets its one outcome. A job whose file
 * is gone is never retried blindly: without an outcome it is named and left, with one it is
 * taken off the list. A nightly reconciliation that could not run is shown too.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import pino from 'pino';
import type { Redis } from 'ioredis';
import { retryFailedJob } from '../../src/queue/failed-jobs';
import { readJournalDay } from '../../src/journal/journal';
import { fluxJobId, fluxJobOptions, fluxQueue, reconcileQueue, type FluxJobData } from '../../src/queue/flux-queue';
import { registerNightlySchedule } from '../../src/queue/nightly-schedule';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { startWorker, type RunningWorker } from '../../src/runner/worker';
import { dayOf } from '../../src/util/clock';
import { sha256 } from '../../src/util/hash';
import { createLogger } from '../../src/util/logger';
import { cli } from '../helpers/cli';
import { withWritableDashboard } from '../helpers/writable-dashboard';
import { invoiceNumbered } from '../helpers/generate-flows';
import { createRedis } from '../../src/queue/redis';
import { deletePrefix, describeRedis, REDIS_URL, redisClient, uniquePrefix } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';
import { claimAndQueue as queueClaimed } from '../helpers/queue-claimed';

async function settled(queue: Queue<FluxJobData>, id: string): Promise<string> {
  for (let i = 0; i < 400; i++) {
    const state = await queue.getJobState(id);
    if (state === 'completed' || state === 'failed') return state;
    await sleep(50);
  }
  throw new Error(`job ${id} did not finish`);
}

describeRedis('failed jobs: jobs and retry', () => {
  const setup = prodSetup({ partners: ['op-alpha'], worker: { attempts: 2, backoffMs: 50 } });
  let redis: Redis;
  let queue: Queue<FluxJobData>;
  let running: RunningWorker;
  /** the worker's log lines */
  const logged: { level: number; msg: string; jobId?: string; file?: string; partner?: string }[] = [];

  beforeAll(async () => {
    redis = redisClient();
    queue = fluxQueue(setup.config, redis);
    running = await startWorker({ config: setup.config, logger: pino({ level: 'info' }, { write: (l: string) => void logged.push(JSON.parse(l)) }) });
  });
  afterAll(async () => {
    await running.close(5000);
    await queue.close();
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  async function claimAndQueue(name: string, content: string): Promise<{ id: string; data: FluxJobData }> {
    const src = path.join(setup.inbox('op-alpha'), name);
    writeFileSync(src, content);
    return queueClaimed(setup.config, queue, 'op-alpha', src);
  }

  const jobs = (...args: string[]) => cli(['jobs', '--config', setup.configFile, ...args], { timeoutMs: 60_000 });
  const retry = (...args: string[]) => cli(['retry', '--config', setup.configFile, ...args], { timeoutMs: 60_000 });

  it('a job given up on is listed with its reason, retried once fixed, and its file ends once', async () => {
    const first = await claimAndQueue('F901.xml', invoiceNumbered(901));
    expect(await settled(queue, first.id)).toBe('completed');
    expect((await jobs()).code).toBe(0);

    // the invoice's lifecycle record is emptied (a power cut); the same invoice comes again
    const recDir = path.join(setup.config.paths.state, 'invoices');
    const record = readdirSync(recDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.json')).map((e) => path.join(e.parentPath, e.name))[0];
    const saved = readFileSync(record);
    writeFileSync(record, '');
    const again = await claimAndQueue('F901-bis.xml', invoiceNumbered(901, ' (renvoi)'));
    expect(await settled(queue, again.id)).toBe('failed');
    expect((await queue.getJob(again.id))?.attemptsMade).toBe(2); // retried with backoff, then given up
    // the log says which attempt will be retried and which was the last, with the file and partner
    const failures = logged.filter((l) => l.jobId === again.id && /^job /.test(l.msg));
    expect(failures.map((l) => [l.level, l.file, l.partner])).toEqual([
      [40, again.data.relPath, 'op-alpha'],
      [50, again.data.relPath, 'op-alpha'],
    ]);
    expect(failures[0].msg).toMatch(/^job failed, attempt 1 of 2: retried in \d+ ms$/);
    expect(failures[1].msg).toMatch(/^job given up after 2 attempt\(s\): left in the failed list with its file in processing\/ \(chorus-flux jobs --config \S+ shows it; retry or set-aside once the cause is fixed\)$/);
    expect(existsSync(again.data.path)).toBe(true); // the file waits in processing/, not lost

    const listed = await jobs();
    expect(listed.code).toBe(1);
    expect(listed.stdout).toContain('failed 1');
    expect(listed.stdout).toContain(again.id);
    expect(listed.stdout).toContain(again.data.relPath);
    expect(listed.stdout).toMatch(/The lifecycle record .*state\/invoices\/.* cannot be read \(the file is empty\); .* Restore it from a backup/);
    expect(listed.stdout).toContain(`chorus-flux retry --config ${setup.configFile} --all`);
    const asJson = JSON.parse((await jobs('--json')).stdout);
    expect(asJson.counts.failed).toBe(1);
    expect(asJson.failed).toEqual([expect.objectContaining({ id: again.id, file: again.data.relPath, sha256: again.data.sha256, attempts: 2, inProcessing: true })]);

    writeFileSync(record, saved);
    const retried = await retry('--all');
    expect(retried.stderr).toBe('');
    expect(retried.code).toBe(0);
    expect(retried.stdout).toMatch(new RegExp(`^retried +${again.id} `, 'm'));
    expect(retried.stdout).toContain('1 retried, 0 already finished, 0 not retried');
    expect(await settled(queue, again.id)).toBe('completed');
    expect((await queue.getJob(again.id))?.returnvalue).toEqual({ outcome: 'duplicate', sha256: again.data.sha256 });
    expect(existsSync(again.data.path)).toBe(false);
    expect((await jobs()).code).toBe(0);

    const day = dayOf(new Date(), setup.config.timezone);
    const { lines } = await readJournalDay(path.join(setup.config.paths.out, 'journal'), day);
    const outcomes = lines.filter((l) => l.event === 'outcome' && l.sha256 === again.data.sha256);
    expect(outcomes).toHaveLength(1);
    // each failed attempt is in the journal with its reason (trace showed bare `received` lines)
    expect(lines.filter((l) => l.event === 'system-error' && l.sha256 === again.data.sha256).map((l) => (l as { message: string }).message)).toEqual([
      expect.stringMatching(/^attempt 1 of 2 failed \(retried\): The lifecycle record .* cannot be read/),
      expect.stringMatching(/^attempt 2 of 2 failed: The lifecycle record .* cannot be read/),
    ]);
    const traced = await cli(['trace', again.data.sha256, '--config', setup.configFile], { timeoutMs: 60_000 });
    expect(traced.stdout).toMatch(/system error: attempt 1 of 2 failed \(retried\): The lifecycle record/);
    // the operator's retry is journaled between the failures and the outcome: trace says who and
    // when (it showed the failures, then a bare `received`)
    expect(lines.filter((l) => l.event === 'requeued' && l.sha256 === again.data.sha256)).toEqual([expect.objectContaining({ by: 'retry', file: again.data.relPath, partner: 'op-alpha', claimId: again.data.claimId, failed: expect.stringMatching(/^it had failed 2 time\(s\): The lifecycle record/) })]);
    // the worker may take the job (its `received`) a few ms before `retry` journals its line, which
    // it writes once BullMQ has queued the job: either order, both between the failure and the outcome
    expect(traced.stdout).toMatch(
      /attempt 2 of 2 failed: [^\n]*\n(.*its failed job queued again by the operator \(chorus-flux retry\): it had failed 2 time\(s\): The lifecycle record[^\n]*\n.*received from op-alpha[^\n]*\n|.*received from op-alpha[^\n]*\n.*its failed job queued again by the operator \(chorus-flux retry\): it had failed 2 time\(s\): The lifecycle record[^\n]*\n).*outcome: duplicate/,
    );

    // retrying it again (a script run again) finds it finished: exit 0; a job that does not exist is named, exit 1
    const twice = await retry(again.id);
    expect(twice.stdout).toMatch(new RegExp(`^finished +${again.id} +${again.data.relPath} +the job is completed \\(outcome duplicate\\): nothing to do$`, 'm'));
    expect(twice.code).toBe(0);
    const unknown = await retry(again.id, 'no-such-job');
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(/^not-found +no-such-job .*no job has this id/m);
    // nine commands started from the TypeScript sources, and a backoff: 20 s alone, over 60 s at load 17
  }, 180_000);

  it('a failed job retried from a writable dashboard: the worker that runs it journals the retry (`requeued`, by dashboard, the failure it had), once', async () => {
    const first = await claimAndQueue('F905.xml', invoiceNumbered(905));
    expect(await settled(queue, first.id)).toBe('completed');
    const recDir = path.join(setup.config.paths.state, 'invoices');
    const record = readdirSync(recDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.json')).map((e) => path.join(e.parentPath, e.name)).find((f) => readFileSync(f, 'utf8').includes('F-2026-000905'))!;
    const saved = readFileSync(record);
    writeFileSync(record, '');
    const again = await claimAndQueue('F905-bis.xml', invoiceNumbered(905, ' (renvoi)'));
    expect(await settled(queue, again.id)).toBe('failed');
    writeFileSync(record, saved);

    await withWritableDashboard(setup.configFile, setup.dir, async (url) => {
      // what its "Retry" button sends: bull-board's job.retry, the job's attempts kept
      const res = await fetch(`${url}api/queues/flux/${encodeURIComponent(again.id)}/retry`, { method: 'PUT' });
      expect(res.status).toBe(204);
    });
    expect(await settled(queue, again.id)).toBe('completed');
    const { lines } = await readJournalDay(path.join(setup.config.paths.out, 'journal'), dayOf(new Date(), setup.config.timezone));
    // in time order (the journal reads each writer's file in turn)
    const mine = lines.filter((l) => (l as { sha256?: string }).sha256 === again.data.sha256).sort((a, b) => a.ts.localeCompare(b.ts));
    expect(mine.filter((l) => l.event === 'requeued')).toEqual([expect.objectContaining({ by: 'dashboard', file: again.data.relPath, claimId: again.data.claimId, failed: expect.stringMatching(/^it had failed 2 time\(s\): The lifecycle record/) })]);
    // between the failure and the processing it caused
    const events = mine.map((l) => (l.event === 'system-error' ? `${l.event} ${(l as { job?: string }).job}` : l.event));
    expect(events.slice(events.indexOf('system-error failed'))).toEqual(['system-error failed', 'requeued', 'received', 'outcome']);
    const traced = await cli(['trace', again.data.sha256, '--config', setup.configFile], { timeoutMs: 60_000 });
    expect(traced.stdout).toMatch(/its failed job queued again from the dashboard: it had failed 2 time\(s\): The lifecycle record/);
    // the mark is taken: a job retried by the queue itself later is no operator's retry
    expect(await redis.hget(`${setup.config.redis.prefix}:flux:${again.id}`, 'chorusFailed')).toBeNull();
  });

  it('a failed job whose file is gone is named and left; once its content has an outcome it is taken off the list', async () => {
    const content = invoiceNumbered(902);
    const sha = sha256(Buffer.from(content));
    const ghost: FluxJobData = { path: path.join(setup.config.paths.processing, 'op-alpha', '20261128T000000000Z-0000__ghost.xml'), name: 'ghost.xml', relPath: 'op-alpha/ghost.xml', partner: 'op-alpha', sha256: sha, claimId: 'ghost' };
    const ghostId = fluxJobId(sha, 'ghost');
    await queue.add('flux', ghost, { ...fluxJobOptions(setup.config), jobId: ghostId });
    expect(await settled(queue, ghostId)).toBe('failed');

    const gone = await retry(ghostId);
    expect(gone.code).toBe(1);
    expect(gone.stdout).toMatch(new RegExp(`^file-gone +${ghostId} +op-alpha/ghost.xml +its file is no longer in processing/ and has no outcome`, 'm'));
    expect(await queue.getJobState(ghostId)).toBe('failed');

    // the same content arrives and is processed: the ghost's work is done
    const real = await claimAndQueue('F902.xml', content);
    expect(await settled(queue, real.id)).toBe('completed');
    const done = await retry('--all');
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(new RegExp(`^finished +${ghostId} .*outcome accepted.*taken off the failed list`, 'm'));
    expect(await queue.getJob(ghostId)).toBeUndefined();
  });

  /**
   * A job on its own prefix that fails for good (a cause since fixed), its file in processing/;
   * no worker is left to take it once retried. `done` removes the queue.
   */
  async function failedJobUnder(prefix: string, claimId: string, name: string, content: string, attempts: number, jobId?: string) {
    const q = new Queue<FluxJobData>('flux', { connection: redis, prefix });
    const blocking = createRedis({ url: REDIS_URL, blocking: true });
    const failing = new Worker<FluxJobData>('flux', async () => {
      throw new UnrecoverableError('a cause since fixed');
    }, { connection: blocking, prefix });
    const done = async () => {
      await failing.close();
      await q.obliterate({ force: true });
      await q.close();
      await blocking.quit();
    };
    try {
      const file = path.join(setup.config.paths.processing, 'op-alpha', `${claimId}__${name}`);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
      const sha = sha256(Buffer.from(content));
      const job = await q.add('flux', { path: file, name, relPath: `op-alpha/${name}`, partner: 'op-alpha', sha256: sha, claimId }, { attempts, ...(jobId ? { jobId } : {}) });
      for (let i = 0; i < 200 && (await q.getJobState(job.id!)) !== 'failed'; i++) await sleep(50);
      await failing.close();
      return { q, id: job.id!, done };
    } catch (err) {
      await done();
      throw err;
    }
  }

  it('two operators retrying the same job at once: it is queued again once', async () => {
    const { q, id, done } = await failedJobUnder(uniquePrefix('race'), 'race', 'F903.xml', invoiceNumbered(903), 3);
    try {
      const opts = { processingDir: setup.config.paths.processing, outcomeOf: async () => undefined };
      const both = await Promise.all([retryFailedJob(q, id, opts), retryFailedJob(q, id, opts)]);
      // the other finds it queued already: what it wanted holds
      expect(both.map((r) => r.result).sort()).toEqual(['already-queued', 'retried']);
      expect(await q.getJobState(id)).toBe('waiting');
      expect((await q.getJob(id))?.attemptsMade).toBe(0);
    } finally {
      await done();
    }
  });

  it('retry run again with the same ids (a script stopped half-way): a job queued by the first run is said already queued, exit 0', async () => {
    const prefix = uniquePrefix('again');
    const raw = JSON.parse(readFileSync(setup.configFile, 'utf8'));
    raw.redis = { ...raw.redis, prefix };
    const alt = path.join(setup.dir, 'again.json');
    writeFileSync(alt, JSON.stringify(raw));
    const content = invoiceNumbered(904);
    const { q, id, done } = await failedJobUnder(prefix, 'again', 'F904.xml', content, 1, fluxJobId(sha256(Buffer.from(content)), 'again'));
    try {
      const first = await cli(['retry', '--config', alt, id], { timeoutMs: 60_000 });
      expect(first.stdout).toMatch(new RegExp(`^retried +${id} `, 'm'));
      expect(first.code).toBe(0);
      const second = await cli(['retry', '--config', alt, id], { timeoutMs: 60_000 });
      expect(second.stderr).toBe('');
      expect(second.stdout).toMatch(new RegExp(`^already-queued ${id} +op-alpha/F904.xml +the job is waiting, queued for a worker \\(retried before\\?\\): left as it is$`, 'm'));
      expect(second.stdout).toContain('0 retried, 1 already queued, 0 already finished, 0 not retried');
      expect(second.code).toBe(0);
      const asJson = await cli(['retry', '--config', alt, id, '--json'], { timeoutMs: 60_000 });
      expect(asJson.code).toBe(0);
      expect(JSON.parse(asJson.stdout)).toEqual([{ id, file: 'op-alpha/F904.xml', result: 'already-queued', detail: 'the job is waiting, queued for a worker (retried before?): left as it is' }]);
      // queued once, its attempts untouched by the runs again
      expect(await q.getJobState(id)).toBe('waiting');
      expect((await q.getJob(id))?.attemptsMade).toBe(0);
      expect(await q.getWaitingCount()).toBe(1);
      // set-aside cannot act on a queued job: it says so, exit 1
      const aside = await cli(['set-aside', '--config', alt, '--reason', 'x', id], { timeoutMs: 60_000 });
      expect(aside.code).toBe(1);
      expect(aside.stdout).toMatch(new RegExp(`^not-failed +${id} .*the job is waiting, not failed`, 'm'));
    } finally {
      await done();
    }
  });

  it('a nightly reconciliation that could not run is shown, with the command to run it by hand', async () => {
    const nightly = reconcileQueue(setup.config, redis);
    try {
      const job = await nightly.add('reconcile', { date: '2999-01-01' }); // a day not begun: it cannot run
      for (let i = 0; i < 200 && (await nightly.getJobState(job.id!)) !== 'failed'; i++) await sleep(50);
      const listed = await jobs();
      expect(listed.code).toBe(1);
      expect(listed.stdout).toContain('no failed job');
      expect(listed.stdout).toMatch(/nightly reconciliations that could not run: 1; the latest \(for 2999-01-01\) at [0-9T:.Z-]+:\n +reconciliation of 2999-01-01 could not run: .*\n +run it by hand once fixed: chorus-flux reconcile --config .* --date 2999-01-01/);
      expect(JSON.parse((await jobs('--json')).stdout).nightly).toMatchObject({ failed: 1, latest: { date: '2999-01-01' } });
      // no watch has scheduled it against this Redis: said, and scheduled it is shown with its next run
      expect(listed.stdout).toContain('nightly reconciliation: NOT scheduled in Redis — no `watch` runs against this Redis and prefix');
      await registerNightlySchedule(nightly, setup.config);
      const scheduled = await jobs();
      expect(scheduled.stdout).toMatch(new RegExp(`nightly reconciliation: scheduled \\(${setup.config.reconcile.cron.replace(/\*/g, '\\*')}, ${setup.config.timezone}\\), next at \\d{4}-\\d{2}-\\d{2}T`));
      expect(JSON.parse((await jobs('--json')).stdout).schedule).toMatchObject({ pattern: setup.config.reconcile.cron, tz: setup.config.timezone, next: expect.stringMatching(/^\d{4}-/) });
    } finally {
      await nightly.obliterate({ force: true });
      await nightly.close();
    }
  });

  it('a night that could not run, caught up by the next one, is no longer counted: jobs exits 0 again, the failed job leaves Redis', async () => {
    // BullMQ keeps failed jobs for ever: one night that failed (its reports folder unwritable)
    // kept `jobs` at exit 1 for good, after the next night had written the day's report
    const nightly = reconcileQueue(setup.config, redis);
    const reports = path.join(setup.config.paths.out, 'reports');
    rmSync(reports, { recursive: true, force: true });
    writeFileSync(reports, 'not a folder');
    try {
      const failed = await nightly.add('reconcile', {}); // as the scheduler queues it: yesterday's day
      for (let i = 0; i < 200 && (await nightly.getJobState(failed.id!)) !== 'failed'; i++) await sleep(50);
      expect(await nightly.getJobState(failed.id!)).toBe('failed');
      const before = await jobs('--json');
      expect([before.code, JSON.parse(before.stdout).nightly.failed]).toEqual([1, 1]);

      rmSync(reports);
      // the day's report written by hand: settled, said apart and not counted; the job still in Redis
      expect((await reconcileDay({ config: setup.config })).exitCode).not.toBe(2);
      const settled = await jobs();
      expect(settled.code).toBe(0);
      expect(settled.stdout).toContain('nightly reconciliations that could not run and whose days have their report since: 1');
      expect(await nightly.getJobState(failed.id!)).toBe('failed');
      const next = await nightly.add('reconcile', {});
      for (let i = 0; i < 200 && (await nightly.getJobState(next.id!)) !== 'completed'; i++) await sleep(50);
      expect(await nightly.getJobState(next.id!)).toBe('completed');
      const yesterday = dayOf(new Date(Date.now() - 86_400_000), setup.config.timezone);
      expect(existsSync(path.join(reports, `reconcile-${yesterday}.json`))).toBe(true);
      for (let i = 0; i < 100 && (await nightly.getJobState(failed.id!)) === 'failed'; i++) await sleep(50);
      expect(await nightly.getJobState(failed.id!)).toBe('unknown');
      const after = await jobs();
      expect(after.code).toBe(0);
      expect(after.stdout).not.toContain('nightly reconciliations that could not run');
    } finally {
      if (existsSync(reports) && !statSync(reports).isDirectory()) rmSync(reports);
      await nightly.obliterate({ force: true });
      await nightly.close();
    }
  });

  it('says what it needs, and fails plainly when Redis cannot be reached (no password shown)', async () => {
    const none = await retry();
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/name the failed jobs to retry .* or give --all/);

    const raw = JSON.parse(readFileSync(setup.configFile, 'utf8'));
    raw.redis = { url: 'redis://:s3cret@127.0.0.1:1', prefix: uniquePrefix('nowhere') };
    const offline = path.join(setup.dir, 'offline.json');
    writeFileSync(offline, JSON.stringify(raw));
    const r = await cli(['jobs', '--config', offline], { timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^chorus-flux: cannot use Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1: Redis cannot be reached \(ECONNREFUSED/);
    expect(r.stderr).not.toContain('s3cret');
  });
});
