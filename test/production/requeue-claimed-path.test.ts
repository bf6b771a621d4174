/**
 * A claimed file whose job Redis lost (a restart without its data, a flush) is queued again by
 * the rescan under the inbox path it was claimed from: its sub-folder and its whole name, as
 * its `claimed` line says. From its claimed name alone (`<claim id>__<name>`, cut to fit past
 * 255 bytes) it was queued as `op-alpha/f.xml` for `op-alpha/sub/f.xml`, and processed and
 * journaled as another file than the one claimed. Both by the watcher that claimed it and by
 * one started afterwards (a reboot restarts Redis and the watcher).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { InboxWatcher } from '../../src/ingest/watcher';
import { Journal } from '../../src/journal/journal';
import { fluxJobId, fluxQueue, type FluxJobData } from '../../src/queue/flux-queue';
import { systemClock } from '../../src/util/clock';
import { createLogger } from '../../src/util/logger';
import { invoiceNumbered } from '../helpers/generate-flows';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';

interface Line { event: string; file?: string; claimId?: string; sha256?: string }

async function until(what: string, test: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await sleep(100);
  }
}

describeRedis('watch: a claimed file queued again after Redis lost its job', () => {
  const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 300 } });
  const journalDir = path.join(setup.config.paths.out, 'journal');
  const lines = (): Line[] =>
    (existsSync(journalDir) ? readdirSync(journalDir) : []).flatMap((day) => readdirSync(path.join(journalDir, day)).flatMap((f) => readFileSync(path.join(journalDir, day, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line)));
  let redis: Redis;
  afterAll(async () => {
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  it('keeps the sub-folder and the whole name it was claimed with', async () => {
    redis = redisClient();
    const queue = fluxQueue(setup.config, redis);
    const inbox = setup.inbox('op-alpha');
    mkdirSync(path.join(inbox, 'sub'));
    const long = `${'facture-'.repeat(30)}fin.xml`; // 247 bytes: its claimed name is cut
    writeFileSync(path.join(inbox, 'sub', 'f.xml'), invoiceNumbered(1));
    writeFileSync(path.join(inbox, long), invoiceNumbered(2));
    const expected = ['op-alpha/sub/f.xml', `op-alpha/${long}`].sort();
    const start = () => {
      const journal = new Journal({ dir: journalDir, clock: systemClock, timezone: setup.config.timezone });
      const watcher = new InboxWatcher({ config: setup.config, queue, journal, logger: createLogger({ level: 'silent' }), events: false });
      return { journal, watcher };
    };
    const queued = async (event: 'claimed' | 'requeued') => {
      const ls = lines().filter((l) => l.event === event);
      const jobs = await Promise.all(ls.map((l) => queue.getJob(fluxJobId(l.sha256 as string, l.claimId as string))));
      return { files: ls.map((l) => l.file).sort(), jobs: jobs.map((j) => (j?.data as FluxJobData | undefined)) };
    };

    // claimed and queued, then Redis loses the jobs while the same watcher runs
    let w = start();
    await w.watcher.start();
    try {
      await until('both files claimed', async () => (await queued('claimed')).jobs.filter(Boolean).length === 2, 20_000);
      expect((await queued('claimed')).files).toEqual(expected);
      await deletePrefix(redis, setup.config.redis.prefix);
      await until('both files queued again', () => lines().filter((l) => l.event === 'requeued').length === 2, 30_000);
    } finally {
      await w.watcher.stop();
      await w.journal.close();
    }
    let again = await queued('requeued');
    expect(again.files).toEqual(expected);
    expect(again.jobs.map((d) => [d?.relPath, d?.name]).sort()).toEqual([
      [`op-alpha/${long}`, long],
      ['op-alpha/sub/f.xml', 'f.xml'],
    ]);

    // Redis and the watcher both restarted: the new watcher reads the paths from the journal
    await deletePrefix(redis, setup.config.redis.prefix);
    w = start();
    await w.watcher.start();
    try {
      await until('both files queued again by the new watcher', () => lines().filter((l) => l.event === 'requeued').length === 4, 30_000);
    } finally {
      await w.watcher.stop();
      await w.journal.close();
      await queue.close();
    }
    again = await queued('requeued');
    expect(again.files).toEqual([...expected, ...expected].sort());
    expect(again.jobs.map((d) => d?.relPath).sort()).toEqual([...expected, ...expected].sort());
  }, 90_000);
});
