/**
 * A file written in chunks over 3 seconds is never taken before it is complete — also one
 * still growing when the watcher starts (chokidar's start-up scan skips its write-finish
 * check), and one uploaded as .filepart then renamed.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { InboxWatcher } from '../../src/ingest/watcher';
import { Journal } from '../../src/journal/journal';
import { fluxQueue, type FluxJobData } from '../../src/queue/flux-queue';
import { systemClock } from '../../src/util/clock';
import { createLogger } from '../../src/util/logger';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';

import { setTimeout as sleep } from 'node:timers/promises';

/** Writes `content` to `file` in `chunks` pieces over `overMs`; resolves with the time of the last write. */
async function writeSlowly(file: string, content: Buffer, chunks: number, overMs: number): Promise<number> {
  const size = Math.ceil(content.length / chunks);
  writeFileSync(file, content.subarray(0, size));
  for (let k = 1; k < chunks; k++) {
    await sleep(overMs / chunks);
    appendFileSync(file, content.subarray(k * size, (k + 1) * size));
  }
  return Date.now();
}

describeRedis('watch: a file is taken only when complete', () => {
  let redis: Redis;
  const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 1000, pollMs: 100, rescanMs: 400 } });
  const queue = () => fluxQueue(setup.config, redis);
  afterAll(async () => {
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  it('never claims a growing file, at start-up or later, nor a .filepart', async () => {
    redis = redisClient();
    const q = queue();
    const inbox = setup.inbox('op-alpha');
    const content = (tag: string) => Buffer.from(`<?xml version="1.0"?>\n<Invoice>${tag}${'x'.repeat(6000)}</Invoice>\n`);
    const a = content('A');
    const b = content('B');
    const c = content('C');
    // A starts growing before the watcher exists
    const aDone = writeSlowly(path.join(inbox, 'a.xml'), a, 12, 3000);
    await sleep(600);
    const journal = new Journal({ dir: path.join(setup.config.paths.out, 'journal'), clock: systemClock, timezone: 'Europe/Paris' });
    const watcher = new InboxWatcher({ config: setup.config, queue: q, journal, logger: createLogger({ level: 'silent' }) });
    await watcher.start();
    const bDone = writeSlowly(path.join(inbox, 'b.xml'), b, 12, 3000);
    const cDone = writeSlowly(path.join(inbox, 'c.xml.filepart'), c, 6, 3000).then((t) => {
      renameSync(path.join(inbox, 'c.xml.filepart'), path.join(inbox, 'c.xml'));
      return Date.now();
    });
    const lastWrite = { 'a.xml': await aDone, 'b.xml': await bDone, 'c.xml': await cDone };
    let jobs: FluxJobData[] = [];
    for (let i = 0; i < 100 && jobs.length < 3; i++) {
      await sleep(100);
      jobs = (await q.getJobs(['waiting', 'delayed', 'active'])).map((j) => j.data);
    }
    await watcher.stop();
    await journal.close();
    await q.close();
    expect(jobs.map((j) => j.name).sort()).toEqual(['a.xml', 'b.xml', 'c.xml']);
    const full: Record<string, Buffer> = { 'a.xml': a, 'b.xml': b, 'c.xml': c };
    for (const j of jobs) {
      // the claimed bytes are the whole file, never a prefix of it
      expect(readFileSync(j.path)).toEqual(full[j.name]);
      expect(j.sha256).toBe(createHash('sha256').update(full[j.name]).digest('hex'));
    }
    const lines = readFileSync(journal.fileFor(new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date())), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    for (const l of lines.filter((x) => x.event === 'claimed')) {
      const name = path.basename(l.file) as keyof typeof lastWrite;
      // claimed at least stableMs after the last write
      expect(Date.parse(l.ts) - lastWrite[name]).toBeGreaterThanOrEqual(setup.config.watch.stableMs - 50);
    }
  }, 60000);
});
