/**
 * Redis down for longer than its client retries a command (~30 s): the rescan's question to
 * Redis (which claimed files still have a job) is given up. That is the Redis outage the
 * connection already reports, once and each minute, at level warn — not an error of the
 * rescan at each one. (The random Redis kills of `bench/killfuzz.ts --kill redis`, Redis stopped
 * 10–40 s, found `rescan failed (will retry)` logged at level error, with the ioredis stack,
 * every ~30 s of the outage: lines at level error call for a look, docs/OPERATIONS.md.) Once
 * Redis is back, empty, the claimed file is queued again.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { claimFile } from '../../src/ingest/claim';
import { invoiceNumbered } from '../helpers/generate-flows';
import { OwnRedis, redisServerAvailable } from '../helpers/redis-server';
import { prodSetup } from '../helpers/watch';
import { watcherInProcess } from '../helpers/watcher-in-process';

const describeIf = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() ? describe.skip : describe;

describeIf('watch: Redis down for longer than a command is retried', () => {
  it('is said as Redis trouble (warn), not as a failed rescan (error), and the claimed file is queued again once Redis is back', async () => {
    const redis = await OwnRedis.start();
    const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 1000 }, extra: { redis: { url: redis.url, prefix: 'down-rescan' } } });
    const inbox = setup.inbox('op-alpha');
    writeFileSync(path.join(inbox, 'f.xml'), invoiceNumbered(1));
    await claimFile(path.join(inbox, 'f.xml'), setup.config.paths.processing, 'op-alpha', 'f.xml');
    await sleep(5500); // older than the rescan's grace for fresh claims

    const { queue, watcher, logged, errors, close } = watcherInProcess(setup.config, redis.url, { quietErrors: true });
    const requeued = () => logged.filter((l) => l.msg === 'found in processing and queued again').length;
    try {
      await watcher.start();
      expect(requeued()).toBe(1);
      await redis.kill();
      await sleep(40_000); // past the client's 20 retries of a command (~31 s)
      await redis.up(); // empty: the file's job is gone
      const end = Date.now() + 20_000;
      while (requeued() < 2 && Date.now() < end) await sleep(100);
      expect(requeued()).toBe(2);
      expect(errors()).toEqual([]);
      expect(logged.filter((l) => l.level === 40).map((l) => l.msg)).toContain('watch (rescan): Redis cannot be reached (reconnecting)');
    } finally {
      await close();
      await redis.stop();
    }
  }, 90_000);
});
