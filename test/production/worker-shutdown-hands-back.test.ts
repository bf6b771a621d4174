/**
 * SIGTERM while jobs wait for room in the worker's in-flight budget (worker.maxInFlightMb): they
 * have read nothing, so they go back to the queue at once (BullMQ moveToDelayed + DelayedError),
 * with no attempt and no stall counted, and the worker exits without waiting for them. Before,
 * they stayed `active` in a closing worker: granted room one after the other (the shutdown ran
 * as long as the whole backlog) or, past worker.shutdownTimeoutMs, abandoned with their locks,
 * counted as stalled by BullMQ — a second stall failed the job for good (`retry` by hand).
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { fluxQueue } from '../../src/queue/flux-queue';
import { invoiceNumbered } from '../helpers/generate-flows';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';
import { startWorkerProcess } from '../helpers/worker-process';
import { claimAndQueue } from '../helpers/queue-claimed';

/** A UBL invoice of `n` lines, numbered `k` (about 0.7 KB a line). */
function bigInvoice(k: number, n: number): string {
  const base = invoiceNumbered(k);
  const line = /<cac:InvoiceLine>[^]*?<\/cac:InvoiceLine>/.exec(base)?.[0];
  if (!line) throw new Error('no line in the base invoice');
  return base.replace(line, Array.from({ length: n }, (_, i) => line.replace(/<cbc:ID>[^<]*<\/cbc:ID>/, `<cbc:ID>${i + 1}</cbc:ID>`)).join('\n'));
}

function journal(out: string): { event: string; file?: string }[] {
  const dir = path.join(out, 'journal');
  return readdirSync(dir, { recursive: true })
    .map((f) => path.join(dir, String(f)))
    .filter((p) => statSync(p).isFile())
    .flatMap((p) => readFileSync(p, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)));
}

describeRedis('SIGTERM while jobs wait for the in-flight budget', () => {
  let redis: Redis;
  const setup = prodSetup({ partners: ['op-alpha'], worker: { concurrency: 4, maxInFlightMb: 6, shutdownTimeoutMs: 30_000, lockDurationMs: 2000 } });
  beforeAll(() => {
    redis = redisClient();
  });
  afterAll(async () => {
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  it('hands the jobs not started back to the queue (no attempt, no stall), exits 0 promptly, and a restarted worker gives every file one outcome', async () => {
    const names = [1, 2, 3, 4, 5].map((k) => `gros-${k}.xml`);
    // ~4.3 MB each under a budget of 6 MiB: one read at a time, the others wait for room
    names.forEach((name, k) => writeFileSync(path.join(setup.inbox('op-alpha'), name), bigInvoice(9200 + k, 6000)));
    const queue = fluxQueue(setup.config, redis);
    const ids: string[] = [];
    for (const name of names) {
      const { id } = await claimAndQueue(setup.config, queue, 'op-alpha', path.join(setup.inbox('op-alpha'), name));
      ids.push(id);
    }
    try {
      const w = startWorkerProcess(setup.configFile);
      // four jobs taken (concurrency 4): one reads its file, three wait for room
      for (let i = 0; i < 600 && (await queue.getActiveCount()) < 4; i++) await sleep(50);
      expect(await queue.getActiveCount()).toBe(4);
      await sleep(300);
      const t0 = Date.now();
      w.child.kill('SIGTERM');
      expect(await w.exited).toBe(0);
      // the file being read is finished; nothing waits for the ones that had not begun
      expect(Date.now() - t0).toBeLessThan(setup.config.worker.shutdownTimeoutMs / 2);

      const states = await Promise.all(ids.map((id) => queue.getJobState(id)));
      expect(states.filter((s) => s === 'active')).toEqual([]);
      const back = ids.filter((_, k) => states[k] !== 'completed');
      expect(back.length).toBeGreaterThanOrEqual(3); // the three waiting, and the one never taken
      for (const id of back) {
        expect(['waiting', 'delayed']).toContain(await queue.getJobState(id));
        const job = await queue.getJob(id);
        expect(job?.attemptsMade).toBe(0);
        expect(job?.stalledCounter ?? 0).toBe(0);
        expect(job?.failedReason).toBeFalsy();
      }
      // nothing of theirs was read: no `received` in the journal, their files still in processing/
      const handedBack = new Set(await Promise.all(back.map(async (id) => (await queue.getJob(id))?.data.relPath)));
      expect(journal(setup.config.paths.out).filter((l) => l.event === 'received' && handedBack.has(l.file))).toEqual([]);
      expect(readdirSync(path.join(setup.config.paths.processing, 'op-alpha'))).toHaveLength(back.length);

      // a restarted worker takes them: every file exactly one outcome, no job failed
      const w2 = startWorkerProcess(setup.configFile);
      for (let i = 0; i < 2400; i++) {
        const s = await Promise.all(ids.map((id) => queue.getJobState(id)));
        if (s.every((x) => x === 'completed' || x === 'failed')) break;
        await sleep(100);
      }
      w2.child.kill('SIGTERM');
      expect(await w2.exited).toBe(0);
      expect(await Promise.all(ids.map((id) => queue.getJobState(id)))).toEqual(ids.map(() => 'completed'));
      const outcomes = journal(setup.config.paths.out).filter((l) => l.event === 'outcome').map((l) => l.file).sort();
      expect(outcomes).toEqual(names.map((n) => `op-alpha/${n}`).sort());
      for (const id of ids) expect((await queue.getJob(id))?.stalledCounter ?? 0).toBe(0);
    } finally {
      await queue.close();
    }
  }, 300_000);
});
