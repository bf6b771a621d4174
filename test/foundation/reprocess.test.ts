/**
 * `chorus-flux reprocess`: a file refused whole because of our side (its buyer's SIRET missing
 * from the routing table) processed again once the configuration is fixed. Before it, the same
 * bytes dropped again only ended `already-processed`; after it, they are a new attempt: new flow
 * names and IdFlx, the first refusal's 93 untouched, the reconciliation clean, trace telling the
 * chain. Run through the CLI, as an operator does.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { SCHEMAS } from '../helpers/corpus';
import { listFiles, runOnce, tempDir } from '../helpers/run';
import { loadConfig } from '../../src/config/config';
import { fixedClock } from '../../src/util/clock';
import { PAPETERIE } from '../helpers/ubl-attachments';
import { validateFiles } from '../helpers/xsd';
import { sha256 } from '../../src/util/hash';

const EXAMPLE = JSON.parse(readFileSync(path.resolve(__dirname, '../../config/example.json'), 'utf8')) as { partners: { id: string; inbox?: string }[]; recipients: { siret: string }[] };
const VALMONT = '21787789300016';
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
export async function refusedThenFixed(prefix: string, daysAgo = 0): Promise<Refused> {
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
    utimesSync(path.join(inbox, 'op-alpha', 'facture.xml'), then, then);
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

describe('chorus-flux reprocess', () => {
  let s: Refused;
  let statutBytes: Buffer;

  beforeAll(async () => {
    // refused two days ago: the reconciliation of that day and of today each see one receipt
    s = await refusedThenFixed('cf-reprocess-', 2);
    statutBytes = readFileSync(path.join(s.out, s.firstStatut[0]));
  });

  it('before it, the same bytes dropped again are only already-processed', async () => {
    // the trap it fixes: the configuration fixed, the partner's copy changes nothing
    const again = tempDir('cf-reprocess-again-');
    mkdirSync(path.join(again, 'op-alpha'));
    copyFileSync(PAPETERIE, path.join(again, 'op-alpha', 'facture.xml'));
    const r = await cli(['run', again, '--config', s.configFile, '--threads', '1', '-q']);
    expect(r.code).toBe(0);
    expect(journalLines(s.out).filter((l) => l.event === 'already-processed')).toHaveLength(1);
  });

  it('refuses what is not a whole refusal, and what it does not know: exit 1, nothing written', async () => {
    const unknown = await cli(['reprocess', '--config', s.configFile, '--reason', 'x', 'ab'.repeat(32)]);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(/no outcome known for this content/);
    const noReason = await cli(['reprocess', '--config', s.configFile, s.sha]);
    expect(noReason.code).toBe(2);
    expect(inboxFiles(s.inbox)).toEqual([]);
  });

  it('reopens the refusal: one reopened line, the mark retired, the original copied back under its name', async () => {
    const r = await cli(['reprocess', '--config', s.configFile, '--inbox', s.inbox, '--reason', `SIRET ${VALMONT} added to recipients`, path.join(s.out, s.original)]);
    expect(r.stdout).toMatch(/^reopened: .*copied back to .*op-alpha\/facture\.xml/);
    expect(r.code).toBe(0);
    expect(inboxFiles(s.inbox)).toEqual(['facture.xml']);
    expect(readFileSync(path.join(s.inbox, 'op-alpha', 'facture.xml'))).toEqual(readFileSync(PAPETERIE));
    const reopened = journalLines(s.out).filter((l) => l.event === 'reopened');
    expect(reopened).toHaveLength(1);
    expect(reopened[0]).toMatchObject({ sha256: s.sha, partner: 'op-alpha', name: 'facture.xml', file: 'op-alpha/facture.xml', reason: `SIRET ${VALMONT} added to recipients` });
    expect(typeof reopened[0].by).toBe('string');
    const state = readdirSync(path.join(s.out, 'state', 'files', s.sha.slice(0, 2))).map((f) => f.replace(s.sha, '<sha>')).sort();
    expect(state).toEqual(['<sha>.reopen', expect.stringMatching(/^<sha>\.retired-[0-9a-f]{16}\.attempt$/), expect.stringMatching(/^<sha>\.retired-[0-9a-f]{16}\.mark$/)].sort());
    // the first refusal's record stays
    expect(existsSync(path.join(s.out, s.original))).toBe(true);
    expect(existsSync(path.join(s.out, `${s.original}.reason.json`))).toBe(true);
  });

  it('run again: says it waits, writes nothing more (by its name, as trace finds it)', async () => {
    const r = await cli(['reprocess', '--config', s.configFile, '--reason', 'again', 'facture.xml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/already reopened at .* waiting in .*op-alpha\/facture\.xml/);
    expect(journalLines(s.out).filter((l) => l.event === 'reopened')).toHaveLength(1);
    expect(inboxFiles(s.inbox)).toEqual(['facture.xml']);
  });

  it('the next run accepts it as a new attempt: a schema-valid pivot, new flows, the first 93 untouched', async () => {
    const before = new Set(listFiles(s.out));
    const r = await cli(['run', s.inbox, '--config', s.configFile, '--threads', '1', '--remove', '-q']);
    expect(r.code).toBe(0);
    const outcomes = journalLines(s.out).filter((l) => l.event === 'outcome' && l.sha256 === s.sha);
    expect(outcomes.map((l) => l.outcome)).toEqual(['refused', 'accepted']);
    const added = listFiles(s.out).filter((f) => !before.has(f) && !f.startsWith('journal/') && !f.startsWith('logs/') && !f.startsWith('state/'));
    const pivots = added.filter((f) => f.startsWith('pivot/'));
    expect(pivots).toHaveLength(1);
    for (const v of validateFiles(SCHEMAS.pivot, pivots.map((f) => path.join(s.out, f)))) expect(v).toEqual({ file: v.file, valid: true, errors: [] });
    expect(added.some((f) => f.startsWith('archive/'))).toBe(true);
    // the first refusal's 93 byte for byte, and no flow of the new attempt under its name
    expect(readFileSync(path.join(s.out, s.firstStatut[0]))).toEqual(statutBytes);
    expect(added).not.toContain(s.firstStatut[0]);
    expect(inboxFiles(s.inbox)).toEqual([]);
  });

  it('reconcile is clean for the day, and trace tells the chain', async () => {
    const refusedDay = path.basename(path.dirname(s.original));
    const today = readdirSync(path.join(s.out, 'journal')).sort().pop() as string;
    expect(today > refusedDay).toBe(true);
    for (const day of [refusedDay, today]) {
      const rec = await cli(['reconcile', '--config', s.configFile, '--date', day, '-q']);
      const report = JSON.parse(readFileSync(path.join(s.out, 'reports', `reconcile-${day}.json`), 'utf8')) as { anomalies: unknown[] };
      expect([day, report.anomalies]).toEqual([day, []]);
      expect(rec.code).toBe(0);
    }
    const t = await cli(['trace', '--config', s.configFile, '--since', refusedDay, s.sha]);
    expect(t.code).toBe(0);
    const events = t.stdout.split('\n').filter((l) => /^  \d{4}-\d{2}-\d{2}T/.test(l)).map((l) => l.replace(/^\s+\S+\s+/, '').replace(/\s+\[.*$/, ''));
    expect(events.map((e) => e.replace(/[,:(].*$/, '').trim())).toEqual(['received from op-alpha', 'outcome', 'already processed', 'reopened by ' + events.find((e) => e.startsWith('reopened by'))?.split(' ')[2], 'received from op-alpha', 'outcome']);
    expect(t.stdout).toMatch(/outcome: refused/);
    expect(t.stdout).toMatch(/reopened by \S+ \(chorus-flux reprocess\), the refusal of \d{4}-\d{2}-\d{2} kept in error\/.*: SIRET 21787789300016 added to recipients/);
    expect(t.stdout).toMatch(/outcome: accepted/);
  });

  it('after an accepted reprocessing, reprocess again is refused: exit 1', async () => {
    const r = await cli(['reprocess', '--config', s.configFile, '--reason', 'again', s.sha.toUpperCase()]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/processed again since: op-alpha\/facture\.xml from op-alpha was accepted/);
    expect(journalLines(s.out).filter((l) => l.event === 'reopened')).toHaveLength(1);
  });

  it('an accepted content from the start is refused: exit 1', async () => {
    const root = tempDir('cf-reprocess-accepted-');
    const configFile = path.join(root, 'config.json');
    const out = path.join(root, 'out');
    writeConfig(configFile, out, true);
    mkdirSync(path.join(root, 'in', 'op-alpha'), { recursive: true });
    copyFileSync(PAPETERIE, path.join(root, 'in', 'op-alpha', 'f.xml'));
    expect((await cli(['run', path.join(root, 'in'), '--config', configFile, '--threads', '1', '-q'])).code).toBe(0);
    const r = await cli(['reprocess', '--config', configFile, '--reason', 'x', 'f.xml']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/was accepted at .*only a file refused whole can be reprocessed/);
    expect(journalLines(out).filter((l) => l.event === 'reopened')).toEqual([]);
  });
});
