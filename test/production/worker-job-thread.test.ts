/**
 * The worker's processing thread (job-thread.ts), as the scale bench and an operator see it:
 * - it names itself (`chorus-job`, util/thread-name.ts), so that `top -H` and bench/scale.ts
 *   tell it from the main thread and from node's own threads, which all read "node";
 * - it hands the main thread what the job and the metrics need (job-outcome.ts), not the whole
 *   result: the invoices' findings, the outputs and the timings are in the journal already, and
 *   structured-cloning them into the main thread cost both threads CPU for every file.
 * The counters still say what the journal says. Real Redis, real files.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Worker as NodeWorker } from 'node:worker_threads';
import { createMetrics } from '../../src/ops/metrics';
import { startWorker } from '../../src/runner/worker';
import { createLogger } from '../../src/util/logger';
import { JOB_THREAD_NAME } from '../../src/util/thread-name';
import { invoiceNumbered } from '../helpers/generate-flows';
import { describeRedis } from '../helpers/redis';
import { queueSuite } from '../helpers/queue-suite';
import { until } from '../helpers/until';
import { prodSetup } from '../helpers/watch';
import { claimAndQueue } from '../helpers/queue-claimed';

function threadNames(): string[] {
  return readdirSync('/proc/self/task').map((t) => {
    try {
      return readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim();
    } catch {
      return '';
    }
  });
}

function sample(body: string, series: string): number {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

const linux = existsSync('/proc/self/task');

describeRedis('the worker processing thread', () => {
  const setup = prodSetup({ partners: ['op-alpha'] });
  const s = queueSuite(setup);

  it('names itself, and posts the main thread only what the job and the metrics need', async () => {
    // what the processing thread posts to the main thread, seen as the main thread receives it
    const posted: Record<string, unknown>[] = [];
    const emit = NodeWorker.prototype.emit;
    const spy = jest.spyOn(NodeWorker.prototype, 'emit').mockImplementation(function (this: NodeWorker, event: string | symbol, ...args: unknown[]) {
      const m = args[0] as { type?: string; result?: Record<string, unknown> } | undefined;
      if (event === 'message' && m?.type === 'result' && m.result) posted.push(m.result);
      return emit.call(this, event, ...args);
    });
    const metrics = createMetrics({ defaults: false });
    const running = await startWorker({ config: setup.config, logger: createLogger({ level: 'silent' }), metrics });
    const { queue } = s;
    try {
      const src = path.join(setup.inbox('op-alpha'), 'F5151.xml');
      writeFileSync(src, invoiceNumbered(5151));
      const { id, data } = await claimAndQueue(setup.config, queue, 'op-alpha', src);
      await until('the job completed', async () => ((await queue.getJobState(id)) === 'completed' ? true : undefined), 30_000);

      if (linux) expect(threadNames()).toContain(JOB_THREAD_NAME);
      expect(posted).toHaveLength(1);
      expect(Object.keys(posted[0]).sort()).toEqual(['flows', 'invoices', 'kind', 'outcome', 'sha256']);
      expect(posted[0]).toEqual({ sha256: data.sha256, outcome: 'accepted', kind: 'IN_DP_E1_UBL_INVOICE', flows: [], invoices: [{ outcome: 'accepted', lessChecked: [] }] });
      // the counters, from that, as before
      const body = await metrics.registry.metrics();
      expect(sample(body, 'chorus_flux_files_total{partner="op-alpha",outcome="accepted",kind="IN_DP_E1_UBL_INVOICE"}')).toBe(1);
      expect(sample(body, 'chorus_flux_invoices_total{outcome="accepted"}')).toBe(1);
      // the claimed file is gone once the job completed
      expect(existsSync(data.path)).toBe(false);
    } finally {
      spy.mockRestore();
      await running.close(5000);
    }
  }, 60_000);
});
