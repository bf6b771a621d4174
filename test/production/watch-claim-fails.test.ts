/**
 * A file the watcher cannot claim (processing/ not writable, an inbox on a read-only share,
 * another mount) waits in its inbox, and /metrics says so for as long as it lasts:
 * `chorus_flux_inbox_waiting_files` counts it (docs/OPERATIONS.md: alert when it stays above
 * 0); the log says why once, not at every try, and the claim is tried again at each rescan.
 * /healthz stays 200 by design, so this gauge is the operator's only signal. Before, the file
 * left the count at its first failed claim until the next rescan found it again (30 s by
 * default), only to leave it at the next failure: the gauge read 0 nearly all the time and an
 * alert on it never fired. Real Redis.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { InboxWatcher } from '../../src/ingest/watcher';
import { Journal } from '../../src/journal/journal';
import { createMetrics } from '../../src/ops/metrics';
import { fluxQueue } from '../../src/queue/flux-queue';
import { systemClock } from '../../src/util/clock';
import { createLogger } from '../../src/util/logger';
import { invoiceNumbered } from '../helpers/generate-flows';
import { describeRedis, suiteRedis } from '../helpers/redis';
import { until } from '../helpers/until';
import { prodSetup } from '../helpers/watch';

describeRedis('watch: a file that cannot be claimed', () => {
  // a rescan far off: what the gauge says between two rescans is what is tested
  const setup = prodSetup({ partners: ['op-alpha'], watch: { stableMs: 100, pollMs: 50, rescanMs: 60_000 } });
  const shared = suiteRedis(setup.config.redis.prefix);

  it('is counted as waiting for as long as it cannot be claimed, said once, and claimed once it can be', async () => {
    const blocked = path.join(setup.config.paths.processing, 'op-alpha');
    mkdirSync(setup.config.paths.processing, { recursive: true });
    writeFileSync(blocked, 'a file where the partner folder of processing/ should be');
    writeFileSync(path.join(setup.inbox('op-alpha'), 'F1.xml'), invoiceNumbered(1));
    const logFile = path.join(setup.dir, 'watch.log');
    const metrics = createMetrics({ defaults: false });
    const queue = fluxQueue(setup.config, shared.client());
    const journal = new Journal({ dir: path.join(setup.config.paths.out, 'journal'), clock: systemClock, timezone: 'Europe/Paris' });
    const watcher = new InboxWatcher({ config: setup.config, queue, journal, logger: createLogger({ level: 'silent', file: logFile }), metrics, events: false });
    const waiting = async () => {
      const line = (await metrics.registry.metrics()).split('\n').find((l) => l.startsWith('chorus_flux_inbox_waiting_files{partner="op-alpha"} '));
      return line ? Number(line.split(' ')[1]) : undefined;
    };
    const claimErrors = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes('cannot claim the file')) : []);
    await watcher.start();
    try {
      await until('a failed claim', async () => (claimErrors().length > 0 ? true : undefined), 10_000);
      // many polls later: still waiting, every time it is looked at
      const seen: (number | undefined)[] = [];
      for (let i = 0; i < 20; i++) {
        await sleep(50);
        seen.push(await waiting());
      }
      expect(seen).toEqual(Array(20).fill(1));
      // said once (its reason did not change), not at every try
      expect(claimErrors()).toHaveLength(1);
      expect(claimErrors()[0]).toContain('op-alpha');

      // tried again at the next rescan, as before
      rmSync(blocked);
      await watcher.rescan();
      await until('the file claimed', async () => (readdirSync(setup.inbox('op-alpha')).length === 0 ? true : undefined), 10_000);
      await until('the gauge back to 0', async () => ((await waiting()) === 0 ? true : undefined), 5_000);
      expect(readdirSync(blocked)).toHaveLength(1);
      expect(await queue.count()).toBe(1);
    } finally {
      await watcher.stop();
      await journal.close();
      await queue.close();
    }
  }, 40_000);
});
