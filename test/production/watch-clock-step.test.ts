/**
 * The watcher's "size and mtime unchanged for stableMs" is timed on a clock that never jumps.
 * It was timed by the wall clock: when the machine's clock stepped (NTP correcting a drift, a
 * virtual machine resumed), a step forward made a stalled upload look settled at the next
 * poll — half a file claimed, refused as truncated, its partner told — and a step back held
 * every file in the inboxes for as long as the step. The step is made here as the system
 * would make it: Date.now() jumps, the timers do not.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { InboxWatcher } from '../../src/ingest/watcher';
import { Journal } from '../../src/journal/journal';
import { fluxQueue, type FluxJobData } from '../../src/queue/flux-queue';
import { systemClock } from '../../src/util/clock';
import { createLogger } from '../../src/util/logger';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';

const realNow = Date.now;

/** The wall clock stepped by `ms` from now on (negative: back). */
function stepClock(ms: number): void {
  Date.now = () => realNow() + ms;
}

describeRedis('watch: a step of the wall clock', () => {
  let redis: Redis;
  const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 3000, pollMs: 100, rescanMs: 300 } });
  const content = (tag: string) => Buffer.from(`<?xml version="1.0"?>\n<Invoice>${tag}${'x'.repeat(6000)}</Invoice>\n`);

  async function watching<T>(fn: (jobs: () => Promise<FluxJobData[]>) => Promise<T>): Promise<T> {
    const q = fluxQueue(setup.config, redis);
    const journal = new Journal({ dir: path.join(setup.config.paths.out, 'journal'), clock: systemClock, timezone: 'Europe/Paris' });
    const watcher = new InboxWatcher({ config: setup.config, queue: q, journal, logger: createLogger({ level: 'silent' }) });
    await watcher.start();
    try {
      return await fn(async () => (await q.getJobs(['waiting', 'delayed', 'active'])).map((j) => j.data));
    } finally {
      Date.now = realNow;
      await watcher.stop();
      await journal.close();
      await q.close();
    }
  }

  beforeAll(() => {
    redis = redisClient();
  });
  afterEach(() => {
    Date.now = realNow;
  });
  afterAll(async () => {
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  it('a step forward does not make a stalled upload look finished', async () => {
    const inbox = setup.inbox('op-alpha');
    const whole = content('A');
    const file = path.join(inbox, 'a.xml');
    const jobs = await watching(async (jobs) => {
      writeFileSync(file, whole.subarray(0, 2000));
      await sleep(1000); // seen by the rescan and a few polls, growing no more: the client's link stalls
      stepClock(3_600_000);
      await sleep(1000); // 2 s since the last write, under stableMs, however far the clock went
      appendFileSync(file, whole.subarray(2000));
      let found: FluxJobData[] = [];
      for (let i = 0; i < 80 && found.length === 0; i++) {
        await sleep(100);
        found = await jobs();
      }
      return found;
    });
    expect(jobs.map((j) => j.name)).toEqual(['a.xml']);
    // the claimed bytes are the whole upload, not its first 2,000 bytes
    expect(readFileSync(jobs[0].path)).toEqual(whole);
  }, 30_000);

  it('a step back does not hold a finished upload for as long as the step', async () => {
    const inbox = setup.inbox('op-alpha');
    const whole = content('B');
    const jobs = await watching(async (jobs) => {
      writeFileSync(path.join(inbox, 'b.xml'), whole);
      await sleep(1000); // seen by the rescan and a few polls
      stepClock(-3_600_000);
      let found: FluxJobData[] = [];
      // stableMs is 3 s: well within 8 s, not an hour
      for (let i = 0; i < 80 && !found.some((j) => j.name === 'b.xml'); i++) {
        await sleep(100);
        found = await jobs();
      }
      return found.filter((j) => j.name === 'b.xml');
    });
    expect(jobs).toHaveLength(1);
    expect(readFileSync(jobs[0].path)).toEqual(whole);
  }, 30_000);
});
