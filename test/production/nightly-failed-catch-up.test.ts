/**
 * A nightly reconciliation job that failed (its worker killed twice, so BullMQ gave it up as
 * stalled; or a reconciliation that could not run) leaves its night without a report. `watch`
 * looks at the last night's job at each rescan and, failed with its report missing, queues one
 * catch-up, which a worker runs at once. Until 2026-12-07 the day waited for the next night.
 *
 * The failure is made by a BullMQ worker of the test's own that takes the night's job and throws
 * (what `watch` sees, a job in the failed list, is the same whatever the cause); then a real
 * `chorus-flux worker` runs the catch-up. A catch-up that fails in turn is not queued again.
 */
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Job, type Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { RECONCILE_QUEUE, reconcileQueue } from '../../src/queue/flux-queue';
import { addDays } from '../../src/reconcile/day';
import { reportPaths } from '../../src/reconcile/reconcile-day';
import { dayOf } from '../../src/util/clock';
import { type Daemon, daemon } from '../helpers/daemon';
import { cronIn, journalDay } from '../helpers/nightly';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { until } from '../helpers/until';
import { prodSetup } from '../helpers/watch';

/** `watch`'s set-up with a nightly reconciliation due in `leadMs` (UTC) and yesterday's journal of 10 files without a report. */
function scene(leadMs: number) {
  const cron = cronIn(leadMs); // room for watch to start and schedule it
  const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 300 }, extra: { timezone: 'UTC', reconcile: { cron: cron.pattern } } });
  const { config } = setup;
  const today = dayOf(new Date(), 'UTC');
  const yesterday = addDays(today, -1);
  journalDay(config.paths.out, yesterday, 10);
  return { cron, setup, config, today, yesterday, report: reportPaths(`${config.paths.out}/reports`, yesterday).json };
}

/** A worker of the test's own on the reconcile queue: the first `limit` jobs it takes fail, then it takes no more; the ids it failed. */
function failingWorker(s: ReturnType<typeof scene>, connection: Redis, limit: number) {
  const failed: string[] = [];
  const own = connection.duplicate({ maxRetriesPerRequest: null });
  const w = new Worker(RECONCILE_QUEUE, async (job: Job) => {
    failed.push(String(job.id));
    if (failed.length >= limit) void w.pause(true); // paused at once: the failure fetches no next job
    throw new Error('the worker on it was killed twice (simulated)');
  }, { connection: own, prefix: s.config.redis.prefix, concurrency: 1 });
  w.on('error', () => undefined);
  let closed: Promise<void> | undefined;
  // a connection given to BullMQ is the giver's to close
  return { failed, close: () => (closed ??= w.close().then(() => own.quit().then(() => undefined, () => undefined))) };
}

/**
 * The scene, the reconcile queue, a breaking worker failing the first `fails` jobs and `watch`
 * started before the night is due; the daemons stopped and the keys removed after `fn`. A watch
 * that started after its night was due (a loaded host: its start took 25 s once, past a fixed
 * 20 s lead) is stopped and the scene set again with twice the lead, instead of failing.
 */
async function withScene(fails: number, fn: (s: ReturnType<typeof scene>, q: Queue, on: { watch: Daemon; breaker: ReturnType<typeof failingWorker>; daemons: Daemon[] }) => Promise<void>): Promise<void> {
  for (let leadMs = 20_000; ; leadMs *= 2) {
    if (await sceneOnce(leadMs, fails, fn)) return;
  }
}

/** false when `watch` started after the night was due and a longer lead is still to try. */
async function sceneOnce(leadMs: number, fails: number, fn: Parameters<typeof withScene>[1]): Promise<boolean> {
  const s = scene(leadMs);
  const client = redisClient();
  const q = reconcileQueue(s.config, client);
  const breaker = failingWorker(s, client, fails);
  const watch = daemon('watch', s.setup.configFile);
  const daemons: Daemon[] = [watch];
  try {
    await watch.said('"watch started"', 90_000);
    if (Date.now() >= s.cron.at && leadMs < 80_000) return false;
    expect(Date.now()).toBeLessThan(s.cron.at); // else the first night scheduled is tomorrow's
    await fn(s, q, { watch, breaker, daemons });
    return true;
  } finally {
    await breaker.close();
    for (const d of daemons) {
      d.kill('SIGTERM');
      await d.exited;
    }
    await q.close();
    await deletePrefix(client, s.config.redis.prefix);
    await client.quit();
  }
}

/** What watch warned of a catch-up it queued. */
const catchUpWarnings = (watch: Daemon) => watch.stderr().split('\n').filter((l) => l.includes("the last night's reconciliation left no report"));

describeRedis('a nightly reconciliation job that failed', () => {
  it('is caught up at once by a worker once watch sees it failed, not the next night', () =>
    withScene(1, async (s, q, { watch, breaker, daemons }) => {
      const nightId = await until("the night's job failed", async () => breaker.failed[0], 60_000);
      expect(nightId).toBe(`repeat:nightly-reconciliation:${s.cron.at}`);
      await until('the catch-up queued', async () => ((await q.getJob(`catch-up-${s.today}`)) ? true : undefined), 60_000);
      expect(existsSync(s.report)).toBe(false);
      await breaker.close();
      const worker = daemon('worker', s.setup.configFile);
      daemons.push(worker);
      await worker.said(`reconciliation of missed day ${s.yesterday}: ANOMALIES`, 60_000);
      await until('the report', async () => (existsSync(s.report) ? true : undefined), 60_000);
      await until('the catch-up completed', async () => ((await q.getJobState(`catch-up-${s.today}`)) === 'completed' ? true : undefined), 60_000);
      const warned = catchUpWarnings(watch);
      expect(warned).toHaveLength(1);
      expect(JSON.parse(warned[0])).toMatchObject({ level: 40, days: [s.yesterday], msg: expect.stringMatching(/^the last night's reconciliation left no report \(its job failed: the worker on it killed twice, or the reconciliation could not run; `chorus-flux jobs` lists it\): 1 day\(s\) without a report \(\d{4}-\d\d-\d\d\) queued to be reconciled now/) });
      // settled by the catch-up (its day has its report): removed, `jobs` no longer counts it
      expect(await q.getJobState(nightId)).toBe('unknown');
    }), 400_000);

  it('is caught up once: a catch-up that fails in turn is not queued again', () =>
    withScene(2, async (s, q, { watch, breaker }) => {
      await until('the night and its catch-up failed', async () => (breaker.failed.length >= 2 ? true : undefined), 60_000);
      await sleep(3000); // ten rescans
      expect(breaker.failed).toEqual([`repeat:nightly-reconciliation:${s.cron.at}`, `catch-up-${s.today}`]);
      expect(await q.getJobCounts('waiting', 'active', 'failed')).toEqual({ waiting: 0, active: 0, failed: 2 });
      expect(catchUpWarnings(watch)).toHaveLength(1);
      expect(existsSync(s.report)).toBe(false);
    }), 400_000);
});
