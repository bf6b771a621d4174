/**
 * `watch` registers the nightly reconciliation as a BullMQ Job Scheduler; a worker runs it
 * and writes the day's reports, then prunes the processed marks past their retention.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { NIGHTLY_RECONCILIATION } from '../../src/cli/commands/watch';
import { reconcileQueue } from '../../src/queue/flux-queue';
import { startWorker } from '../../src/runner/worker';
import { dayOf } from '../../src/util/clock';
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
    for (let i = 0; i < 100 && schedulers.length === 0; i++) {
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
  }, 60000);
});
