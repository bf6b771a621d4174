/**
 * After Redis restarts empty, the rescan queues again every claimed file of processing/ whose
 * job is gone. Some of those files are still being processed by the worker that took them
 * before the restart: it finishes them and removes them while the rescan goes through its
 * list. Such a file is done, not a failure of the rescan. (The random Redis kills of
 * `bench/killfuzz.ts --kill redis` found that the rescan stopped at the first of them, logged
 * `rescan failed` at level error with its stack, and queued none of the files after it in its
 * list until the next rescan.)
 */
import { readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { claimFile } from '../../src/ingest/claim';
import { invoiceNumbered } from '../helpers/generate-flows';
import { OwnRedis, redisServerAvailable } from '../helpers/redis-server';
import { prodSetup } from '../helpers/watch';
import { watcherInProcess } from '../helpers/watcher-in-process';

const describeIf = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() ? describe.skip : describe;

describeIf('watch: a claimed file finished while the rescan queues the others again', () => {
  it('is skipped, and every file still waiting is queued in the same rescan', async () => {
    const redis = await OwnRedis.start();
    // one rescan within the test: the one at start (the next comes 5 s later)
    const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 5000 }, extra: { redis: { url: redis.url, prefix: 'finished-meanwhile' } } });
    const inbox = setup.inbox('op-alpha');
    // claimed before Redis restarted: in processing/, no job in the empty Redis
    for (let n = 0; n < 300; n++) {
      writeFileSync(path.join(inbox, `f-${n}.xml`), invoiceNumbered(n));
      await claimFile(path.join(inbox, `f-${n}.xml`), setup.config.paths.processing, 'op-alpha', `f-${n}.xml`);
    }
    const processing = path.join(setup.config.paths.processing, 'op-alpha');
    const claimed = readdirSync(processing).sort();
    expect(claimed).toHaveLength(300);
    await sleep(5500); // older than the rescan's grace for fresh claims

    const { queue, watcher, errors, close } = watcherInProcess(setup.config, redis.url);
    // the old workers finish every other file as soon as the rescan has queued its first one
    let finished: string[] = [];
    const finishing = (async () => {
      const end = Date.now() + 30_000;
      while ((await queue.count()) === 0 && Date.now() < end) await sleep(2);
      finished = claimed.filter((_, i) => i % 2 === 1);
      for (const f of finished) unlinkSync(path.join(processing, f));
    })();
    try {
      await watcher.start(); // its first rescan done
      await finishing;
      const waiting = readdirSync(processing).sort();
      expect(waiting).toEqual(claimed.filter((f) => !finished.includes(f)));
      const jobs = await queue.getJobs(['waiting'], 0, -1);
      const queued = new Set(jobs.map((j) => path.basename(j.data.path)));
      expect(waiting.filter((f) => !queued.has(f))).toEqual([]);
      expect(errors()).toEqual([]);
    } finally {
      await close();
      await redis.stop();
    }
  }, 60_000);
});
