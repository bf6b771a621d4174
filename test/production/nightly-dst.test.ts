/**
 * The nightly reconciliation on the nights the clock changes. Its default time, 02:30 in
 * Europe/Paris, does not exist on the spring night (BullMQ fires at 03:30) and happens twice
 * on the autumn one (BullMQ fires at the first). `watch` finds "the last night's run" to catch
 * a lost or failed night up at once; it asked the cron parser's prev(), which disagrees with
 * BullMQ on those nights: on the spring day it answered the day before (a night lost that day
 * was caught up a day late), on the autumn day the second 02:30 (a job BullMQ never made, so a
 * failed night was not seen). BullMQ's own next-run function is the oracle.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getNextMillis, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { configFromObject } from '../../src/config/config';
import { lastNightTime, missedNight, NIGHTLY_RECONCILIATION, registerNightlySchedule, restoreNightlySchedule } from '../../src/queue/nightly-schedule';
import { reconcileQueue } from '../../src/queue/flux-queue';
import { journalDay } from '../helpers/nightly';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';

const HOUR = 3_600_000;

/** The runs BullMQ makes from `from` to `to`: each from the one before, as its scheduler does. */
function bullmqRuns(pattern: string, tz: string, from: number, to: number): number[] {
  const runs: number[] = [];
  for (let t = getNextMillis(from, { pattern, tz }) as number; t <= to; t = getNextMillis(t, { pattern, tz }) as number) runs.push(t);
  return runs;
}

describe('the last night before now, as BullMQ ran it', () => {
  const cases: [string, string, string, string][] = [
    ['Europe/Paris', '0 30 2 * * *', '2027-03-24', '2027-04-02'],
    ['Europe/Paris', '0 30 2 * * *', '2027-10-27', '2027-11-05'],
    ['Europe/Paris', '0 0 2 * * *', '2027-03-24', '2027-04-02'],
    ['America/Cayenne', '0 30 2 * * *', '2027-03-24', '2027-04-02'],
    ['Pacific/Noumea', '0 30 2 * * *', '2027-03-24', '2027-04-02'],
    ['America/New_York', '0 30 2 * * *', '2027-03-11', '2027-03-18'],
    ['UTC', '0 30 2 * * *', '2027-10-27', '2027-11-05'],
  ];
  it.each(cases)('%s, %s, %s to %s: every quarter hour', (timezone, cron, from, to) => {
    const config = configFromObject({ timezone, reconcile: { cron }, recipients: [] }, '/tmp', '/tmp/config.json');
    const start = Date.parse(`${from}T00:00:00Z`);
    const end = Date.parse(`${to}T00:00:00Z`);
    const runs = bullmqRuns(cron, timezone, start - 3 * 24 * HOUR, end);
    const wrong: string[] = [];
    for (let t = start; t < end; t += HOUR / 4) {
      const expected = runs.filter((r) => r < t).pop() as number;
      const got = lastNightTime(config, new Date(t)).getTime();
      if (got !== expected) wrong.push(`${new Date(t).toISOString()}: ${new Date(got).toISOString()}, BullMQ ran ${new Date(expected).toISOString()}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('a night lost on the day of the spring change', () => {
  it('is the day of that night, whose day before (without its report) is caught up', () => {
    const setup = prodSetup({ partners: ['op-alpha'] });
    journalDay(setup.config.paths.out, '2027-03-27', 1);
    // 12:00 in Paris: the night's run (03:30, for 02:30 did not exist) is long past, no report written
    expect(missedNight(setup.config, new Date('2027-03-28T10:00:00Z'))).toEqual({ night: '2027-03-28', days: ['2027-03-27'] });
  });
});

describeRedis('a night failed on the day of the autumn change', () => {
  let redis: Redis;
  const setup = prodSetup({ partners: ['op-alpha'] });
  afterAll(async () => {
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  it("is caught up when watch looks after the second 02:30: the job is the first one's", async () => {
    redis = redisClient();
    const { config } = setup;
    const q = reconcileQueue(config, redis);
    // BullMQ's run of that night: from the night before's
    const run = getNextMillis(Date.parse('2027-10-30T00:30:00Z'), { pattern: config.reconcile.cron, tz: config.timezone }) as number;
    expect(new Date(run).toISOString()).toBe('2027-10-31T00:30:00.000Z'); // 02:30 summer time, the first
    await registerNightlySchedule(q, config);
    // the night's job, failed (its reconciliation could not run), and the day it was due to reconcile without report
    const connection = redis.duplicate({ maxRetriesPerRequest: null });
    const worker = new Worker(q.name, async () => { throw new Error('the reconciliation could not run'); }, { connection, prefix: config.redis.prefix, autorun: false });
    const failed = new Promise((r) => worker.once('failed', r));
    await q.add('reconcile', {}, { jobId: `repeat:${NIGHTLY_RECONCILIATION}:${run}` });
    worker.run().catch(() => undefined);
    await failed;
    await worker.close();
    await connection.quit();
    journalDay(config.paths.out, '2027-10-30', 1);
    // 03:00 winter time: after the second 02:30
    const seen = await restoreNightlySchedule(q, config, new Date('2027-10-31T02:00:00Z'));
    expect(seen).toEqual({ restored: false, caughtUp: { night: '2027-10-31', days: ['2027-10-30'], cause: 'failed' } });
    expect(await q.getJobState('catch-up-2027-10-31')).not.toBe('unknown');
    await q.close();
  }, 60_000);
});
