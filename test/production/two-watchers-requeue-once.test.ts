/**
 * Two watchers (as on two machines) whose rescans find the same claimed files of processing/
 * without a job, Redis having restarted empty. Both add each file's job under the same id: one
 * job is made, and only the watcher whose add made it journals `requeued`. Until 2026-12-06 both
 * journaled it, and `trace` and the nightly reconciliation read two requeues of one file.
 * A file that waits through a second restart is queued again: a new job, and a line for it.
 * The rescans are run by hand (no timer, no worker), at once or one after the other.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { claimFile } from '../../src/ingest/claim';
import { invoiceNumbered } from '../helpers/generate-flows';
import { OwnRedis, redisServerAvailable } from '../helpers/redis-server';
import { prodSetup } from '../helpers/watch';
import { watcherInProcess } from '../helpers/watcher-in-process';

const describeIf = process.env.CHORUS_FLUX_SKIP_REDIS === '1' || !redisServerAvailable() ? describe.skip : describe;
const N = 40;

interface Line { event: string; claimId?: string; writer?: string }

function requeued(out: string): Line[] {
  const dir = path.join(out, 'journal');
  return readdirSync(dir).flatMap((day) => readdirSync(path.join(dir, day)).flatMap((f) => readFileSync(path.join(dir, day, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line))).filter((l) => l.event === 'requeued');
}

/** claim id → the writers of its `requeued` lines */
function byClaim(lines: Line[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const l of lines) m.set(l.claimId as string, [...(m.get(l.claimId as string) ?? []), l.writer as string]);
  return m;
}

describeIf('two watchers find the same claimed files without a job', () => {
  it('journal one `requeued` line per job made: one per file and restart', async () => {
    const redis = await OwnRedis.start();
    // no rescan but the test's: neither watcher is started (no timer)
    const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 5000 }, extra: { redis: { url: redis.url, prefix: 'requeue-once' } } });
    const { config } = setup;
    const inbox = setup.inbox('op-alpha');
    // claimed before Redis restarted: in processing/, no job in the empty Redis
    for (let n = 0; n < N; n++) {
      writeFileSync(path.join(inbox, `f-${n}.xml`), invoiceNumbered(n));
      await claimFile(path.join(inbox, `f-${n}.xml`), config.paths.processing, 'op-alpha', `f-${n}.xml`);
    }
    const claimIds = readdirSync(path.join(config.paths.processing, 'op-alpha')).map((f) => f.split('__')[0]).sort();
    await sleep(5500); // older than the rescan's grace for fresh claims
    const a = watcherInProcess(config, redis.url, { quietErrors: true });
    const b = watcherInProcess(config, redis.url, { quietErrors: true });
    try {
      // both rescans at once: each finds every file jobless before either has queued it
      await Promise.all([a.watcher.rescan(), b.watcher.rescan()]);
      const first = byClaim(requeued(config.paths.out));
      expect([...first.keys()].sort()).toEqual(claimIds);
      for (const [claimId, writers] of first) expect([claimId, writers.length]).toEqual([claimId, 1]);
      expect(await a.queue.getJobCounts('waiting')).toEqual({ waiting: N });

      // Redis restarts again, between the two watchers' rescans: the first to look makes the jobs again and says so
      await redis.restartEmpty();
      await b.watcher.rescan();
      await a.watcher.rescan();
      const second = byClaim(requeued(config.paths.out));
      for (const claimId of claimIds) expect([claimId, second.get(claimId)?.sort()]).toEqual([claimId, [...(first.get(claimId) as string[]), b.writer].sort()]);
      expect(await a.queue.getJobCounts('waiting')).toEqual({ waiting: N });
      expect([...a.errors(), ...b.errors()]).toEqual([]);
    } finally {
      await a.close();
      await b.close();
      await redis.stop();
    }
  }, 60_000);
});
