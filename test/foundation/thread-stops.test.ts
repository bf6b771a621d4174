/**
 * A worker thread of `run` that stops mid-file (a bug, an out-of-memory in one thread) no
 * longer ends the whole run. Before, the run rejected at once: every file after the one that
 * stopped the thread was left unprocessed, at the same place in every run. Now the files the
 * thread had in flight are tried again, each alone in a new thread: the one that stops its
 * thread again is a system failure (left in the inbox, exit 2); the others get their outcome,
 * through the locks the dead thread held (broken at once: its process lives on).
 * The stop is injected: CHORUS_FLUX_FAULT=thread:after-pivots:<name> ends the thread that has
 * written the pivots of that file.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { fixturesCopy, FIXTURES_INBOX, listFiles } from '../helpers/run';

// flow ids derive from the content and its receipt time (runner/flow-id.ts): the two copies of the inbox were received apart
const outputs = (out: string) =>
  listFiles(out, ['journal', 'logs', 'state', 'reports'])
    .filter((f) => !/^(archive|error)\//.test(f) || !f.includes('poison'))
    .map((f) => f.replace(/CFX[0-9A-F]{21}/g, 'CFX<flow id>'));

it('a thread that stops mid-file: its other files are processed, that one is left for the next run', async () => {
  const faulty = fixturesCopy();
  const clean = fixturesCopy();
  const invoice = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8').replace('<cbc:ID>F-2026-0101</cbc:ID>', '<cbc:ID>F-2026-0901</cbc:ID>');
  for (const c of [faulty, clean]) writeFileSync(path.join(c.inbox, 'op-alpha', 'poison-facture.xml'), invoice);
  // the reference: the same inbox without the fault, the poison file left out
  unlinkSync(path.join(clean.inbox, 'op-alpha', 'poison-facture.xml'));
  const ref = await cli(['run', clean.inbox, '--out', clean.out, '--no-progress', '--threads', '2', '--concurrency', '4']);
  expect(ref.code).toBe(0);

  const r = await cli(['run', faulty.inbox, '--out', faulty.out, '--no-progress', '--threads', '2', '--concurrency', '4'], { env: { CHORUS_FLUX_FAULT: 'thread:after-pivots:poison' }, timeoutMs: 60000 });
  expect(r.signal).toBeNull();
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('op-alpha/poison-facture.xml');
  expect(r.stderr).toMatch(/the worker thread processing op-alpha\/poison-facture.xml stopped \(exit code 70\)/);
  expect(r.stdout).toMatch(/system failures: 1/);
  // every other file got the outcome and outputs it gets without the fault (IdCPRO and flow ids aside)
  expect(outputs(faulty.out)).toEqual(expect.arrayContaining(outputs(clean.out)));
  const journal = listFiles(path.join(faulty.out, 'journal')).flatMap((f) => readFileSync(path.join(faulty.out, 'journal', f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)));
  const outcomeLines = journal.filter((l) => l.event === 'outcome');
  const outcomes = outcomeLines.map((l) => l.file);
  expect(outcomes).not.toContain('op-alpha/poison-facture.xml');
  expect(new Set(outcomes).size).toBe(13);
  // one outcome each, retried or not. A file of the dead thread whose outcome line was written
  // but not yet marked as journaled gets that same line once more from its processed mark (the
  // journal is at-least-once, readers count identical lines once: process-file.ts seenBefore),
  // so a repeated line must be the very same outcome
  for (const file of new Set(outcomes)) {
    const same = outcomeLines.filter((l) => l.file === file).map((l) => JSON.stringify([l.sha256, l.outcome, l.outputs]));
    expect([file, new Set(same).size]).toEqual([file, 1]);
  }
  // files in flight beside it were tried again (received twice), through the locks the dead thread held
  const received = journal.filter((l) => l.event === 'received' && l.file !== 'op-alpha/poison-facture.xml').map((l) => l.file);
  expect(received.length).toBeGreaterThan(new Set(received).size);
  expect(journal.filter((l) => l.event === 'system-error').map((l) => l.file)).toEqual(['op-alpha/poison-facture.xml']);

  // the next run, without the fault, finishes it and nothing else
  const again = await cli(['run', faulty.inbox, '--out', faulty.out, '--no-progress', '--threads', '2']);
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/TOTAL\s*│ 14\s*│ 0\s*│ 1\s*│ 1\s*│ 0\s*│ 0\s*│ 0\s*│ 0\s*│ 13\s*│/); // … duplicate, status applied, already processed
}, 120000);
