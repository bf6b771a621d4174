/**
 * State files damaged by a power cut (ext4 can leave a renamed file empty or torn when its
 * data was not on disk yet). A processed mark, which is not fsynced by design, is taken as
 * absent: the file is processed again into the same outputs and the mark rewritten. A
 * lifecycle record is never taken as empty (an invoice's IdCPRO and deposits would be
 * forgotten): the files it concerns wait, the run says which record and what to do, and once
 * it is restored they are finished once; until then the nightly reconciliation names it.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { ProcessedFiles } from '../../src/state/processed-files';
import { dayOf } from '../../src/util/clock';
import { cli } from '../helpers/cli';
import { bundledConfig, FIXTURES_INBOX, fixturesCopy, listFiles, runOnce } from '../helpers/run';

function marks(out: string): string[] {
  const dir = path.join(out, 'state', 'files');
  return readdirSync(dir).flatMap((b) => readdirSync(path.join(dir, b)).filter((f) => f.endsWith('.json')).map((f) => path.join(dir, b, f))).sort();
}

const outputsOf = (out: string) => listFiles(out, ['journal', 'logs', 'state', 'reports']);

it('an empty or torn processed mark is taken as absent: the file is processed again into the same outputs, the mark rewritten', async () => {
  const { inbox, out } = fixturesCopy();
  const config = bundledConfig(out);
  const first = await runOnce(inbox, config);
  expect(first.failures).toEqual([]);
  const before = outputsOf(out);
  const contents = new Map(before.map((f) => [f, readFileSync(path.join(out, f))]));
  const [empty, torn] = marks(out);
  writeFileSync(empty, '');
  writeFileSync(torn, readFileSync(torn, 'utf8').slice(0, 40));

  const damaged: string[] = [];
  const store = new ProcessedFiles(config.paths.state, { onDamaged: (f, reason) => damaged.push(`${path.basename(f)}: ${reason}`) });
  expect(await store.get(path.basename(empty, '.json'))).toBeUndefined();
  expect(await store.get(path.basename(torn, '.json'))).toBeUndefined();
  expect(damaged).toEqual([`${path.basename(empty)}: empty file`, expect.stringMatching(new RegExp(`^${path.basename(torn)}: `))]);

  const again = await runOnce(inbox, config);
  expect(again.failures).toEqual([]);
  const redone = again.results.filter((r) => r.outcome !== 'already-processed');
  expect(redone.map((r) => r.sha256).sort()).toEqual([empty, torn].map((m) => path.basename(m, '.json')).sort());
  // the same outputs, byte for byte, and nothing more
  expect(outputsOf(out)).toEqual(before);
  for (const [f, b] of contents) expect(readFileSync(path.join(out, f)).equals(b)).toBe(true);
  for (const m of [empty, torn]) expect((await store.get(path.basename(m, '.json')))?.outcome).toBeDefined();
});

it('a damaged lifecycle record stops only the files it concerns, with a plain message; restored, they finish once', async () => {
  const { inbox, out } = fixturesCopy();
  const first = await cli(['run', inbox, '--out', out], { timeoutMs: 120_000 });
  expect(first.code).toBe(0);
  const before = outputsOf(out);
  // the marks are gone (as if the files were dropped anew) and one record is empty
  for (const m of marks(out)) rmSync(m);
  const recDir = path.join(out, 'state', 'invoices');
  const bucket = readdirSync(recDir).sort()[0];
  const record = path.join(recDir, bucket, readdirSync(path.join(recDir, bucket)).find((f) => f.endsWith('.json'))!);
  const saved = readFileSync(record);
  writeFileSync(record, '');

  const stopped = await cli(['run', inbox, '--out', out], { timeoutMs: 120_000 });
  expect(stopped.code).toBe(2);
  expect(stopped.stdout).toContain('system failures: 1 '); // the other files were finished
  expect(stopped.stderr).toMatch(/file\(s\) not finished: The lifecycle record .*state\/invoices\/.* cannot be read \(the file is empty\); the invoices it tracks wait until it is repaired\. Restore it from a backup/);
  expect(outputsOf(out)).toEqual(before); // nothing half-done, no second copy of anything
  expect(listFiles(inbox)).toEqual(listFiles(FIXTURES_INBOX)); // every input still there

  // the nightly report names the record, every night until it is repaired
  const config = bundledConfig(out);
  const day = dayOf(new Date(), config.timezone);
  const night = await reconcileDay({ config, date: day, write: false });
  expect(night.exitCode).toBe(1);
  expect(night.report!.anomalies).toEqual([
    {
      type: 'state-damaged',
      output: `state/invoices/${bucket}/${path.basename(record)}`,
      message: expect.stringMatching(/^The lifecycle record state\/invoices\/.* cannot be read \(the file is empty\): the files of the invoices it tracks stop/),
    },
  ]);

  writeFileSync(record, saved);
  expect((await reconcileDay({ config, date: day, write: false })).exitCode).toBe(0);
  const done = await cli(['run', inbox, '--out', out], { timeoutMs: 120_000 });
  expect(done.stderr).toBe('');
  expect(done.code).toBe(0);
  expect(outputsOf(out)).toEqual(before);
});
