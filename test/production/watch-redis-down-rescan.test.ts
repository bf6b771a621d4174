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
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { claimFile } from '../../src/ingest/claim';
import { InboxWatcher } from '../../src/ingest/watcher';
import { Journal } from '../../src/journal/journal';
import { createRedis } from '../../src/queue/redis';
import { fluxQueue } from '../../src/queue/flux-queue';
import { systemClock } from '../../src/util/clock';
import { invoiceNumbered } from '../helpers/generate-flows';
import { OwnRedis, redisServerAvailable } from '../helpers/redis-server';
import { prodSetup } from '../helpers/watch';

const describeIf = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() ? describe.skip : describe;

describeIf('watch: Redis down for longer than a command is retried', () => {
  it('is said as Redis trouble (warn), not as a failed rescan (error), and the claimed file is queued again once Redis is back', async () => {
    const redis = await OwnRedis.start();
    const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 1000 }, extra: { redis: { url: redis.url, prefix: 'down-rescan' } } });
    const inbox = setup.inbox('op-alpha');
    writeFileSync(path.join(inbox, 'f.xml'), invoiceNumbered(1));
    await claimFile(path.join(inbox, 'f.xml'), setup.config.paths.processing, 'op-alpha', 'f.xml');
    await sleep(5500); // older than the rescan's grace for fresh claims

    const connection = createRedis({ url: redis.url });
    connection.on('error', () => undefined); // the daemon's own listener (watch.ts) is not under test
    const queue = fluxQueue(setup.config, connection);
    queue.on('error', () => undefined);
    const logged: { level: number; msg: string; time: number }[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (logged.push(JSON.parse(String(chunk))), done()) }));
    const journal = new Journal({ dir: path.join(setup.config.paths.out, 'journal'), clock: systemClock, timezone: setup.config.timezone });
    const watcher = new InboxWatcher({ config: setup.config, queue, journal, logger, events: false });
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
      expect(logged.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([]);
      expect(logged.filter((l) => l.level === 40).map((l) => l.msg)).toContain('watch (rescan): Redis cannot be reached (reconnecting)');
    } finally {
      await watcher.stop();
      await journal.close();
      await queue.close();
      await connection.quit();
      await redis.stop();
    }
  }, 90_000);
});
