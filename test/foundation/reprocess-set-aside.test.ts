/**
 * A file an operator set aside (FLUX-ECARTE: it ended its worker at every try) is a refusal of
 * the whole file like any other, so `reprocess` could put it back into the inbox, where it may
 * end the workers again. It now says so and does nothing (exit 1), unless asked with
 * --even-if-set-aside; then the file is a new attempt as any reopened one.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ProcessedFiles } from '../../src/state/processed-files';
import { cli } from '../helpers/cli';
import { setAsideRecorded } from '../helpers/set-aside-recorded';

it('a file set aside is reprocessed only with --even-if-set-aside', async () => {
  const { inbox, out, sha, config, day } = await setAsideRecorded('cf-reprocess-set-aside-', 'Le fichier arrête le traitement à chaque essai.');
  const run = () => cli(['run', inbox, '--out', out, '--threads', '1', '--no-progress', '-q', '--remove'], { timeoutMs: 60_000 });
  expect((await run()).code).toBe(0);
  expect(readdirSync(path.join(inbox, 'op-alpha'))).toEqual([]);

  const reprocess = (...more: string[]) => cli(['reprocess', '--out', out, '--inbox', inbox, '--reason', 'the parser fixed', `error/${day}/facture.xml`, ...more], { timeoutMs: 60_000 });
  const refused = await reprocess();
  expect(refused.code).toBe(1);
  expect(refused.stdout).toContain("by an operator's set-aside (FLUX-ECARTE: it ended its worker at every try): processed again it may end the workers again; once its cause is fixed, add --even-if-set-aside");
  expect(readdirSync(path.join(inbox, 'op-alpha'))).toEqual([]);
  expect(readdirSync(path.join(config.paths.state, 'files', sha.slice(0, 2))).filter((n) => n.includes('retired') || n.endsWith('.reopen'))).toEqual([]);

  const asked = await reprocess('--even-if-set-aside');
  expect(asked.code).toBe(0);
  expect(asked.stdout).toContain('copied back to');
  expect(readdirSync(path.join(inbox, 'op-alpha'))).toEqual(['facture.xml']);
  expect((await run()).code).toBe(0);
  const marks = new ProcessedFiles(config.paths.state);
  expect((await marks.get(sha))?.outcome).toBe('accepted');
}, 120_000);
