/**
 * A partner's outputs (pivot/, statut/, cdar/) take their names when the file's writes are
 * committed, just before its outcome is journaled. They were renamed as they were written: a
 * big flow's first pivot chunk stood in its outbox for seconds before the outcome, and a
 * transfer taking it, then a crash, made the next run send it again with nothing to show it
 * (found by a hostile audit of the reconciliation). Killed after its status flows were written
 * (before the commit), a run now leaves nothing a partner could take; the next run emits each
 * output once, and the day reconciles clean.
 */
import path from 'node:path';
import { cli } from '../helpers/cli';
import { readJournalDay } from '../../src/journal/journal';
import { dayOf } from '../../src/util/clock';
import { bundledConfig, fixturesCopy, listFiles } from '../helpers/run';

it.each([1, 2])('a run killed before its commit leaves no output a partner could take (%i thread(s))', async (threads) => {
  const { inbox, out } = fixturesCopy();
  const run = (env: Record<string, string> = {}) => cli(['run', inbox, '--out', out, '--threads', String(threads), '--no-progress', '-q'], { env, timeoutMs: 60_000 });
  const killed = await run({ CHORUS_FLUX_FAULT: 'after-status' });
  expect(killed.signal).toBe('SIGKILL');
  const visible = (kind: string) => listFiles(out).filter((f) => f.startsWith(`${kind}/`) && !path.basename(f).startsWith('.'));
  // the killed file had written its pivot or its status flows: none bears a name; what does
  // is another file's, finished before the kill, its outcome journaled
  const { lines } = (await readJournalDay(path.join(out, 'journal'), dayOf(new Date(), bundledConfig(out).timezone))) as unknown as { lines: { event: string; outputs?: { path: string }[] }[] };
  const journaled = new Set(lines.filter((l) => l.event === 'outcome').flatMap((l) => (l.outputs ?? []).map((o) => o.path)));
  for (const kind of ['pivot', 'statut', 'cdar']) expect({ kind, unjournaled: visible(kind).filter((f) => !journaled.has(f)) }).toEqual({ kind, unjournaled: [] });
  expect(listFiles(out).some((f) => /^(pivot|statut|cdar)\/.*\.tmp$/.test(f))).toBe(true);

  expect((await run()).code).toBe(0);
  // the killed attempt's temp files swept from the outboxes at start (the state tree's, nightly)
  expect(listFiles(out, ['state']).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  expect(visible('pivot').length).toBeGreaterThan(0);
  // the day in the installation's time zone (the UTC date is yesterday's between 23:00 and midnight in Paris)
  const r = await cli(['reconcile', '--out', out, '--date', dayOf(new Date(), bundledConfig(out).timezone)], { timeoutMs: 60_000 });
  expect(r.stdout).toMatch(/CLEAN/);
  expect(r.code).toBe(0);
}, 120_000);
