/**
 * A multi-invoice pivot writes a file per invoice and more (its lifecycle record, CDAR messages
 * for partners who take them), all made durable together before the journal lists them. They
 * were held open until then: a pivot of 400 invoices from a partner taking CDAR hit the usual
 * limit of 1,024 descriptors (EMFILE), and the file could never be processed — every run
 * failed on it again. A batch now syncs and closes what it holds past a few dozen, fewer
 * when many files are in flight under a low limit.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readJournalDay } from '../../src/journal/journal';
import { MAX_OPEN, maxOpenPerFile } from '../../src/emit/write-batch';
import { parseOpenFilesLimit } from '../../src/util/open-files-limit';
import { dayOf } from '../../src/util/clock';
import { cli, ROOT } from '../helpers/cli';
import { bigPivot } from '../helpers/generate-flows';
import { tempDir } from '../helpers/run';


/**
 * `chorus-flux run` over `pivots` (name → content, from op-beta, which takes CDAR and asks for
 * acceptances) under a limit of `maxOpenFiles` descriptors; its outcome lines and output root.
 */
async function runUnderLimit(pivots: Record<string, string>, maxOpenFiles: number, threads: number) {
  const root = tempDir('cf-fds-');
  const inbox = path.join(root, 'inbox', 'op-beta');
  mkdirSync(inbox, { recursive: true });
  for (const [name, xml] of Object.entries(pivots)) writeFileSync(path.join(inbox, name), xml);
  const out = path.join(root, 'out');
  const r = await cli(['run', path.join(root, 'inbox'), '--config', path.join(ROOT, 'config/example.json'), '--out', out, '--quiet', '--threads', String(threads)], { maxOpenFiles, timeoutMs: 180_000 });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const { lines } = await readJournalDay(path.join(out, 'journal'), dayOf(new Date(), 'Europe/Paris'));
  return { out, outcomes: lines.filter((l): l is Extract<typeof l, { event: 'outcome' }> => l.event === 'outcome') };
}

it('a pivot of 300 invoices is processed under a limit of 256 open descriptors', async () => {
  // about 1,000 files for this one inbound file
  const { out, outcomes } = await runUnderLimit({ 'gros.xml': bigPivot(300) }, 256, 1);
  expect(outcomes.map((o) => o.outcome)).toEqual(['accepted']);
  expect(outcomes[0].invoices.filter((i) => i.outcome === 'accepted')).toHaveLength(300);
  expect(readdirSync(path.join(out, 'cdar', 'op-beta'))).toHaveLength(600); // 200 Déposée and 203 Mise à disposition for each
  expect(outcomes[0].outputs.length).toBeGreaterThan(300 + MAX_OPEN * 4);
}, 200_000);

it('several big pivots in flight on two threads share a limit of 160 descriptors', async () => {
  // 16 files in flight: 32 descriptors each would be more than the limit; they get 5
  const pivots = Object.fromEntries(Array.from({ length: 6 }, (_, k) => [`gros-${k}.xml`, bigPivot(150).replace(/LP-GROS-/g, `LP-G${k}-`)]));
  const { out, outcomes } = await runUnderLimit(pivots, 160, 2);
  expect(outcomes.map((o) => o.outcome)).toEqual(Array(6).fill('accepted'));
  expect(readdirSync(path.join(out, 'cdar', 'op-beta'))).toHaveLength(6 * 150 * 2);
}, 200_000);

it('a batch holds at most half the limit shared by the files in flight, 4 to 32 descriptors', () => {
  expect(parseOpenFilesLimit('Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n')).toBe(1024);
  expect(parseOpenFilesLimit('Max open files            unlimited            unlimited            files\n')).toBeUndefined();
  expect(parseOpenFilesLimit('')).toBeUndefined();
  expect(maxOpenPerFile(16, 1024)).toBe(MAX_OPEN); // 2 threads × 8: the default
  expect(maxOpenPerFile(64, 1024)).toBe(8); // 8 threads × 8
  expect(maxOpenPerFile(16, 160)).toBe(5);
  expect(maxOpenPerFile(512, 1024)).toBe(4);
  expect(maxOpenPerFile(8, undefined)).toBe(MAX_OPEN);
});
