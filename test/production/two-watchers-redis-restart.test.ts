/**
 * Two watchers (as on two machines) on one inbox tree and one Redis, and a worker, when Redis
 * restarts empty mid-way through a backlog: both rescans find the claimed files of processing/
 * without a job and both queue them again, under the same job ids: one job is made, and one
 * `requeued` line, by the watcher whose add made it (until 2026-12-06 each watcher journaled
 * its own: two requeues of one file for `trace` and the reconciliation). Each file is processed once
 * (one outcome, no `already-processed` copy, one pivot per invoice), none is left in processing/
 * or the queue, and no job fails.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startWorker } from '../../src/runner/worker';
import { createLogger } from '../../src/util/logger';
import { invoiceNumbered } from '../helpers/generate-flows';
import { OwnRedis, redisServerAvailable } from '../helpers/redis-server';
import { prodSetup } from '../helpers/watch';
import { watcherInProcess } from '../helpers/watcher-in-process';

const describeIf = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() ? describe.skip : describe;
const N = 80;

interface Line { event: string; sha256?: string; outcome?: string; file?: string; writer?: string }

function journal(out: string): Line[] {
  const dir = path.join(out, 'journal');
  let days: string[] = [];
  try {
    days = readdirSync(dir);
  } catch {
    return [];
  }
  return days.flatMap((day) => readdirSync(path.join(dir, day)).flatMap((f) => readFileSync(path.join(dir, day, f), 'utf8').split('\n').filter(Boolean).flatMap((l) => {
    try {
      return [JSON.parse(l) as Line];
    } catch {
      return []; // a line being written
    }
  })));
}

describeIf('two watchers on one Redis restarted empty', () => {
  it(`queue the backlog of processing/ again, and each of ${N} files is processed once`, async () => {
    const redis = await OwnRedis.start();
    const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 1000 }, worker: { concurrency: 2 }, extra: { redis: { url: redis.url, prefix: 'two-watchers-restart' } } });
    const { config } = setup;
    const inbox = setup.inbox('op-alpha');
    const processing = path.join(config.paths.processing, 'op-alpha');
    const a = watcherInProcess(config, redis.url, { quietErrors: true });
    const b = watcherInProcess(config, redis.url, { quietErrors: true });
    const running = await startWorker({ config, logger: createLogger({ level: 'silent' }), processIn: 'main' });
    running.worker.on('error', () => undefined);
    const outcomes = () => journal(config.paths.out).filter((l) => l.event === 'outcome');
    try {
      await Promise.all([a.watcher.start(), b.watcher.start()]);
      for (let n = 0; n < N; n++) writeFileSync(path.join(inbox, `f-${n}.xml`), invoiceNumbered(n));
      // Redis empties once a part of the files is done, the others claimed and waiting
      for (let i = 0; i < 600 && outcomes().length < N / 4; i++) await sleep(50);
      expect(outcomes().length).toBeLessThan(N);
      await redis.restartEmpty();
      const end = Date.now() + 120_000;
      while (Date.now() < end && (outcomes().length < N || readdirSync(processing).length > 0 || readdirSync(inbox).length > 0)) await sleep(200);
      await sleep(2000); // a second processing would show now

      const lines = journal(config.paths.out);
      const claimed = lines.filter((l) => l.event === 'claimed');
      expect(claimed).toHaveLength(N);
      // usually both watchers claimed some; on a loaded host one may take all 80 before the other
      // looks (CI, 2026-12-07): what this case is about is the restart's requeue, which both rescans do
      process.stdout.write(`claims by watcher: ${JSON.stringify(Object.fromEntries([...new Set(claimed.map((l) => l.writer))].map((w) => [w, claimed.filter((l) => l.writer === w).length])))}\n`);
      const requeued = lines.filter((l) => l.event === 'requeued');
      expect(requeued.length).toBeGreaterThan(0); // the backlog was queued again after the restart
      // both rescans may find a file jobless at once: one job is made (same id), one line by the watcher that made it
      for (const sha of new Set(requeued.map((l) => l.sha256))) expect([sha, requeued.filter((l) => l.sha256 === sha).length]).toEqual([sha, 1]);
      for (const c of claimed) {
        expect([c.file, lines.filter((l) => l.sha256 === c.sha256 && l.event === 'outcome').map((l) => l.outcome)]).toEqual([c.file, ['accepted']]);
        expect(lines.filter((l) => l.sha256 === c.sha256 && l.event === 'already-processed')).toEqual([]);
      }
      expect(readdirSync(processing)).toEqual([]);
      expect(readdirSync(inbox)).toEqual([]);
      expect(readdirSync(path.join(config.paths.out, 'pivot', 'VALM01')).filter((n) => n.endsWith('.xml'))).toHaveLength(N);
      expect(await a.queue.getJobCounts('waiting', 'active', 'delayed', 'failed')).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
      expect([...a.errors(), ...b.errors()]).toEqual([]);
    } finally {
      await running.close(5000);
      await a.close();
      await b.close();
      await redis.stop();
    }
  }, 180_000);
});
