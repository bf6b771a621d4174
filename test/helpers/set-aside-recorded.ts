/**
 * A papeterie invoice in `<root>/inbox/op-alpha/facture.xml` whose content carries the refusal
 * `set-aside` records with its attempt (AttemptRecord.refusal, before any of its flows is named),
 * as when the command was killed after it: the next `run` finishes that refusal
 * (test/foundation/set-aside-then-run.test.ts).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config/config';
import { receivedMs } from '../../src/ingest/receipt-time';
import { ProcessedFiles } from '../../src/state/processed-files';
import { dayOf } from '../../src/util/clock';
import { tempDir } from './run';
import { PAPETERIE } from './ubl-attachments';

export interface SetAsideRecorded {
  root: string;
  inbox: string;
  out: string;
  file: string;
  sha: string;
  config: Config;
  /** the file's receipt time (ISO) and its day */
  receivedAt: string;
  day: string;
  /** the refusal's message, as set-aside words it */
  message: string;
}

export async function setAsideRecorded(prefix: string, words: string): Promise<SetAsideRecorded> {
  const root = tempDir(prefix);
  const inbox = path.join(root, 'inbox');
  const out = path.join(root, 'out');
  mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
  const file = path.join(inbox, 'op-alpha', 'facture.xml');
  copyFileSync(PAPETERIE, file);
  const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
  const config = loadConfig(undefined, { out });
  const receivedAt = new Date(receivedMs(statSync(file), config.receiptTime)).toISOString();
  const day = dayOf(new Date(receivedAt), config.timezone);
  const message = `The file was set aside by the operator without being processed: ${words}`;
  await new ProcessedFiles(config.paths.state).putAttempt({ sha256: sha, name: 'facture.xml', relPath: 'op-alpha/facture.xml', partner: 'op-alpha', receivedAt, day, at: new Date().toISOString(), flowSalt: receivedAt, refusal: { rule: 'FLUX-ECARTE', severity: 'fatal', message } });
  return { root, inbox, out, file, sha, config, receivedAt, day, message };
}
