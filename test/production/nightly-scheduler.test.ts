/**
 * `watch` registers the nightly reconciliation as a BullMQ Job Scheduler; a worker runs it
 * and writes the day's reports, then prunes the processed marks past their retention. A
 * schedule Redis lost while `watch` runs is registered again; the scheduled run also
 * reconciles the earlier days that have a journal but no report (missed nights).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { NIGHTLY_RECONCILIATION } from '../../src/queue/nightly-schedule';
import { reconcileQueue } from '../../src/queue/flux-queue';
import { lastReportSeconds } from '../../src/reconcile/missed-days';
import { startWorker } from '../../src/runner/worker';
import { dayOf, fixedClock } from '../../src/util/clock';
import { Journal } from '../../src/journal/journal';
import { addDays, dayEnd } from '../../src/reconcile/day';
import { reportPaths } from '../../src/reconcile/reconcile-day';
import { createLogger } from '../../src/util/logger';
import { ROOT } from '../helpers/cli';
import { invoiceNumbered } from '../helpers/generate-flows';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';

import { setTimeout as sleep } from 'node:timers/promises';

describeRedis('nightly reconciliation', () => {
  let redis: Redis;
  const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 200 } });
  afterAll(async () => {
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  it('is registered by watch with the configured cron, and a worker runs it', async () => {
    redis = redisClient();
    const watch = spawn(process.execPath, ['-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), 'watch', '-c', setup.configFile, '--metrics-port', '0'], { stdio: 'ignore' });
    const exited = new Promise((r) => watch.on('exit', r));
    const q = reconcileQueue(setup.config, redis);
    let schedulers: Awaited<ReturnType<typeof q.getJobSchedulers>> = [];
    // a deadline, no speed goal: a watch's start on a loaded 2-core host takes seconds (was 10 s)
    for (let i = 0; i < 600 && schedulers.length === 0; i++) {
      await sleep(100);
      schedulers = await q.getJobSchedulers();
    }
    watch.kill('SIGTERM');
    await exited;
    expect(schedulers.map((s) => [s.key, s.pattern, s.tz])).toEqual([[NIGHTLY_RECONCILIATION, setup.config.reconcile.cron, setup.config.timezone]]);

    // a day with one processed file, then the job run by a worker
    writeFileSync(path.join(setup.inbox('op-alpha'), 'f.xml'), invoiceNumbered(1));
    // and a processed mark of long ago, past the retention
    const old = path.join(setup.config.paths.state, 'files', 'ab', `${'ab'.repeat(32)}.json`);
    mkdirSync(path.dirname(old), { recursive: true });
    writeFileSync(old, '{"sha256":"x","outcome":"accepted","outputs":[]}\n');
    const longAgo = new Date(Date.now() - (setup.config.retention.processedMarksDays + 2) * 86_400_000);
    utimesSync(old, longAgo, longAgo);
    const running = await startWorker({ config: setup.config, logger: createLogger({ level: 'silent' }) });
    const today = dayOf(new Date(), setup.config.timezone);
    const job = await q.add('reconcile', { date: today });
    let state = '';
    for (let i = 0; i < 300 && state !== 'completed' && state !== 'failed'; i++) {
      await sleep(100);
      state = (await job.getState()) as string;
    }
    await running.close(5000);
    expect(state).toBe('completed');
    expect(existsSync(path.join(setup.config.paths.out, 'reports', `reconcile-${today}.json`))).toBe(true);
    expect((await q.getJob(job.id as string))?.returnvalue).toMatchObject({ date: today, pruned: 1 });
    expect(existsSync(old)).toBe(false);
    await q.close();
  }, 120_000);

  it('is scheduled again when Redis loses it while watch runs (a restart without its data), and watch says so', async () => {
    // a night's whole report, written an hour after its day ended (no journal that day: no catch-up of it below)
    const night = addDays(dayOf(new Date(), setup.config.timezone), -6);
    const olderNight = reportPaths(path.join(setup.config.paths.out, 'reports'), night).json;
    writeFileSync(olderNight, '{}\n');
    const writtenAt = new Date(dayEnd(night, setup.config.timezone).getTime() + 3600_000);
    utimesSync(olderNight, writtenAt, writtenAt);
    const watch = spawn(process.execPath, ['-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), 'watch', '-c', setup.configFile, '--metrics-port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = ''; // the log goes to stderr
    watch.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise((r) => watch.on('exit', r));
    const q = reconcileQueue(setup.config, redis);
    const scheduled = async () => (await q.getJobSchedulers()).map((s) => s.key);
    try {
      // started (the schedule of the test before is still there: it proves nothing)
      for (let i = 0; i < 900 && !log.includes('"watch started"'); i++) await sleep(100); // 90 s (was 20): a deadline, no speed goal
      expect(await scheduled()).toEqual([NIGHTLY_RECONCILIATION]);
      // its /metrics says when the newest night's report was written: the test before wrote
      // today's, a "day so far" that is no night's work, beside the whole one of an older night
      const url = /"metrics":"(http:[^"]+)"/.exec(log)?.[1] as string;
      const scraped = /^chorus_flux_reconcile_last_report_seconds (\d+)$/m.exec(await (await fetch(url)).text())?.[1];
      expect(Number(scraped)).toBe(Math.floor(statSync(olderNight).mtimeMs / 1000));
      expect(lastReportSeconds(path.join(setup.dir, 'no-reports-here'), setup.config.timezone)).toBe(0); // 0 until a first report: an alert on its age fires
      // every key of the installation gone, as after a Redis restart without persistence
      await deletePrefix(redis, setup.config.redis.prefix);
      expect(await scheduled()).toEqual([]);
      for (let i = 0; i < 600 && (await scheduled()).length === 0; i++) await sleep(100);
      expect(await scheduled()).toEqual([NIGHTLY_RECONCILIATION]);
      const s = await q.getJobScheduler(NIGHTLY_RECONCILIATION);
      expect([s?.pattern, s?.tz]).toEqual([setup.config.reconcile.cron, setup.config.timezone]);
      for (let i = 0; i < 300 && !log.includes('scheduled again'); i++) await sleep(100);
      expect(log).toMatch(/"level":40[^\n]*the nightly reconciliation was no longer scheduled in Redis \(restarted without its data, or flushed\): scheduled again/);
    } finally {
      watch.kill('SIGTERM');
      await exited;
      await q.close();
    }
  }, 180_000);

  it('the scheduled run also reconciles the days of the last reconcile.catchUpDays that have a journal but no report', async () => {
    const { config } = setup;
    const yesterday = addDays(dayOf(new Date(), config.timezone), -1);
    const reports = path.join(config.paths.out, 'reports');
    // days with a journal: two missed nights, one reconciled (its report is kept as it is), one too old to catch up
    const days = { missed1: addDays(yesterday, -3), reconciled: addDays(yesterday, -2), missed2: addDays(yesterday, -1), tooOld: addDays(yesterday, -(config.reconcile.catchUpDays + 1)) };
    for (const day of Object.values(days)) {
      const journal = new Journal({ dir: path.join(config.paths.out, 'journal'), clock: fixedClock(`${day}T12:00:00Z`), timezone: config.timezone, writerId: `test-${day}` });
      await journal.append({ event: 'start', mode: 'worker', version: 'test', config: setup.configFile });
      await journal.close();
    }
    mkdirSync(reports, { recursive: true });
    writeFileSync(reportPaths(reports, days.reconciled).json, '{"kept":true}\n');
    const q = reconcileQueue(config, redis);
    const running = await startWorker({ config, logger: createLogger({ level: 'silent' }) });
    try {
      const job = await q.add('reconcile', {}); // as the scheduler adds it: no date
      let state = '';
      for (let i = 0; i < 300 && state !== 'completed' && state !== 'failed'; i++) {
        await sleep(100);
        state = (await job.getState()) as string;
      }
      expect(state).toBe('completed');
      const value = (await q.getJob(job.id as string))?.returnvalue as { date: string; caughtUp: { date: string; exitCode: number }[] };
      expect(value.date).toBe(yesterday);
      expect(value.caughtUp.map((c) => [c.date, c.exitCode])).toEqual([[days.missed1, 0], [days.missed2, 0]]);
      for (const day of [days.missed1, days.missed2, yesterday]) {
        const report = JSON.parse(readFileSync(reportPaths(reports, day).json, 'utf8')) as { date: string; status: string };
        expect([report.date, report.status]).toEqual([day, 'clean']);
      }
      expect(readFileSync(reportPaths(reports, days.reconciled).json, 'utf8')).toBe('{"kept":true}\n');
      expect(existsSync(reportPaths(reports, days.tooOld).json)).toBe(false);
      // a run for a named day (by hand, or a retry) catches up nothing
      const named = await q.add('reconcile', { date: days.tooOld });
      for (let i = 0, st = ''; i < 300 && st !== 'completed' && st !== 'failed'; i++) {
        await sleep(100);
        st = (await named.getState()) as string;
      }
      expect((await q.getJob(named.id as string))?.returnvalue).not.toHaveProperty('caughtUp');
    } finally {
      await running.close(5000);
      await q.close();
    }
  }, 90000);
});
