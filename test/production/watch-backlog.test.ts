/**
 * A backlog in an inbox (an SFTP outage, a night of deposits before the watcher starts):
 * chokidar lists and stats the whole folder again at every change, which on 20,000 files took
 * most of a core and claimed about 200 files/s. An inbox over `watch.eventsMaxFiles` is left to
 * the rescan (events paused, then resumed), files are claimed several at a time, and a rescan
 * neither reads the claimed files again nor asks Redis about each one apart: jobs that exist
 * are left alone, jobs that vanished are queued again, once.
 */
import { writeFileSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { InboxWatcher } from '../../src/ingest/watcher';
import { Journal } from '../../src/journal/journal';
import { fluxQueue } from '../../src/queue/flux-queue';
import { systemClock } from '../../src/util/clock';
import { invoiceNumbered } from '../helpers/generate-flows';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';

const FILES = 400;

async function until(what: string, test: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await sleep(100);
  }
}

describeRedis('watch: a backlog in an inbox', () => {
  it('is claimed by the rescan with events paused, each file queued once; vanished jobs are queued again once', async () => {
    const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 200, pollMs: 100, rescanMs: 500, eventsMaxFiles: 50 } });
    const inbox = setup.inbox('op-alpha');
    const processing = path.join(setup.config.paths.processing, 'op-alpha');
    for (let n = 0; n < FILES; n++) writeFileSync(path.join(inbox, `f-${n}.xml`), invoiceNumbered(5000 + n));
    const redis: Redis = redisClient();
    const queue = fluxQueue(setup.config, redis);
    const journalDir = path.join(setup.config.paths.out, 'journal');
    const journal = new Journal({ dir: journalDir, clock: systemClock, timezone: 'Europe/Paris' });
    const logged: { msg: string; partner?: string; files?: number }[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (logged.push(JSON.parse(String(chunk))), done()) }));
    const watcher = new InboxWatcher({ config: setup.config, queue, journal, logger });
    const events = () =>
      readdirSync(journalDir).flatMap((day) => readdirSync(path.join(journalDir, day)).flatMap((f) => readFileSync(path.join(journalDir, day, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string; claimId?: string })));
    try {
      await watcher.start();
      expect(watcher.eventsOn('op-alpha')).toBe(false); // 400 files > 50: left to the rescan
      expect(logged.find((l) => /files wait in this inbox: its file-system events are paused/.test(l.msg))).toMatchObject({ partner: 'op-alpha', files: FILES });

      const claimed = () => {
        try {
          return readdirSync(processing).length;
        } catch {
          return 0; // not made yet
        }
      };
      await until('every file claimed', () => claimed() === FILES && readdirSync(inbox).length === 0, 60_000);
      await until('events resumed on the emptied inbox', () => watcher.eventsOn('op-alpha'), 10_000);
      expect(logged.some((l) => l.msg === 'file-system events resumed on this inbox')).toBe(true);
      await until('every job queued', async () => (await queue.getJobCounts('waiting')).waiting === FILES, 10_000);

      // rescans over a processing/ of 400 claimed files whose jobs exist: nothing queued again
      await sleep(6000); // past the 5 s grace of a fresh claim, several rescans
      let lines = events();
      expect(lines.filter((l) => l.event === 'claimed')).toHaveLength(FILES);
      expect(lines.filter((l) => l.event === 'requeued')).toHaveLength(0);

      // five jobs vanish (a Redis emptied, an operator's mistake): each is queued again, once
      const gone = (await queue.getJobs(['waiting'], 0, 4)).slice(0, 5);
      expect(gone).toHaveLength(5);
      for (const j of gone) await j.remove();
      await until('the vanished jobs queued again', async () => (await queue.getJobCounts('waiting')).waiting === FILES, 10_000);
      await sleep(1500); // more rescans
      lines = events();
      const requeued = lines.filter((l) => l.event === 'requeued');
      expect(requeued.map((l) => l.claimId).sort()).toEqual(gone.map((j) => j.data.claimId).sort());
      expect((await queue.getJobCounts('waiting')).waiting).toBe(FILES);
    } finally {
      await watcher.stop();
      await journal.close();
      await queue.close();
      await deletePrefix(redis, setup.config.redis.prefix);
      await redis.quit();
    }
  }, 120_000);
});
