/**
 * A worker busy with a large file stays responsive. The file is processed in the worker's own
 * thread: before, a 43 MB flow kept the main thread busy for seconds at a time, so BullMQ could
 * not renew the job's lock ("could not renew lock", /healthz at 503 for minutes) and a SIGTERM
 * waited for the step under way, whatever the shutdown bound.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { claimFile } from '../../src/ingest/claim';
import { fluxJobId, fluxJobOptions, fluxQueue, type FluxJobData } from '../../src/queue/flux-queue';
import { startWorker } from '../../src/runner/worker';
import { sha256 } from '../../src/util/hash';
import { invoiceNumbered } from '../helpers/generate-flows';
import { deletePrefix, describeRedis, redisClient } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';

/** A UBL invoice of `n` lines (a few MB that take the reader seconds). */
function bigInvoice(n: number): string {
  const base = invoiceNumbered(9001);
  const line = /<cac:InvoiceLine>[^]*?<\/cac:InvoiceLine>/.exec(base)?.[0];
  if (!line) throw new Error('no line in the base invoice');
  return base.replace(line, Array.from({ length: n }, (_, k) => line.replace(/<cbc:ID>[^<]*<\/cbc:ID>/, `<cbc:ID>${k + 1}</cbc:ID>`)).join('\n'));
}

describeRedis('a worker busy with a large file', () => {
  const setup = prodSetup({ partners: ['op-alpha'], worker: { lockDurationMs: 2000, concurrency: 1 } });
  let redis: Redis;
  afterAll(async () => {
    await deletePrefix(redis, setup.config.redis.prefix);
    await redis.quit();
  });

  it('keeps its main thread free: locks renewed, nothing taken for Redis trouble', async () => {
    redis = redisClient();
    const queue = fluxQueue(setup.config, redis);
    const logged: { msg: string; level: number; kind?: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void logged.push(JSON.parse(l)) });
    const running = await startWorker({ config: setup.config, logger });
    const lag = monitorEventLoopDelay({ resolution: 20 });
    try {
      const content = bigInvoice(30_000);
      const src = path.join(setup.inbox('op-alpha'), 'gros.xml');
      writeFileSync(src, content);
      const c = await claimFile(src, setup.config.paths.processing, 'op-alpha');
      if (!c) throw new Error('claim failed');
      const data: FluxJobData = { path: c.path, name: c.name, relPath: 'op-alpha/gros.xml', partner: 'op-alpha', sha256: sha256(Buffer.from(content)), claimId: c.claimId };
      const id = fluxJobId(data.sha256, data.claimId);
      const t0 = Date.now();
      lag.enable();
      await queue.add('flux', data, { ...fluxJobOptions(setup.config), jobId: id });
      let state = '';
      for (let i = 0; i < 1200 && state !== 'completed' && state !== 'failed'; i++) {
        await sleep(50);
        state = await queue.getJobState(id);
      }
      lag.disable();
      const took = Date.now() - t0;
      expect(state).toBe('completed');
      // (its lines, copies of one, do not add up to its totals: refused, after the whole file was read and judged)
      expect((await queue.getJob(id))?.returnvalue).toEqual({ outcome: 'refused', sha256: data.sha256 });
      // it took long enough to matter: longer than the lock's renewal period (half the lock)
      expect(took).toBeGreaterThan(1000);
      // the main thread never stalled near a renewal period while it ran
      expect(lag.max / 1e6).toBeLessThan(800);
      expect(logged.filter((l) => l.kind === 'lock-lost' || /lock/i.test(l.msg))).toEqual([]);
      expect(running.trouble.current()).toBeUndefined();
    } finally {
      await running.close(10_000);
      await queue.close();
    }
  }, 120_000);
});
