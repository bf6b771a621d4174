/**
 * A watcher killed (SIGKILL) between its claim of a file of a `doneMarker` partner and the
 * removal of the file's `.done` marker. The marker stayed alone in the inbox, and the partner's
 * next upload of the same name was taken as finished from its first byte: half a file claimed
 * and refused as malformed. Now the rescan of the restarted watcher removes the marker (a claim
 * still in processing/ used it): the half upload waits, and is taken whole once announced.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { newClaimId } from '../../src/ingest/claim';
import { InboxWatcher } from '../../src/ingest/watcher';
import { Journal } from '../../src/journal/journal';
import { fluxQueue } from '../../src/queue/flux-queue';
import { systemClock } from '../../src/util/clock';
import { createLogger } from '../../src/util/logger';
import { ROOT } from '../helpers/cli';
import { invoiceNumbered } from '../helpers/generate-flows';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { until } from '../helpers/until';
import { prodSetup } from '../helpers/watch';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

interface Line { event: string; file?: string; sha256?: string; outcome?: string }

function journalLines(dir: string): Line[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((day) => readdirSync(path.join(dir, day)).flatMap((f) => readFileSync(path.join(dir, day, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line)));
}

function startWatch(configFile: string, env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), 'watch', '-c', configFile, '--metrics-port', '0'], { stdio: 'ignore', env: { ...process.env, ...env } });
  return { child, exited: new Promise((r) => child.on('exit', (code, signal) => r(signal ?? code))) };
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describeRedis('watch killed between its claim and the removal of the .done marker', () => {
  let redis: Redis;
  const setup = prodSetup({
    partners: ['op-alpha'],
    watch: { stableMs: 200, pollMs: 100, rescanMs: 300 },
    worker: { concurrency: 1 },
    extra: { partners: [{ id: 'op-alpha', inbox: 'in/op-alpha', doneMarker: true }] },
  });
  afterAll(async () => {
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  it('the next upload of that name waits for its own marker, then is taken whole; each file has one outcome', async () => {
    redis = redisClient();
    const inbox = setup.inbox('op-alpha');
    const processing = path.join(setup.config.paths.processing, 'op-alpha');
    const journalDir = path.join(setup.config.paths.out, 'journal');
    const first = invoiceNumbered(1);
    const second = invoiceNumbered(2);

    writeFileSync(path.join(inbox, 'a.xml'), first);
    writeFileSync(path.join(inbox, 'a.xml.done'), '');
    const killed = startWatch(setup.configFile, { CHORUS_FLUX_FAULT: 'after-claim' });
    expect(await killed.exited).toBe('SIGKILL');
    expect(readdirSync(inbox)).toEqual(['a.xml.done']); // the marker alone: the window
    expect(readdirSync(processing)).toHaveLength(1);

    // while no watcher runs, the partner begins its next upload of that name
    writeFileSync(path.join(inbox, 'a.xml'), second.slice(0, Math.floor(second.length / 2)));
    const watch = startWatch(setup.configFile);
    const worker = startWorkerProcess(setup.configFile);
    try {
      // the first file (requeued past the watcher's 5 s grace) has its outcome; the half one waits
      await until('the outcome of the first file', async () => (journalLines(journalDir).some((l) => l.event === 'outcome') ? true : undefined), 60_000);
      await sleep(1000); // several rescans and polls: the old code had claimed the half file by now
      expect(readdirSync(inbox)).toEqual(['a.xml']);
      expect(journalLines(journalDir).filter((l) => l.event === 'claimed')).toEqual([]);

      // the upload ends, and is announced
      writeFileSync(path.join(inbox, 'a.xml'), second);
      writeFileSync(path.join(inbox, 'a.xml.done'), '');
      await until('the outcome of the second file', async () => (journalLines(journalDir).filter((l) => l.event === 'outcome').length >= 2 ? true : undefined), 60_000);
      await until('processing/ emptied', async () => (readdirSync(processing).length === 0 ? true : undefined), 30_000);
    } finally {
      watch.child.kill('SIGTERM');
      worker.child.kill('SIGTERM');
      await Promise.all([watch.exited, worker.exited]);
    }
    expect(readdirSync(inbox)).toEqual([]);
    const outcomes = journalLines(journalDir).filter((l) => l.event === 'outcome');
    expect(outcomes.map((l) => [l.file, l.sha256, l.outcome]).sort()).toEqual([
      ['op-alpha/a.xml', sha(first), 'accepted'],
      ['op-alpha/a.xml', sha(second), 'accepted'],
    ].sort());
  }, 120_000);
});

describeRedis('watch: which .done markers a claim left behind', () => {
  let redis: Redis;
  const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 200, pollMs: 100, rescanMs: 300 }, extra: { partners: [{ id: 'op-alpha', inbox: 'in/op-alpha', doneMarker: true }] } });
  afterAll(async () => {
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  it('removes a marker alone that a claim of its name used, keeps the marker of a same-named file of another folder', async () => {
    redis = redisClient();
    const inbox = setup.inbox('op-alpha');
    for (const d of ['a', 'b']) mkdirSync(path.join(inbox, d));
    // a/f.xml is announced; b/f.xml was claimed after its marker was dropped, by a watcher killed before it removed it
    writeFileSync(path.join(inbox, 'a', 'f.xml'), invoiceNumbered(3));
    writeFileSync(path.join(inbox, 'a', 'f.xml.done'), '');
    writeFileSync(path.join(inbox, 'b', 'f.xml.done'), '');
    await sleep(20);
    const processing = path.join(setup.config.paths.processing, 'op-alpha');
    mkdirSync(processing, { recursive: true });
    writeFileSync(path.join(processing, `${newClaimId()}__f.xml`), invoiceNumbered(4));

    const q = fluxQueue(setup.config, redis);
    const journal = new Journal({ dir: path.join(setup.config.paths.out, 'journal'), clock: systemClock, timezone: 'Europe/Paris' });
    const watcher = new InboxWatcher({ config: setup.config, queue: q, journal, logger: createLogger({ level: 'silent' }), events: false });
    await watcher.start();
    try {
      await until('a/f.xml claimed', async () => (existsSync(path.join(inbox, 'a', 'f.xml')) ? undefined : true), 10_000);
      await sleep(300);
    } finally {
      await watcher.stop();
      await journal.close();
      await q.close();
    }
    expect(journalLines(path.join(setup.config.paths.out, 'journal')).filter((l) => l.event === 'claimed').map((l) => l.file)).toEqual(['op-alpha/a/f.xml']);
    expect(readdirSync(path.join(inbox, 'a'))).toEqual([]);
    expect(readdirSync(path.join(inbox, 'b'))).toEqual([]);
  }, 30_000);
});
