/**
 * SIGTERM during a batch: the worker stops taking jobs, finishes the running ones and exits
 * 0 within the configured bound; nothing is half-written; what was not processed is still
 * queued and a new worker finishes it.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { InboxWatcher } from '../../src/ingest/watcher';
import { Journal } from '../../src/journal/journal';
import { fluxQueue } from '../../src/queue/flux-queue';
import { systemClock } from '../../src/util/clock';
import { createLogger } from '../../src/util/logger';
import { SCHEMAS } from '../helpers/corpus';
import { invoiceNumbered } from '../helpers/generate-flows';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { listFiles } from '../helpers/run';
import { prodSetup } from '../helpers/watch';
import { startWorkerProcess } from '../helpers/worker-process';
import { validateFiles } from '../helpers/xsd';

import { setTimeout as sleep } from 'node:timers/promises';
const N = 400;

describeRedis('SIGTERM during a batch', () => {
  let redis: Redis;
  const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 200 }, worker: { concurrency: 2, shutdownTimeoutMs: 8000 } });
  afterAll(async () => {
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  it('exits 0 within the bound, leaves nothing half-written, and the rest is done by the next worker', async () => {
    redis = redisClient();
    const q = fluxQueue(setup.config, redis);
    for (let n = 0; n < N; n++) writeFileSync(path.join(setup.inbox('op-alpha'), `f-${n}.xml`), invoiceNumbered(n));
    const journal = new Journal({ dir: path.join(setup.config.paths.out, 'journal'), clock: systemClock, timezone: 'Europe/Paris' });
    const watcher = new InboxWatcher({ config: setup.config, queue: q, journal, logger: createLogger({ level: 'silent' }), events: false });
    await watcher.start();
    for (let i = 0; i < 300 && (await q.getJobCountByTypes('waiting')) < N; i++) await sleep(100);
    await watcher.stop();
    await journal.close();
    expect(await q.getJobCountByTypes('waiting')).toBe(N);

    const w = startWorkerProcess(setup.configFile);
    // wait until it is in the middle of the batch
    for (let i = 0; i < 600 && readdirSync(path.join(setup.config.paths.processing, 'op-alpha')).length > N - 20; i++) await sleep(50);
    const t0 = Date.now();
    w.child.kill('SIGTERM');
    const code = await w.exited;
    const elapsed = Date.now() - t0;
    expect(code).toBe(0);
    expect(elapsed).toBeLessThan(setup.config.worker.shutdownTimeoutMs + 2000);

    const out = setup.config.paths.out;
    const files = listFiles(out, ['state', 'logs']);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const pivots = files.filter((f) => f.startsWith('pivot/')).map((f) => path.join(out, f));
    expect(pivots.length).toBeGreaterThan(0);
    expect(pivots.length).toBeLessThan(N);
    for (const r of validateFiles(SCHEMAS.pivot, pivots)) expect(r.errors).toEqual([]);
    const left = readdirSync(path.join(setup.config.paths.processing, 'op-alpha')).length;
    expect(left).toBeGreaterThan(0);
    // a job taken as the worker closed is handed back unread, as delayed and due now (worker.ts)
    expect(await q.getJobCountByTypes('waiting', 'active', 'delayed')).toBe(left);

    // the next worker finishes the batch
    const w2 = startWorkerProcess(setup.configFile);
    for (let i = 0; i < 1200 && readdirSync(path.join(setup.config.paths.processing, 'op-alpha')).length > 0; i++) await sleep(100);
    w2.child.kill('SIGTERM');
    expect(await w2.exited).toBe(0);
    expect(listFiles(out).filter((f) => f.startsWith('pivot/'))).toHaveLength(N);
    // every archived original is byte for byte what was dropped
    for (const f of listFiles(out).filter((x) => x.startsWith('archive/')).slice(0, 50)) {
      const n = Number(/f-(\d+)\.xml$/.exec(f)![1]);
      expect(createHash('sha256').update(readFileSync(path.join(out, f))).digest('hex')).toBe(createHash('sha256').update(invoiceNumbered(n)).digest('hex'));
    }
    await q.close();
  }, 240000);
});
