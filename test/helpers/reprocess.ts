/** What the reprocess suites share: a file refused by `run` for an unknown recipient, then the recipient added. */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from './cli';
import { listFiles, runOnce, tempDir } from './run';
import { PAPETERIE } from './ubl-attachments';
import { loadConfig } from '../../src/config/config';
import { fixedClock } from '../../src/util/clock';
import { sha256 } from '../../src/util/hash';

const EXAMPLE = JSON.parse(readFileSync(path.resolve(__dirname, '../../config/example.json'), 'utf8')) as { partners: { id: string; inbox?: string }[]; recipients: { siret: string }[] };
export const VALMONT = '21787789300016';
const DAY = 86_400_000;

/** The bundled example's routing, without its inboxes (a `run` setup), with or without Valmont (the papeterie invoice's buyer). */
export function writeConfig(file: string, out: string, withValmont: boolean, extra: Record<string, unknown> = {}): void {
  const c = { ...JSON.parse(JSON.stringify(EXAMPLE)), paths: { out }, ...extra };
  c.partners = c.partners.map((p: { inbox?: string }) => ({ ...p, inbox: undefined }));
  if (!withValmont) c.recipients = c.recipients.filter((r: { siret: string }) => r.siret !== VALMONT);
  delete c.$comment;
  writeFileSync(file, JSON.stringify(c));
}

export interface Refused {
  root: string;
  inbox: string;
  out: string;
  configFile: string;
  sha: string;
  original: string;
  firstStatut: string[];
}

/** The papeterie UBL refused (unknown recipient) by `run`, then the recipient added to the configuration. */
/** `daysAgo`: refused that many days ago (0: now, by the CLI); `receivedDaysAgo`: uploaded that many days ago (a file processed days after its upload). */
export async function refusedThenFixed(prefix: string, daysAgo = 0, receivedDaysAgo = daysAgo): Promise<Refused> {
  const root = tempDir(prefix);
  const inbox = path.join(root, 'in');
  const out = path.join(root, 'out');
  const configFile = path.join(root, 'config.json');
  mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
  copyFileSync(PAPETERIE, path.join(inbox, 'op-alpha', 'facture.xml'));
  if (daysAgo === 0) {
    writeConfig(configFile, out, false);
    const run = await cli(['run', inbox, '--config', configFile, '--threads', '1', '--remove', '-q']);
    expect(run.code).toBe(0);
  } else {
    // refused days ago: its receipt (mtime) and its journal lines dated then
    writeConfig(configFile, out, false, { receiptTime: 'mtime' });
    const then = new Date(Date.now() - daysAgo * DAY);
    const uploaded = new Date(Date.now() - receivedDaysAgo * DAY);
    utimesSync(path.join(inbox, 'op-alpha', 'facture.xml'), uploaded, uploaded);
    const r = await runOnce(inbox, loadConfig(configFile), { clock: fixedClock(then.toISOString()) });
    expect(r.results.map((x) => x.outcome)).toEqual(['refused']);
    unlinkSync(path.join(inbox, 'op-alpha', 'facture.xml')); // as run --remove does
    // its outputs written then, as they were
    for (const f of listFiles(out)) utimesSync(path.join(out, f), then, then);
  }
  const files = listFiles(out);
  const original = files.find((f) => f.startsWith('error/') && f.endsWith('/facture.xml')) as string;
  expect(original).toBeDefined();
  const firstStatut = files.filter((f) => f.startsWith('statut/op-alpha/'));
  expect(firstStatut).toHaveLength(1);
  expect(readFileSync(path.join(out, firstStatut[0]), 'utf8')).toContain('FLUX-ECARTE'.slice(0, 0));
  writeConfig(configFile, out, true, daysAgo === 0 ? {} : { receiptTime: 'mtime' });
  return { root, inbox, out, configFile, sha: sha256(readFileSync(PAPETERIE)), original, firstStatut };
}

export const journalLines = (out: string) =>
  readdirSync(path.join(out, 'journal')).flatMap((d) =>
    readdirSync(path.join(out, 'journal', d)).flatMap((f) =>
      readFileSync(path.join(out, 'journal', d, f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { event: string; sha256?: string; outcome?: string; by?: string; reason?: string; ts: string }),
    ),
  );

export const inboxFiles = (inbox: string) => readdirSync(path.join(inbox, 'op-alpha')).sort();

