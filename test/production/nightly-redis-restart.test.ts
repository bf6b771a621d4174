/**
 * Redis restarted empty (no persistence) around the nightly reconciliation that `watch`
 * schedules (a BullMQ Job Scheduler) and a worker runs, on a real redis-server of the test's own:
 *
 * - during the run: the worker finishes the day's report (it needs no Redis) and says the job's
 *   record vanished; the report is written once, `watch` schedules the night again (next at the
 *   next night's time, not at once), and the worker's /healthz stays up;
 * - across the night's time (the job due then was lost with Redis's data): `watch`, scheduling it
 *   again, sees that the night's report is missing and queues a catch-up at once, which a worker
 *   runs. Until 2026-12-06 nothing ran before the next night (which then caught the day up), and
 *   the report was a day late.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { reconcileQueue } from '../../src/queue/flux-queue';
import { NIGHTLY_RECONCILIATION } from '../../src/queue/nightly-schedule';
import { createRedis } from '../../src/queue/redis';
import { addDays } from '../../src/reconcile/day';
import { reportPaths } from '../../src/reconcile/reconcile-day';
import { dayOf } from '../../src/util/clock';
import { ROOT } from '../helpers/cli';
import { cronIn, journalDay } from '../helpers/nightly';
import { OwnRedis, redisServerAvailable } from '../helpers/redis-server';
import { prodSetup } from '../helpers/watch';

const describeIf = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() ? describe.skip : describe;

async function until(what: string, test: () => boolean | Promise<boolean>, ms = 30_000, every = 50): Promise<void> {
  const end = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(every);
  }
}

function daemon(cmd: 'watch' | 'worker', configFile: string) {
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), cmd, '-c', configFile, '--metrics-port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise((r) => child.on('exit', (code, signal) => r(signal ?? code)));
  return {
    log: () => log,
    lines: () => log.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string }),
    health: async () => {
      const url = /"metrics":"http:\/\/([^/"]+)\/metrics"/.exec(log)?.[1];
      const r = await fetch(`http://${url}/healthz`);
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    },
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** A watch and a worker on a private Redis, a nightly reconciliation due in 15 s, and yesterday's journal of `lines` files. */
async function nightlyScene(prefix: string, lines: number) {
  const redis = await OwnRedis.start();
  const cron = cronIn(15_000);
  const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 500 }, extra: { timezone: 'UTC', reconcile: { cron: cron.pattern }, redis: { url: redis.url, prefix } } });
  const { config } = setup;
  const yesterday = addDays(dayOf(new Date(), 'UTC'), -1);
  journalDay(config.paths.out, yesterday, lines);
  const report = reportPaths(path.join(config.paths.out, 'reports'), yesterday).json;
  const client = createRedis({ url: redis.url });
  client.on('error', () => undefined);
  const q = reconcileQueue(config, client);
  q.on('error', () => undefined);
  const watch = daemon('watch', setup.configFile);
  const worker = daemon('worker', setup.configFile);
  return {
    redis, cron, yesterday, report, q, watch, worker,
    /** both daemons stop cleanly on SIGTERM; the queue, the client and Redis closed */
    close: async () => {
      expect(await watch.stop()).toBe(0);
      expect(await worker.stop()).toBe(0);
      await q.close();
      await client.quit().catch(() => undefined);
      await redis.stop();
    },
  };
}

