/**
 * Issue #7: workers on two machines sharing one storage and one Redis. Each worker is a process
 * standing for its machine: its own host name (`unshare -u`, where allowed) and a clock two
 * minutes off (test/helpers/child/skew-clock.js), one ahead, one behind. Redis is emptied in
 * the middle of the run (a restart without persistence): the queue and the IdCPRO counter are
 * gone, the watcher's rescan queues the claimed files again. Every file still has one outcome,
 * every invoice one pivot and its own IdCPRO, and nothing is left behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { InboxWatcher } from '../../src/ingest/watcher';
import { Journal } from '../../src/journal/journal';
import { fluxQueue } from '../../src/queue/flux-queue';
import { systemClock } from '../../src/util/clock';
import { createLogger } from '../../src/util/logger';
import { ROOT } from '../helpers/cli';
import { invoiceNumbered } from '../helpers/generate-flows';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { listFiles } from '../helpers/run';
import { prodSetup } from '../helpers/watch';
import { journalLinesSoFar } from '../helpers/journal-lines';
import { untilHolds } from '../helpers/logged-daemon';

import { setTimeout as sleep } from 'node:timers/promises';

const ownHostName = spawnSync('unshare', ['-u', 'true']).status === 0;

function workerOn(machine: string, skewMs: number, configFile: string) {
  const node = [process.execPath, '-r', path.join(ROOT, 'test/helpers/ts-register.js'), '-r', path.join(ROOT, 'test/helpers/child/skew-clock.js'), path.join(ROOT, 'src/cli/index.ts'), 'worker', '-c', configFile, '--metrics-port', '0'];
  const [cmd, ...args] = ownHostName ? ['unshare', '-u', 'sh', '-c', 'hostname "$0" && exec "$@"', machine, ...node] : node;
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CHORUS_TEST_CLOCK_SKEW_MS: String(skewMs) } });
  let err = '';
  child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  return { child, started: () => err.includes('"worker started"'), exited: new Promise((r) => child.on('exit', (code, signal) => r(signal ?? code))) };
}

const journalLines = journalLinesSoFar;

function idCpros(invoices: string): string[] {
  return listFiles(invoices).filter((f) => f.endsWith('.json')).flatMap((f) => (JSON.parse(readFileSync(path.join(invoices, f), 'utf8')) as { records: { idCpro: string }[] }).records.map((r) => r.idCpro));
}

describeRedis('workers on two machines, Redis emptied mid-run', () => {
  let redis: Redis;
  const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 200 }, worker: { concurrency: 2, lockDurationMs: 2000, backoffMs: 100 } });
  afterAll(async () => {
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  it('every file one outcome, every invoice one pivot and its own IdCPRO', async () => {
    redis = redisClient();
    const q = fluxQueue(setup.config, redis);
    const out = setup.config.paths.out;
    const inbox = setup.inbox('op-alpha');
    const processing = path.join(setup.config.paths.processing, 'op-alpha');
    const journal = new Journal({ dir: path.join(out, 'journal'), clock: systemClock, timezone: 'Europe/Paris' });
    const watcher = new InboxWatcher({ config: setup.config, queue: q, journal, logger: createLogger({ level: 'silent' }), events: false });
    const N = 40;
    const workers = [workerOn('machine-a', 2 * 60_000, setup.configFile), workerOn('machine-b', -2 * 60_000, setup.configFile)];
    let emptied = false;
    let doneWhenEmptied = 0;
    try {
      // both machines ready before the files come: on a loaded host one worker's start may take
      // longer than the other's whole run, and "both machines worked" then failed
      await untilHolds('both workers started', () => workers.every((w) => w.started()), 90_000);
      await watcher.start();
      for (let i = 0; i < N; i++) writeFileSync(path.join(inbox, `f${i}.xml`), invoiceNumbered(5000 + i));
      // five byte-identical copies under other names: one outcome for their content
      for (let i = 0; i < 5; i++) writeFileSync(path.join(inbox, `copy${i}.xml`), invoiceNumbered(5000 + i));
      const outcomes = () => journalLines(path.join(out, 'journal')).filter((l) => l.event === 'outcome' || l.event === 'already-processed').length;
      for (let i = 0; i < 1800; i++) {
        if (!emptied && outcomes() >= N / 3) {
          doneWhenEmptied = outcomes();
          await deletePrefix(redis, setup.config.redis.prefix); // Redis restarted without persistence
          emptied = true;
        }
        if (emptied && readdirSync(inbox).length === 0 && readdirSync(processing).length === 0) break;
        await sleep(100);
      }
    } finally {
      for (const w of workers) w.child.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));
      await watcher.stop();
      await journal.close();
      await q.close();
    }
    expect(emptied).toBe(true);
    expect(doneWhenEmptied).toBeLessThan(N); // emptied with files still to do
    expect(readdirSync(inbox)).toEqual([]);
    expect(readdirSync(processing)).toEqual([]);

    const lines = journalLines(path.join(out, 'journal'));
    // both machines worked
    const machines = new Set(lines.filter((l) => l.event === 'outcome').map((l) => /^machine-[ab]/.exec(l.writer ?? '')?.[0]));
    if (ownHostName) expect([...machines].sort()).toEqual(['machine-a', 'machine-b']);
    const accepted = lines.filter((l) => l.event === 'outcome' && l.outcome === 'accepted').map((l) => l.file);
    expect(new Set(accepted).size).toBe(accepted.length); // no file accepted twice
    const files = listFiles(out, ['state', 'logs', 'journal']);
    expect(files.filter((f) => f.startsWith('pivot/'))).toHaveLength(N);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const ids = idCpros(path.join(setup.config.paths.state, 'invoices'));
    expect(ids).toHaveLength(N);
    expect(new Set(ids).size).toBe(N);
  }, 240000);
});
