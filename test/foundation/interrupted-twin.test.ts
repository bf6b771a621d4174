/**
 * A file whose attempt was interrupted (a crash) after its original was copied to archive/
 * but before its outcome was journaled, while a byte-identical file was finished meanwhile:
 * on its retry it is already processed, and its already-processed line lists the copy, so
 * nothing in the outboxes is unaccounted for (the crash test found this by chance).
 */
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { readJournalDay } from '../../src/journal/journal';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { dayOf, fixedClock } from '../../src/util/clock';
import { bundledConfig, listFiles, runOnce, tempDir } from '../helpers/run';
import { PAPETERIE } from '../helpers/ubl-attachments';

it('lists the copy left by the interrupted attempt; the reconciliation finds no orphan', async () => {
  const root = tempDir('cf-twin-');
  const inbox = path.join(root, 'inbox');
  const config = bundledConfig(path.join(root, 'out'));
  const out = config.paths.out;
  mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
  copyFileSync(PAPETERIE, path.join(inbox, 'op-alpha', 'facture.xml'));
  const first = await runOnce(inbox, config);
  expect(first.results[0].outcome).toBe('accepted');

  // the twin arrives; an earlier attempt at it had copied it to archive/ and died
  const twin = path.join(inbox, 'op-alpha', 'copie.xml');
  copyFileSync(PAPETERIE, twin);
  const day = dayOf(statSync(twin).mtime, config.timezone);
  mkdirSync(path.join(out, 'archive', day), { recursive: true });
  copyFileSync(PAPETERIE, path.join(out, 'archive', day, 'copie.xml'));

  const second = await runOnce(inbox, config);
  expect(second.results.map((r) => r.outcome)).toEqual(['already-processed', 'already-processed']);
  const lines = (await readJournalDay(path.join(out, 'journal'), dayOf(new Date(), config.timezone))).lines.filter((l) => l.event === 'already-processed');
  const byFile = new Map(lines.map((l) => [l.file, l]));
  expect(byFile.get('op-alpha/facture.xml')?.outputs).toBeUndefined(); // its copy is its outcome's
  expect(byFile.get('op-alpha/copie.xml')?.outputs).toEqual([{ kind: 'archive', path: `archive/${day}/copie.xml`, sha256: first.results[0].sha256, bytes: readFileSync(PAPETERIE).length }]);
  expect(listFiles(out, ['state', 'logs', 'journal', 'reports'])).toContain(`archive/${day}/copie.xml`);

  const next = new Date(Date.parse(`${day}T12:00:00Z`) + 36 * 3600 * 1000);
  const r = await reconcileDay({ config, date: day, clock: fixedClock(next.toISOString()), write: false });
  expect(r.error).toBeUndefined();
  expect(r.report!.anomalies.filter((a) => a.type === 'orphan-output')).toEqual([]);
});
