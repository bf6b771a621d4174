/**
 * A file an operator set aside (FLUX-ECARTE: it ended its worker at every try) is a refusal of
 * the whole file like any other, so `reprocess` could put it back into the inbox, where it may
 * end the workers again. It now says so and does nothing (exit 1), unless asked with
 * --even-if-set-aside; then the file is a new attempt as any reopened one.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { receivedMs } from '../../src/ingest/receipt-time';
import { ProcessedFiles } from '../../src/state/processed-files';
import { dayOf } from '../../src/util/clock';
import { cli } from '../helpers/cli';
import { tempDir } from '../helpers/run';
import { PAPETERIE } from '../helpers/ubl-attachments';

it('a file set aside is reprocessed only with --even-if-set-aside', async () => {
  const root = tempDir('cf-reprocess-set-aside-');
  const inbox = path.join(root, 'inbox');
  const out = path.join(root, 'out');
  mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
  const file = path.join(inbox, 'op-alpha', 'facture.xml');
  copyFileSync(PAPETERIE, file);
  const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
  const config = loadConfig(undefined, { out });
  const receivedAt = new Date(receivedMs(statSync(file), config.receiptTime)).toISOString();
  const day = dayOf(new Date(receivedAt), config.timezone);
  // the refusal `set-aside` records with the content's attempt; the run then finishes it (set-aside-then-run.test.ts)
  const message = 'The file was set aside by the operator without being processed: Le fichier arrête le traitement à chaque essai.';
  await new ProcessedFiles(config.paths.state).putAttempt({ sha256: sha, name: 'facture.xml', relPath: 'op-alpha/facture.xml', partner: 'op-alpha', receivedAt, day, at: new Date().toISOString(), flowSalt: receivedAt, refusal: { rule: 'FLUX-ECARTE', severity: 'fatal', message } });
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
