/**
 * A global concurrency or rate limit set on a queue (from a dashboard, or any BullMQ client) is
 * kept in Redis across restarts and holds back every worker, as a pause does. Before, neither
 * `chorus-flux jobs` nor /metrics showed it (OPERATIONS said "clear it from the dashboard"):
 * now `jobs` names it, with the command that removes it, `jobs --clear-limits` removes it, and
 * the metrics export it (real Redis).
 */
import type { Redis } from 'ioredis';
import { fluxQueue, reconcileQueue } from '../../src/queue/flux-queue';
import { clearLimits, queueLimits } from '../../src/queue/queue-limits';
import { createMetrics } from '../../src/ops/metrics';
import { cli } from '../helpers/cli';
import { describeRedis, redisClient, suiteRedis } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';

describeRedis('global limits set on the queues', () => {
  const setup = prodSetup({ partners: ['op-alpha'] });
  const shared = suiteRedis(setup.config.redis.prefix);
  const jobs = (...args: string[]) => cli(['jobs', '--config', setup.configFile, ...args], { timeoutMs: 60_000 });

  it('jobs shows them and --clear-limits removes them; the metrics say them', async () => {
    const queue = fluxQueue(setup.config, shared.client());
    const nightly = reconcileQueue(setup.config, shared.client());
    const metrics = createMetrics({ defaults: false, queueLimits: async () => ({ [queue.name]: await queueLimits(queue), [nightly.name]: await queueLimits(nightly) }) });
    const gauge = async (name: string, q: string) => {
      const line = (await metrics.registry.metrics()).split('\n').find((l) => l.startsWith(`${name}{queue="${q}"}`));
      return line === undefined ? undefined : Number(line.split(' ').pop());
    };
    try {
      // none set: nothing said, the gauges at 0
      let r = await jobs();
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain('--clear-limits');
      expect(await gauge('chorus_flux_queue_global_concurrency', 'flux')).toBe(0);
      expect(await gauge('chorus_flux_queue_global_rate_limit_per_second', 'flux')).toBe(0);

      await queue.setGlobalConcurrency(1);
      await queue.setGlobalRateLimit(5, 2000);
      await nightly.setGlobalConcurrency(3);
      r = await jobs();
      // shown, not a failure: a limit may be meant
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('the queue has a global concurrency of 1 (all workers together run at most 1 job at once) and a rate limit of 5 jobs per 2000 ms, set from a dashboard or a BullMQ client and kept in Redis across restarts');
      expect(r.stdout).toContain(`Remove it: chorus-flux jobs --config ${setup.configFile} --clear-limits`);
      expect(r.stdout).toContain("the nightly reconciliation's queue has a global concurrency of 3");
      const json = JSON.parse((await jobs('--json')).stdout) as { limits: unknown; nightlyLimits: unknown };
      expect(json.limits).toEqual({ concurrency: 1, rateLimit: { max: 5, duration: 2000 } });
      expect(json.nightlyLimits).toEqual({ concurrency: 3, rateLimit: null });
      expect(await gauge('chorus_flux_queue_global_concurrency', 'flux')).toBe(1);
      expect(await gauge('chorus_flux_queue_global_rate_limit_per_second', 'flux')).toBe(2.5);
      expect(await gauge('chorus_flux_queue_global_concurrency', 'reconcile')).toBe(3);

      r = await jobs('--clear-limits');
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('chorus-flux: the flux queue had a global concurrency of 1 (all workers together run at most 1 job at once) and a rate limit of 5 jobs per 2000 ms: removed, the workers take its jobs at their own concurrency again');
      expect(r.stderr).toContain('chorus-flux: the reconcile queue had a global concurrency of 3');
      expect(r.stdout).not.toContain('--clear-limits');
      expect(await queueLimits(queue)).toEqual({ concurrency: null, rateLimit: null });
      expect(await queueLimits(nightly)).toEqual({ concurrency: null, rateLimit: null });
      expect(await gauge('chorus_flux_queue_global_concurrency', 'flux')).toBe(0);

      // nothing to remove: said nothing, exit 0
      r = await jobs('--clear-limits');
      expect([r.code, r.stderr]).toEqual([0, '']);
    } finally {
      await queue.close();
      await nightly.close();
    }
  }, 120_000);

  // Until 2026-12-07 `--clear-limits` read the limits, then removed them by two more requests: a
  // limit another operator (a dashboard) set in between was removed without being said. Now one
  // script reads and removes them: what it says removed is exactly what went
  it('--clear-limits removes exactly what it says: a limit set meanwhile by another is kept, not removed unsaid', async () => {
    const other = shared.client();
    // the clear's own connection, which lets another operator in right after its first read of the limits
    const own = redisClient() as Redis & { sendCommand: (...a: unknown[]) => Promise<unknown> };
    const queue = fluxQueue(setup.config, own);
    const theirs = fluxQueue(setup.config, other);
    const meta = queue.keys.meta;
    let cut = false;
    const send = own.sendCommand.bind(own);
    own.sendCommand = (...a: unknown[]) => {
      const cmd = a[0] as { name: string; args: unknown[] };
      const p = send(...a) as Promise<unknown>;
      if (cut || !['hget', 'hmget', 'eval', 'evalsha'].includes(cmd.name) || !cmd.args.some((x) => String(x) === meta)) return p;
      cut = true;
      return p.then(async (v) => {
        await theirs.setGlobalConcurrency(7);
        return v;
      });
    };
    try {
      await theirs.setGlobalConcurrency(1);
      await theirs.setGlobalRateLimit(5, 2000);
      const removed = await clearLimits(queue, own);
      expect(cut).toBe(true);
      // said: what it read and removed; the concurrency set after its read stays, shown by `jobs`
      expect(removed).toEqual({ concurrency: 1, rateLimit: { max: 5, duration: 2000 } });
      expect(await queueLimits(theirs)).toEqual({ concurrency: 7, rateLimit: null });
      const r = await jobs();
      expect(r.stdout).toContain('the queue has a global concurrency of 7');
      // removed and said
      expect(await clearLimits(queue, own)).toEqual({ concurrency: 7, rateLimit: null });
      expect(await queueLimits(theirs)).toEqual({ concurrency: null, rateLimit: null });
      // a half rate limit (max without duration: BullMQ reads none) is neither said nor removed
      await other.hset(meta, 'max', '3');
      expect(await clearLimits(queue, own)).toEqual({ concurrency: null, rateLimit: null });
      expect(await other.hget(meta, 'max')).toBe('3');
      await other.hdel(meta, 'max');
    } finally {
      await queue.close();
      await theirs.close();
      await own.quit();
    }
  }, 120_000);
});
