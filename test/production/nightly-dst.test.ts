/**
 * The nightly reconciliation on the nights the clock changes. Its default time, 02:30 in
 * Europe/Paris, does not exist on the spring night (BullMQ fires at 03:30) and happens twice
 * on the autumn one (BullMQ fires at the first). `watch` finds "the last night's run" to catch
 * a lost or failed night up at once; it asked the cron parser's prev(), which disagrees with
 * BullMQ on those nights: on the spring day it answered the day before (a night lost that day
 * was caught up a day late), on the autumn day the second 02:30 (a job BullMQ never made, so a
 * failed night was not seen). BullMQ's own next-run function is the oracle.
 *
 * BullMQ itself, asked from any instant (a `watch` started, which upserts the schedule), also
 * disagreed with its own chain of runs on those nights: started between 03:00 and 03:30 summer
 * time on the spring night, it moved the night's run to the next night; between 02:00 and 02:30
 * winter time on the autumn night, it ran the night again. The scheduler is given a strategy
 * that walks the chain.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defaultRepeatStrategy, getNextMillis, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { configFromObject } from '../../src/config/config';
import { lastNightTime, missedNight, NIGHTLY_RECONCILIATION, registerNightlySchedule, restoreNightlySchedule } from '../../src/queue/nightly-schedule';
import { reconcileQueue } from '../../src/queue/flux-queue';
import { nightlyRepeatStrategy } from '../../src/queue/nightly-runs';
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
    ['Europe/Paris', '0 30 2 * * *', '2027-03-26', '2027-03-31'],
    ['Europe/Paris', '0 30 2 * * *', '2027-10-29', '2027-11-03'],
    ['Europe/Paris', '0 0 2 * * *', '2027-03-26', '2027-03-31'],
    ['America/Cayenne', '0 30 2 * * *', '2027-03-26', '2027-03-31'],
    ['Pacific/Noumea', '0 30 2 * * *', '2027-03-26', '2027-03-31'],
    ['America/New_York', '0 30 2 * * *', '2027-03-12', '2027-03-17'],
    ['UTC', '0 30 2 * * *', '2027-10-29', '2027-11-03'],
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

describe('the repeat strategy given to BullMQ', () => {
  it('answers as BullMQ does from every run, and from any instant away from the clock changes', () => {
    const wrong: string[] = [];
    for (const [tz, from, to] of [['Europe/Paris', '2027-03-10', '2027-03-24'], ['Europe/Paris', '2027-11-02', '2027-11-16'], ['America/Cayenne', '2027-03-20', '2027-04-03'], ['Pacific/Noumea', '2027-03-20', '2027-04-03'], ['UTC', '2027-10-24', '2027-11-07']]) {
      for (const pattern of ['0 30 2 * * *', '0 0 23 * * 0']) {
        const opts = { pattern, tz };
        const check = (t: number) => {
          const ours = nightlyRepeatStrategy(t, opts) as number;
          const theirs = defaultRepeatStrategy(t, opts) as number;
          if (ours !== theirs) wrong.push(`${tz} ${pattern} from ${new Date(t).toISOString()}: ${new Date(ours).toISOString()}, BullMQ ${new Date(theirs).toISOString()}`);
        };
        for (let t = Date.parse(`${from}T00:00:00Z`); t < Date.parse(`${to}T00:00:00Z`); t += 97 * 60_000) check(t);
        for (const r of bullmqRuns(pattern, tz, Date.parse(`${from}T00:00:00Z`), Date.parse(`${to}T00:00:00Z`))) check(r);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describeRedis('the schedule upserted by a watch started on the night of a clock change', () => {
  let redis: Redis;
  const setup = prodSetup({ partners: ['op-alpha'] });
  const realNow = Date.now;
  afterAll(async () => {
    Date.now = realNow;
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  it.each([
    ['2027-03-28T01:10:00Z', "03:10 summer time on the spring night: that night's run, at 03:30", '2027-03-28T01:30:00.000Z'],
    ['2027-10-31T01:10:00Z', '02:10 winter time on the autumn night, run at the first 02:30: the next night', '2027-11-01T01:30:00.000Z'],
    ['2027-10-31T00:10:00Z', '02:10 summer time on the autumn night: the first 02:30', '2027-10-31T00:30:00.000Z'],
  ])('started at %s (%s)', async (at, _what, next) => {
    redis ??= redisClient();
    const q = reconcileQueue(setup.config, redis);
    try {
      Date.now = () => Date.parse(at); // BullMQ computes the next run from Date.now()
      await registerNightlySchedule(q, setup.config);
    } finally {
      Date.now = realNow;
    }
    const scheduler = await q.getJobScheduler(NIGHTLY_RECONCILIATION);
    expect(new Date(scheduler?.next as number).toISOString()).toBe(next);
    await q.removeJobScheduler(NIGHTLY_RECONCILIATION);
    await q.close();
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
