/**
 * A worker's file counters agree with the journal when an attempt fails before the file is
 * read: here its content lock cannot be taken (state/locks is not a folder for a while, as on a
 * state disk that is full, read-only or a stale NFS handle). That attempt is a failed attempt
 * (counted, journaled `system-error`), and the file is received once and ends once. Before, such
 * an attempt was counted nowhere and journaled nowhere, and the attempt that then succeeded was
 * no first start: the file never counted as received, so `files_received_total` fell behind
 * `files_total`. Real Redis, real files.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { createMetrics } from '../../src/ops/metrics';
import { fluxQueue } from '../../src/queue/flux-queue';
import { startWorker } from '../../src/runner/worker';
import { createLogger } from '../../src/util/logger';
import { invoiceNumbered } from '../helpers/generate-flows';
import { describeRedis, suiteRedis } from '../helpers/redis';
import { until } from '../helpers/until';
import { prodSetup } from '../helpers/watch';
import { claimAndQueue } from '../helpers/queue-claimed';

function journalLines(out: string): Record<string, unknown>[] {
  const root = path.join(out, 'journal');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(path.join(root, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>));
}

/** The value of one sample of the exposition, 0 when the series is absent. */
function sample(body: string, series: string): number {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describeRedis('worker counters when an attempt fails before the file is read', () => {
  const setup = prodSetup({ partners: ['op-alpha'], worker: { attempts: 10, backoffMs: 100 } });
  const shared = suiteRedis(setup.config.redis.prefix);

  it('counts the file received once, the failed attempt once, journals it, and the file ends once', async () => {
    const metrics = createMetrics({ defaults: false });
    const running = await startWorker({ config: setup.config, logger: createLogger({ level: 'silent' }), metrics });
    const queue = fluxQueue(setup.config, shared.client());
    const locks = path.join(setup.config.paths.state, 'locks');
    try {
      // the content locks' folder is a file: no lock can be taken
      rmSync(locks, { recursive: true, force: true });
      mkdirSync(path.dirname(locks), { recursive: true });
      writeFileSync(locks, 'not a folder');
      const content = invoiceNumbered(4242);
      const src = path.join(setup.inbox('op-alpha'), 'F4242.xml');
      writeFileSync(src, content);
      const { id, data } = await claimAndQueue(setup.config, queue, 'op-alpha', src);

      await until('a failed attempt', async () => (((await queue.getJob(id))?.attemptsMade ?? 0) > 0 ? true : undefined), 30_000);
      rmSync(locks);
      await until('the job completed', async () => ((await queue.getJobState(id)) === 'completed' ? true : undefined), 30_000);

      const body = await metrics.registry.metrics();
      const ended = sample(body, 'chorus_flux_files_total{partner="op-alpha",outcome="accepted",kind="IN_DP_E1_UBL_INVOICE"}');
      expect(ended).toBe(1);
      // received once: as many as ended
      expect(sample(body, 'chorus_flux_files_received_total{partner="op-alpha"}')).toBe(ended);
      // BullMQ counts the attempt that completed the job among its attempts made
      const failedAttempts = ((await queue.getJob(id))?.attemptsMade ?? 0) - 1;
      expect(failedAttempts).toBeGreaterThan(0);
      expect(sample(body, 'chorus_flux_file_attempts_failed_total{partner="op-alpha"}')).toBe(failedAttempts);

      const lines = journalLines(setup.config.paths.out).filter((l) => l.sha256 === data.sha256);
      // the failed attempts say why, for trace; then one outcome
      const errors = lines.filter((l) => l.event === 'system-error');
      expect(errors).toHaveLength(failedAttempts);
      expect(String(errors[0].message)).toMatch(/^attempt 1 of 10 failed \(retried\): .*locks/);
      expect(lines.filter((l) => l.event === 'outcome').map((l) => l.outcome)).toEqual(['accepted']);
    } finally {
      if (existsSync(locks) && !statSync(locks).isDirectory()) rmSync(locks);
      await queue.close();
      await running.close(5000);
    }
  }, 60_000);
});
