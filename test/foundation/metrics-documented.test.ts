/**
 * The metrics an operator alerts on are the ones docs/OPERATIONS.md ("Metrics and health")
 * lists: each name in its table is served, and each served name is in it. The kinds of
 * `chorus_flux_redis_errors_total` are named in the table and in the metric's HELP, which is
 * what a Prometheus or Grafana user reads: `not-answering` (a Redis silent on an open
 * connection) was counted and documented, and missing from the HELP until 2026-12-08.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createMetrics } from '../../src/ops/metrics';
import { ROOT } from '../helpers/cli';

const KINDS = ['out-of-memory', 'read-only', 'persistence', 'authentication', 'database', 'unreachable', 'not-answering', 'other', 'lock-lost'];

const section = (() => {
  const doc = readFileSync(path.join(ROOT, 'docs/OPERATIONS.md'), 'utf8');
  const from = doc.indexOf('\n## Metrics and health');
  return doc.slice(from, doc.indexOf('\n## ', from + 1));
})();
const rows = section.split('\n').filter((l) => l.startsWith('| `chorus_flux_'));

describe('the metrics of docs/OPERATIONS.md', () => {
  it('are the ones served, name for name', async () => {
    const metrics = createMetrics({ defaults: false, lastReportSeconds: () => 0 });
    const served = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name).sort();
    const documented = rows.flatMap((r) => [...r.split('|')[1].matchAll(/`(chorus_flux_[a-z_]+)[`{]/g)].map((m) => m[1])).sort();
    expect(documented).toEqual(served);
  });

  it('name each kind of Redis error, in the table and in the HELP', async () => {
    const metrics = createMetrics({ defaults: false });
    const help = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'chorus_flux_redis_errors_total')?.help ?? '';
    const row = rows.find((r) => r.startsWith('| `chorus_flux_redis_errors_total'));
    for (const kind of KINDS) {
      expect([kind, row?.includes(`\`${kind}\``)]).toEqual([kind, true]);
      expect([kind, help.includes(kind)]).toEqual([kind, true]);
    }
  });
});
