/**
 * Production mode, the window the crash test once hit: a worker killed (SIGKILL) after a
 * file's processed mark and before its outcome line; then a byte-identical copy of that file
 * dropped under another name and a new worker started. The copy ends `already-processed`, the
 * interrupted file's retry journals its outcome, and the content has one outcome (one archive
 * copy, one pivot), not two with different outputs.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { InboxWatcher } from '../../src/ingest/watcher';
import { Journal } from '../../src/journal/journal';
import { fluxQueue } from '../../src/queue/flux-queue';
import { systemClock } from '../../src/util/clock';
import { createLogger } from '../../src/util/logger';
import { invoiceNumbered } from '../helpers/generate-flows';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { listFiles } from '../helpers/run';
import { prodSetup } from '../helpers/watch';
import { startWorkerProcess } from '../helpers/worker-process';

import { setTimeout as sleep } from 'node:timers/promises';

interface Line { event: string; file?: string; outcome?: string; outputs?: { path: string }[] }

function journalLines(dir: string): Line[] {
  return readdirSync(dir).flatMap((day) => readdirSync(path.join(dir, day)).flatMap((f) => readFileSync(path.join(dir, day, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line)));
}

describeRedis('a worker killed between the processed mark and the outcome line, then a copy', () => {
  let redis: Redis;
  const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 200 }, worker: { concurrency: 1, lockDurationMs: 1500, backoffMs: 100 } });
  afterAll(async () => {
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  it('gives the content one outcome', async () => {
    redis = redisClient();
    const q = fluxQueue(setup.config, redis);
    const out = setup.config.paths.out;
    const processing = path.join(setup.config.paths.processing, 'op-alpha');
    const journal = new Journal({ dir: path.join(out, 'journal'), clock: systemClock, timezone: 'Europe/Paris' });
    const watcher = new InboxWatcher({ config: setup.config, queue: q, journal, logger: createLogger({ level: 'silent' }), events: false });
    await watcher.start();
    const content = invoiceNumbered(7);
    try {
      writeFileSync(path.join(setup.inbox('op-alpha'), 'a.xml'), content);
      const killed = startWorkerProcess(setup.configFile, { CHORUS_FLUX_FAULT: 'after-mark' });
      expect(await killed.exited).toBe('SIGKILL');

      writeFileSync(path.join(setup.inbox('op-alpha'), '0-copy.xml'), content);
      for (let i = 0; i < 100 && readdirSync(setup.inbox('op-alpha')).length > 0; i++) await sleep(100);
      const w = startWorkerProcess(setup.configFile);
      for (let i = 0; i < 600 && readdirSync(processing).length > 0; i++) await sleep(100);
      w.child.kill('SIGTERM');
      expect(await w.exited).toBe(0);
    } finally {
      await watcher.stop();
      await journal.close();
      await q.close();
    }
    expect(readdirSync(processing)).toEqual([]);

    const lines = journalLines(path.join(out, 'journal'));
    const outcomes = lines.filter((l) => l.event === 'outcome');
    const signature = (l: Line) => JSON.stringify([l.file, l.outcome, (l.outputs ?? []).map((o) => o.path).sort()]);
    expect(outcomes.length).toBeGreaterThanOrEqual(1);
    expect(new Set(outcomes.map(signature)).size).toBe(1);
    expect([outcomes[0].file, outcomes[0].outcome]).toEqual(['op-alpha/a.xml', 'accepted']);
    // the copy ends already-processed (so may the interrupted file's retry, when it comes after
    // the copy had the outcome journaled from the mark)
    const already = lines.filter((l) => l.event === 'already-processed').map((l) => l.file);
    expect(already.filter((f) => f === 'op-alpha/0-copy.xml')).toHaveLength(1);
    expect(already.every((f) => f === 'op-alpha/0-copy.xml' || f === 'op-alpha/a.xml')).toBe(true);

    const files = listFiles(out, ['state', 'logs', 'journal']);
    expect(files.filter((f) => f.startsWith('archive/')).map((f) => path.basename(f))).toEqual(['a.xml']);
    expect(files.filter((f) => f.startsWith('pivot/'))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 120000);
});
