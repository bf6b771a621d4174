/**
 * Byte-identical files dropped together and processed at once (several in flight per thread,
 * several threads): each content is processed once, under its per-content lock, and the
 * other copies end `already-processed` — one outcome, one archive copy, one pivot. Without the
 * lock, each copy was processed and archived under its own name.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { readJournalDay } from '../../src/journal/journal';
import { dayOf } from '../../src/util/clock';
import { cli } from '../helpers/cli';
import { bundledConfig, listFiles, runOnce, tempDir } from '../helpers/run';
import { PAPETERIE } from '../helpers/ubl-attachments';

const COPIES = ['a.xml', 'b.xml', 'c.xml', 'd.xml'];

function inboxWithCopies(root: string): string {
  const inbox = path.join(root, 'inbox');
  mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
  for (const name of COPIES) copyFileSync(PAPETERIE, path.join(inbox, 'op-alpha', name));
  return inbox;
}

async function expectProcessedOnce(out: string, timezone: string): Promise<void> {
  const { lines } = await readJournalDay(path.join(out, 'journal'), dayOf(new Date(), timezone));
  const outcomes = lines.filter((l) => l.event === 'outcome');
  expect(outcomes.map((l) => (l as { outcome: string }).outcome)).toEqual(['accepted']);
  expect(lines.filter((l) => l.event === 'already-processed')).toHaveLength(COPIES.length - 1);
  const files = listFiles(out, ['state', 'logs', 'journal', 'reports']);
  expect(files.filter((f) => f.startsWith('archive/'))).toHaveLength(1);
  expect(files.filter((f) => f.startsWith('pivot/'))).toHaveLength(1);
}

it('processes the content once in the embedded runner (4 files in flight)', async () => {
  const root = tempDir('cf-twins-');
  const config = bundledConfig(path.join(root, 'out'));
  const summary = await runOnce(inboxWithCopies(root), config);
  expect(summary.results.map((r) => r.outcome).sort()).toEqual(['accepted', 'already-processed', 'already-processed', 'already-processed']);
  await expectProcessedOnce(config.paths.out, config.timezone);
});

it('processes the content once with `run` on two threads', async () => {
  const root = tempDir('cf-twins-');
  const out = path.join(root, 'out');
  const r = await cli(['run', inboxWithCopies(root), '--out', out, '--threads', '2', '--no-progress', '-q'], { timeoutMs: 60000 });
  expect(r.code).toBe(0);
  await expectProcessedOnce(out, bundledConfig(out).timezone);
});