describeIf('the nightly reconciliation and a Redis restarted empty', () => {
  it('killed during the run: the report is written once, the night scheduled again for the next night, /healthz up', async () => {
    const { redis, cron, report, q, watch, worker, close } = await nightlyScene('nightly-during', 20_000);
    try {
      await until('the daemons started', () => watch.log().includes('"watch started"') && worker.log().includes('"worker started"'), 60_000);
      await until('the night due', () => Date.now() >= cron.at - 200, 30_000);
      await until('the nightly job running', async () => (await q.getJobCounts('active')).active === 1, 10_000, 10);
      await redis.restartEmpty();
      await until('the report', () => existsSync(report), 60_000);
      await until('the job said vanished', () => /record vanished/.test(worker.log()), 10_000);
      await until('scheduled again', () => watch.log().includes('scheduled again'), 10_000);
      const written = statSync(report).mtimeMs;
      await sleep(4000);
      expect(statSync(report).mtimeMs).toBe(written);
      const runs = worker.lines().filter((l) => /^nightly reconciliation: (clean|ANOMALIES)/.test(l.msg));
      expect(runs).toHaveLength(1);
      // the job's end said as what it is; the catch-up watch queued meanwhile finds the day done
      expect(worker.lines().filter((l) => /record vanished/.test(l.msg)).map((l) => [l.level, l.msg])).toEqual([[30, expect.stringMatching(/^reconcile worker: nightly reconciliation job \S+: its record vanished from Redis .*: nothing to do, its reports stand in reports\/ \(\d{4}-\d\d-\d\d\)$/)]]);
      // watch queues a catch-up only if, when Redis answered again, the run had not written its
      // report yet (a race of this test, not of the code): then the catch-up finds the day done
      const catchUps = () => worker.lines().filter((l) => /^catch-up of a night left without its report/.test(l.msg)).map((l) => l.msg);
      if (/the last night's reconciliation left no report/.test(watch.log())) {
        await until('the catch-up run', () => catchUps().length > 0, 10_000);
        expect(catchUps()).toEqual(['catch-up of a night left without its report: every day has its report now']);
      } else expect(catchUps()).toEqual([]);
      const s = await q.getJobScheduler(NIGHTLY_RECONCILIATION);
      expect(s?.pattern).toBe(cron.pattern);
      expect(Number(s?.next)).toBeGreaterThan(Date.now() + 23 * 3600_000); // the next night, not now
      expect(await q.getJobCounts('waiting', 'active', 'delayed', 'failed')).toEqual({ waiting: 0, active: 0, delayed: 1, failed: 0 });
      const h = await worker.health();
      expect([h.status, h.body.redis]).toEqual([200, 'up']);
      expect(worker.lines().filter((l) => l.level >= 50)).toEqual([]);
    } finally {
      await close();
    }
  }, 150_000);

  it('killed across the night\'s time: the night is caught up as soon as watch schedules it again, once', async () => {
    const { redis, cron, yesterday, report, q, watch, worker, close } = await nightlyScene('nightly-across', 10);
    try {
      await until('the daemons started', () => watch.log().includes('"watch started"') && worker.log().includes('"worker started"'), 60_000);
      expect(Date.now()).toBeLessThan(cron.at - 3000);
      await redis.kill(); // the night's job, due in a few seconds, goes with Redis's data
      await until('the night passed', () => Date.now() >= cron.at + 2000, 30_000);
      await redis.up();
      await until('scheduled again', () => watch.log().includes('scheduled again'), 20_000);
      await until('the report', () => existsSync(report), 30_000);
      const written = statSync(report).mtimeMs;
      await sleep(4000);
      expect(statSync(report).mtimeMs).toBe(written);
      expect(worker.lines().filter((l) => /reconcil/.test(l.msg) && /: (clean|ANOMALIES)$/.test(l.msg)).map((l) => l.msg)).toEqual([`reconciliation of missed day ${yesterday}: ANOMALIES`]);
      expect(watch.log()).toMatch(new RegExp(`"level":40[^\n]*the last night's reconciliation left no report \\(its job went with Redis's data, or no watch kept it scheduled\\): 1 day\\(s\\) without a report \\(${yesterday}\\) queued to be reconciled now`));
      const s = await q.getJobScheduler(NIGHTLY_RECONCILIATION);
      expect(Number(s?.next)).toBeGreaterThan(Date.now() + 23 * 3600_000);
      expect(await q.getJobCounts('waiting', 'active', 'failed')).toEqual({ waiting: 0, active: 0, failed: 0 });
    } finally {
      await close();
    }
  }, 150_000);
});
