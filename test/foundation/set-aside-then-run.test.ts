/**
 * An operator's `set-aside` interrupted after it recorded its refusal with the content's attempt
 * (AttemptRecord.refusal: recorded before any of its flows is named, so a 93 FLUX-ECARTE and a
 * CDAR 501 may have gone out), and the same bytes then met by `chorus-flux run` (the file dropped
 * in an inbox a one-shot run reads, or set back there by hand). The refusal stands: the file ends
 * refused FLUX-ECARTE with the recorded words, its original in error/, and no pivot, no archive,
 * no invoice recorded. Until 2026-12-07 (commit c37d4fc) `run` processed the file as any other:
 * accepted, a pivot for the finance SI, beside the refusal the partner may have been told.
 * (test/production/set-aside-then-retry.test.ts: the same for a worker after `retry`.)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readJournalDay } from '../../src/journal/journal';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { dayOf } from '../../src/util/clock';
import { cli } from '../helpers/cli';
import { setAsideRecorded } from '../helpers/set-aside-recorded';

it('run finishes the refusal a set-aside recorded: refused with its words, no pivot, reconcile clean', async () => {
  const words = 'Le fichier arrête le traitement à chaque essai.';
  // what set-aside records before it names any flow (refuseUnreadFile), the kill coming after
  const { inbox, out, sha, config, day, message } = await setAsideRecorded('cf-set-aside-run-', words);

  const r = await cli(['run', inbox, '--out', out, '--threads', '1', '--no-progress', '-q'], { timeoutMs: 60_000 });
  expect({ code: r.code, signal: r.signal }).toEqual({ code: 0, signal: null }); // refused files are outcomes, not failures
  const files = (d: string) => (existsSync(path.join(out, d)) ? readdirSync(path.join(out, d), { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => path.relative(out, path.join(e.parentPath, e.name))) : []);
  expect([...files('pivot'), ...files('archive'), ...files('state/invoices')]).toEqual([]);
  expect(files('error').sort()).toEqual([`error/${day}/facture.xml`, `error/${day}/facture.xml.reason.json`]);
  const statut = files('statut');
  expect(statut).toHaveLength(1);
  const flow = readFileSync(path.join(out, statut[0]), 'utf8');
  expect(flow).toContain('FLUX-ECARTE');
  expect(flow).toContain(words);

  const lines = (await readJournalDay(path.join(out, 'journal'), dayOf(new Date(), config.timezone))).lines.filter((l) => 'sha256' in l && l.sha256 === sha);
  const outcomes = lines.filter((l): l is Extract<typeof l, { event: 'outcome' }> => l.event === 'outcome');
  expect(outcomes).toHaveLength(1);
  expect(outcomes[0]).toMatchObject({ outcome: 'refused', file: 'op-alpha/facture.xml', findings: [expect.objectContaining({ rule: 'FLUX-ECARTE', message })] });
  expect(outcomes[0].outputs.map((o) => o.path).sort()).toEqual([`error/${day}/facture.xml`, `error/${day}/facture.xml.reason.json`, statut[0]].sort());
  const clean = await reconcileDay({ config, date: dayOf(new Date(), config.timezone), write: false });
  expect(clean.report?.anomalies).toEqual([]);
}, 90_000);
