/**
 * The operator's retries the worker journals (queue/retry-seen.ts), in the three cases the first
 * version left unjournaled or leaking:
 *
 * - a worker killed (SIGKILL, CHORUS_FLUX_FAULT) after it had taken the retry's mark off the job
 *   (or the record of a retry in doubt) and before its `requeued` line was on disk: the next
 *   worker to take the stalled job found nothing and journaled nothing. Now the line is journaled
 *   first, the marks taken off after, and a worker killed in between (before the line, or after
 *   it) leaves the next one to journal the retry exactly once;
 * - `set-aside` of a job with a retry in doubt left its record in state/retries-in-doubt/ for
 *   ever, and nothing swept the records of jobs gone from Redis: set-aside removes its job's, the
 *   nightly job those of jobs gone or completed;
 * - a completed job retried from a writable dashboard (bull-board retries completed jobs) was run
 *   again with no line at all: the dashboard marks it, the worker journals the retry (`requeued`,
 *   by dashboard, the outcome it had) and ends on that outcome.
 */
import { existsSync, readFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { claimFile } from '../../src/ingest/claim';
import { readJournalDay } from '../../src/journal/journal';
import { fluxJobId, fluxJobOptions, reconcileQueue, type FluxJobData } from '../../src/queue/flux-queue';
import { recordRetryInDoubt } from '../../src/queue/retry-seen';
import { startWorker, type RunningWorker } from '../../src/runner/worker';
import { dayOf } from '../../src/util/clock';
import { sha256 } from '../../src/util/hash';
import { cli } from '../helpers/cli';
import { invoiceNumbered } from '../helpers/generate-flows';
import { describeRedis } from '../helpers/redis';
import { queueSuite } from '../helpers/queue-suite';
import { until } from '../helpers/until';
import { withWritableDashboard } from '../helpers/writable-dashboard';
import { prodSetup } from '../helpers/watch';
import { startWorkerProcess } from '../helpers/worker-process';

type Line = { event: string; ts: string; by?: string; failed?: string; sentAt?: string; completed?: string; sha256?: string; job?: string };

describeRedis("operators' retries journaled by the worker: crash-safe, records not left behind, completed jobs", () => {
  const setup = prodSetup({ partners: ['op-alpha'], worker: { concurrency: 1, lockDurationMs: 1000, attempts: 1 } });
  const s = queueSuite(setup);
  const inDoubt = (id: string) => path.join(setup.config.paths.state, 'retries-in-doubt', `${id}.json`);
  const beingJournaled = (id: string) => path.join(setup.config.paths.state, 'retries-being-journaled', `${id}.json`);

  async function linesOf(sha: string): Promise<Line[]> {
    const { lines } = await readJournalDay(path.join(setup.config.paths.out, 'journal'), dayOf(new Date(), setup.config.timezone));
    return (lines as unknown as Line[]).filter((l) => l.sha256 === sha).sort((a, b) => a.ts.localeCompare(b.ts));
  }

  const inProcess = () => startWorker({ config: setup.config, logger: pino({ level: 'silent' }) });

  /**
   * Invoice `n` claimed and queued, failed for good by a real worker (its file held away while it
   * ran: "gone and has no outcome"), which marks it; the file back in processing/, no worker left.
   */
  async function failedForGood(n: number): Promise<{ id: string; data: FluxJobData }> {
    const content = invoiceNumbered(n);
    const src = path.join(setup.inbox('op-alpha'), `F${n}.xml`);
    writeFileSync(src, content);
    const claim = await claimFile(src, setup.config.paths.processing, 'op-alpha');
    if (!claim) throw new Error('claim failed');
    const sha = sha256(Buffer.from(content));
    const data: FluxJobData = { path: claim.path, name: claim.name, relPath: `op-alpha/F${n}.xml`, partner: 'op-alpha', sha256: sha, claimId: claim.claimId };
    const id = fluxJobId(sha, claim.claimId);
    const away = `${claim.path}.away`;
    renameSync(claim.path, away);
    const w = await inProcess();
    try {
      await s.queue.add('flux', data, { ...fluxJobOptions(setup.config), jobId: id });
      await until('the job failed', async () => ((await s.queue.getJobState(id)) === 'failed' ? true : (await sleep(50), undefined)));
      await until('the job marked', async () => ((await s.redis.hget(`${setup.config.redis.prefix}:flux:${id}`, 'chorusFailed')) ?? (await sleep(50), undefined)));
    } finally {
      await w.close(5000);
    }
    renameSync(away, claim.path);
    return { id, data };
  }

  /** A worker process killed at `fault` on the job; then another, which ends the job. */
  async function killedThenDone(id: string, fault: string): Promise<void> {
    const killed = startWorkerProcess(setup.configFile, { CHORUS_FLUX_FAULT: fault });
    s.workers.push(killed);
    expect(await killed.exited).toBe('SIGKILL');
    expect(await s.queue.getJobState(id)).toBe('active'); // its lock left to expire: found stalled
    const next = startWorkerProcess(setup.configFile);
    s.workers.push(next);
    try {
      await until('the next worker completed the job', async () => ((await s.queue.getJobState(id)) === 'completed' ? true : (await sleep(100), undefined)), 60_000);
    } finally {
      next.child.kill('SIGTERM');
      await next.exited;
    }
  }

  it("a dashboard retry, its worker killed once it had read the retry's mark and before its line: the next worker journals it, once", async () => {
    const { id, data } = await failedForGood(801);
    await (await s.queue.getJob(id))!.retry('failed'); // what bull-board's Retry sends
    await killedThenDone(id, 'before-retry-journal');
    const lines = await linesOf(data.sha256);
    expect(lines.filter((l) => l.event === 'requeued')).toEqual([expect.objectContaining({ by: 'dashboard', failed: expect.stringMatching(/^it had failed 1 time\(s\): the claimed file .* is gone and has no outcome/) })]);
    expect(lines.filter((l) => l.event === 'outcome')).toHaveLength(1);
    // after the failure, before the processing it caused (the attempt cut short journaled by whichever worker found it stalled)
    const events = lines.map((l) => (l.event === 'system-error' ? `system-error ${l.job}` : l.event)).filter((e) => e !== 'system-error requeued');
    expect(events.slice(events.indexOf('system-error failed'))).toEqual(['system-error failed', 'requeued', 'received', 'outcome']);
    expect(await s.redis.hget(`${setup.config.redis.prefix}:flux:${id}`, 'chorusFailed')).toBeNull();
    expect(existsSync(beingJournaled(id))).toBe(false);
  }, 120_000);

  it('a dashboard retry, its worker killed once its line was on disk and before the mark was taken off: the next worker does not journal it again', async () => {
    const { id, data } = await failedForGood(802);
    await (await s.queue.getJob(id))!.retry('failed');
    await killedThenDone(id, 'after-retry-journal');
    const lines = await linesOf(data.sha256);
    expect(lines.filter((l) => l.event === 'requeued')).toEqual([expect.objectContaining({ by: 'dashboard', failed: expect.stringMatching(/^it had failed 1 time\(s\)/) })]);
    expect(lines.filter((l) => l.event === 'outcome')).toHaveLength(1);
    expect(await s.redis.hget(`${setup.config.redis.prefix}:flux:${id}`, 'chorusFailed')).toBeNull();
    expect(existsSync(beingJournaled(id))).toBe(false);
  }, 120_000);

  it('a retry left in doubt that Redis ran, its worker killed once it had read the record and before its line: the next worker journals it (by retry, sentAt), once', async () => {
    const { id, data } = await failedForGood(803);
    const sentAt = new Date().toISOString();
    // what `retry` records when Redis does not answer its retry, and the retry Redis then ran
    await recordRetryInDoubt(setup.config.paths.state, id, { failed: 'it had failed 1 time(s): a cause since fixed', sentAt });
    await (await s.queue.getJob(id))!.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    await killedThenDone(id, 'before-retry-journal');
    const lines = await linesOf(data.sha256);
    expect(lines.filter((l) => l.event === 'requeued')).toEqual([expect.objectContaining({ by: 'retry', failed: 'it had failed 1 time(s): a cause since fixed', sentAt })]);
    expect(lines.filter((l) => l.event === 'outcome')).toHaveLength(1);
    expect(existsSync(inDoubt(id))).toBe(false);
    expect(existsSync(beingJournaled(id))).toBe(false);
  }, 120_000);

  it('set-aside of a job with a retry in doubt removes its record (it stayed in state/retries-in-doubt/ for ever)', async () => {
    const { id } = await failedForGood(804);
    await recordRetryInDoubt(setup.config.paths.state, id, { failed: 'it had failed 1 time(s): x', sentAt: new Date().toISOString() });
    const r = await cli(['set-aside', '--config', setup.configFile, '--reason', 'cannot be processed', id], { timeoutMs: 60_000 });
    expect(r.stdout).toMatch(new RegExp(`^set-aside +${id} `, 'm'));
    expect(r.code).toBe(0);
    expect(existsSync(inDoubt(id))).toBe(false);
  }, 60_000);

  it('the nightly job removes the records of retries whose job is gone from Redis, and says so; those of a job still failed, or new, stay', async () => {
    const { id: failedId } = await failedForGood(805);
    const goneId = fluxJobId('f'.repeat(64), '20261201T000000000Z-0000');
    const freshId = fluxJobId('e'.repeat(64), '20261201T000000000Z-0000');
    for (const id of [failedId, goneId, freshId]) await recordRetryInDoubt(setup.config.paths.state, id, { failed: 'it had failed 1 time(s): x', sentAt: new Date().toISOString() });
    const old = new Date(Date.now() - 3 * 3600_000);
    for (const id of [failedId, goneId]) utimesSync(inDoubt(id), old, old);
    const logged: { msg: string; removed?: { id: string }[] }[] = [];
    const w: RunningWorker = await startWorker({ config: setup.config, logger: pino({ level: 'info' }, { write: (l: string) => void logged.push(JSON.parse(l)) }) });
    const nightly = reconcileQueue(setup.config, s.redis);
    try {
      // today's (the journal begins today: an earlier day cannot be reconciled)
      const job = await nightly.add('reconcile', { date: dayOf(new Date(), setup.config.timezone) });
      await until('the nightly job done', async () => (['completed', 'failed'].includes(await nightly.getJobState(job.id!)) ? true : (await sleep(100), undefined)), 60_000);
      expect(await nightly.getJobState(job.id!)).toBe('completed');
    } finally {
      await nightly.obliterate({ force: true });
      await nightly.close();
      await w.close(5000);
    }
    expect(existsSync(inDoubt(goneId))).toBe(false);
    expect(existsSync(inDoubt(failedId))).toBe(true); // its next retry or set-aside uses it
    expect(existsSync(inDoubt(freshId))).toBe(true); // a retry under way
    expect(logged.find((l) => /^nightly sweep: 1 record\(s\) of operators' retries/.test(l.msg))?.removed).toEqual([expect.objectContaining({ id: goneId })]);
  }, 90_000);

  it('a completed job retried from a writable dashboard: journaled (`requeued`, by dashboard, the outcome it had), the worker ends on that outcome, nothing processed again', async () => {
    const content = invoiceNumbered(806);
    const src = path.join(setup.inbox('op-alpha'), 'F806.xml');
    writeFileSync(src, content);
    const w = await inProcess();
    try {
      const claim = (await claimFile(src, setup.config.paths.processing, 'op-alpha'))!;
      const sha = sha256(Buffer.from(content));
      const id = fluxJobId(sha, claim.claimId);
      await s.queue.add('flux', { path: claim.path, name: claim.name, relPath: 'op-alpha/F806.xml', partner: 'op-alpha', sha256: sha, claimId: claim.claimId }, { ...fluxJobOptions(setup.config), jobId: id });
      await until('the job completed', async () => ((await s.queue.getJobState(id)) === 'completed' ? true : (await sleep(50), undefined)));
      const first = (await s.queue.getJob(id))!;
      const outcome = (first.returnvalue as { outcome: string }).outcome;

      await withWritableDashboard(setup.configFile, setup.dir, async (url) => {
        const res = await fetch(`${url}api/queues/flux/${encodeURIComponent(id)}/retry`, { method: 'PUT' });
        expect(res.status).toBe(204);
      });
      await until('the job completed again', async () => {
        const j = await s.queue.getJob(id);
        return (await s.queue.getJobState(id)) === 'completed' && j!.finishedOn! > first.finishedOn! ? true : (await sleep(50), undefined);
      });
      expect((await s.queue.getJob(id))!.returnvalue).toEqual({ outcome, sha256: sha });
      const lines = await linesOf(sha);
      expect(lines.map((l) => l.event)).toEqual(['received', 'outcome', 'requeued']);
      expect(lines[2]).toEqual(expect.objectContaining({ by: 'dashboard', completed: outcome }));
      expect(lines[2].failed).toBeUndefined();
      expect(await s.redis.hget(`${setup.config.redis.prefix}:flux:${id}`, 'chorusCompleted')).toBeNull();
      const traced = await cli(['trace', sha, '--config', setup.configFile], { timeoutMs: 60_000 });
      expect(traced.stdout).toContain(`its completed job (outcome ${outcome}) queued again from the dashboard: the worker ends on that outcome, its file done`);
    } finally {
      await w.close(5000);
    }
  }, 90_000);

  it("the dashboard's Retry all of the completed jobs: each journaled, once", async () => {
    const before = (await s.queue.getJobs(['completed'])).map((j) => ({ id: String(j.id), sha: j.data.sha256, finishedOn: j.finishedOn!, outcome: (j.returnvalue as { outcome: string }).outcome }));
    expect(before.length).toBeGreaterThanOrEqual(3);
    const requeuedBefore = new Map<string, number>();
    for (const j of before) requeuedBefore.set(j.id, (await linesOf(j.sha)).filter((l) => l.event === 'requeued').length);
    const w = await inProcess();
    try {
      await withWritableDashboard(setup.configFile, setup.dir, async (url) => {
        const res = await fetch(`${url}api/queues/flux/retry/completed`, { method: 'PUT' });
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ retried: before.length });
      });
      for (const j of before) {
        await until(`job ${j.id} completed again`, async () => ((await s.queue.getJob(j.id))!.finishedOn! > j.finishedOn && (await s.queue.getJobState(j.id)) === 'completed' ? true : (await sleep(50), undefined)));
        const requeued = (await linesOf(j.sha)).filter((l) => l.event === 'requeued');
        expect(requeued).toHaveLength(requeuedBefore.get(j.id)! + 1);
        expect(requeued.at(-1)).toEqual(expect.objectContaining({ by: 'dashboard', completed: j.outcome }));
      }
    } finally {
      await w.close(5000);
    }
  }, 90_000);
});
