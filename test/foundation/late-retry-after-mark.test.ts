/**
 * A file killed right after its processed mark was written, before its outcome line reached the
 * journal (or before the mark knew it had), whose retry came days later (a `run` timer, a
 * machine down over a weekend): the retry journals the line from the mark, on its own day.
 * The day the file ended counts it once and says what happened; the retry's day neither counts
 * it again nor calls it "an outcome without a receipt, a lost journal line".
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../src/config/config';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { fixedClock } from '../../src/util/clock';
import { bundledConfig, runOnce, tempDir } from '../helpers/run';
import { PAPETERIE } from '../helpers/ubl-attachments';

const DAY = '2026-11-20';
const RETRY_DAY = '2026-11-23';

/** A file received on DAY, processed on DAY, then its state left as a kill after its mark leaves it. */
async function killedAfterMark(cutJournal: boolean): Promise<{ config: Config; inbox: string; sha: string }> {
  const root = tempDir('cf-late-retry-');
  const config = bundledConfig(path.join(root, 'out'));
  config.receiptTime = 'mtime';
  const inbox = path.join(root, 'inbox');
  mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
  const file = path.join(inbox, 'op-alpha', 'facture.xml');
  copyFileSync(PAPETERIE, file);
  const t = new Date(`${DAY}T09:00:00Z`);
  utimesSync(file, t, t);
  const first = await runOnce(inbox, config, { clock: fixedClock(`${DAY}T09:05:00Z`) });
  expect(first.results.map((r) => r.outcome)).toEqual(['accepted']);
  const sha = first.results[0].sha256;
  // the kill: the mark holds the outcome line, not yet known journaled
  const mark = path.join(config.paths.state, 'files', sha.slice(0, 2), `${sha}.json`);
  writeFileSync(mark, readFileSync(mark, 'utf8').split('\n')[0] + '\n');
  if (cutJournal) {
    // …and the journal stops before the outcome line (nothing after it either: the process died)
    const dir = path.join(config.paths.out, 'journal', DAY);
    for (const w of readdirSync(dir)) {
      const lines = readFileSync(path.join(dir, w), 'utf8').split('\n').filter(Boolean);
      const k = lines.findIndex((l) => (JSON.parse(l) as { event: string }).event === 'outcome');
      if (k >= 0) writeFileSync(path.join(dir, w), lines.slice(0, k).map((l) => l + '\n').join(''));
    }
  }
  return { config, inbox, sha };
}

const reconcile = (config: Config, date: string, now: string) => reconcileDay({ config, date, clock: fixedClock(now), write: false });

it('killed between the mark and the journal line, retried three days later: counted once, with the day it ended, and told truthfully', async () => {
  const { config, inbox } = await killedAfterMark(true);

  // the night after: the line is still to come, from the mark; there is nothing to restore
  const before = await reconcile(config, DAY, `${DAY}T23:30:00Z`);
  const told = before.report!.anomalies.filter((a) => a.type === 'outcome-not-journaled');
  expect(told).toHaveLength(1);
  expect(told[0].message).toMatch(/interrupted \(killed\) after that mark and before its journal line/);
  expect(told[0].message).not.toMatch(/restore\./);

  const retry = await runOnce(inbox, config, { clock: fixedClock(`${RETRY_DAY}T08:00:00Z`) });
  expect(retry.results.map((r) => r.outcome)).toEqual(['accepted']);

  // the day it ended, reconciled again once the line is in the retry day's journal
  const ended = await reconcile(config, DAY, `${RETRY_DAY}T12:00:00Z`);
  expect(ended.report!.anomalies).toEqual([]);
  expect(ended.report!.totals.files).toMatchObject({ files: 1, accepted: 1, lost: 0 });
  expect(ended.report!.notes.join('\n')).toMatch(new RegExp(`journaled from the mark on ${RETRY_DAY}`));

  // the retry's day: not a file of its own, not an outcome without a receipt
  const late = await reconcile(config, RETRY_DAY, `${RETRY_DAY}T23:30:00Z`);
  expect(late.report!.anomalies).toEqual([]);
  expect(late.report!.totals.files).toMatchObject({ files: 0, accepted: 0 });
  expect(late.report!.notes.join('\n')).toMatch(new RegExp(`A file of ${DAY}, counted with that day`));
});

it('killed after the journal line and before the mark knew it, retried three days later: the second line is not a second file', async () => {
  const { config, inbox } = await killedAfterMark(false);
  const retry = await runOnce(inbox, config, { clock: fixedClock(`${RETRY_DAY}T08:00:00Z`) });
  expect(retry.results.map((r) => r.outcome)).toEqual(['accepted']);
  const ended = await reconcile(config, DAY, `${RETRY_DAY}T12:00:00Z`);
  expect(ended.report!.anomalies).toEqual([]);
  expect(ended.report!.totals.files).toMatchObject({ files: 1, accepted: 1 });
  const late = await reconcile(config, RETRY_DAY, `${RETRY_DAY}T23:30:00Z`);
  expect(late.report!.anomalies.map((a) => a.type)).toEqual([]);
  expect(late.report!.totals.files).toMatchObject({ files: 0, accepted: 0 });
});
