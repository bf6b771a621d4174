/**
 * A multi-invoice pivot of a thousand invoices and more: its invoices going to one recipient
 * were written as one pivot at the end, every Factur-X held in memory until then (a pivot of
 * 10,000 invoices took 2.2 GB of RSS). They now go out as pivots of PIVOT_CHUNK invoices at
 * most, each written as soon as it is full: every invoice exactly once, every output valid,
 * the day reconciled clean.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { PIVOT_CHUNK } from '../../src/runner/process-file';
import { dayOf } from '../../src/util/clock';
import { SCHEMAS } from '../helpers/corpus';
import { walk } from '../helpers/hostile';
import { bundledConfig, runOnce, tempDir } from '../helpers/run';
import { validateFiles } from '../helpers/xsd';
import { bigPivot } from '../helpers/generate-flows';


it(`a pivot of ${2 * PIVOT_CHUNK + 100} invoices to one recipient goes out as pivots of ${PIVOT_CHUNK} at most, each invoice once`, async () => {
  const n = 2 * PIVOT_CHUNK + 100;
  const root = tempDir('cf-big-pivot-');
  mkdirSync(path.join(root, 'inbox', 'op-beta'), { recursive: true });
  writeFileSync(path.join(root, 'inbox', 'op-beta', 'gros.xml'), bigPivot(n));
  const config = bundledConfig(path.join(root, 'out'));
  const [r] = (await runOnce(path.join(root, 'inbox'), config)).results;
  expect(r.outcome).toBe('accepted');
  expect(r.invoices.filter((i) => i.outcome === 'accepted')).toHaveLength(n);

  const pivots = walk(path.join(config.paths.out, 'pivot'));
  const texts = pivots.map((p) => readFileSync(p, 'utf8'));
  expect(texts.map((t) => t.split('<CPPFacturePivotUnitaire').length - 1).sort((a, b) => b - a)).toEqual([PIVOT_CHUNK, PIVOT_CHUNK, 100]);
  const ids = texts.flatMap((t) => [...t.matchAll(/<IdCPRO>([^<]+)</g)].map((m) => m[1]));
  expect(new Set(ids).size).toBe(n);
  expect(texts.reduce((k, t) => k + (t.match(/<CategoriePJ>DUPLICATA_FACTUR-X</g)?.length ?? 0), 0)).toBe(n);
  expect(new Set(texts.map((t) => /<Valeurparametre>(CFX[^<]+)</.exec(t)?.[1])).size).toBe(3); // three flows, three IdFlx
  expect(validateFiles(SCHEMAS.pivot, pivots).flatMap((v) => v.errors)).toEqual([]);

  const day = await reconcileDay({ config, date: dayOf(new Date(), config.timezone) });
  expect(day.report?.anomalies).toEqual([]);
  expect(day.exitCode).toBe(0);
}, 180_000);
