/**
 * `chorus-flux reprocess`: a file refused whole because of our side (its buyer's SIRET missing
 * from the routing table) processed again once the configuration is fixed. Before it, the same
 * bytes dropped again only ended `already-processed`; after it, they are a new attempt: new flow
 * names and IdFlx, the first refusal's 93 untouched, the reconciliation clean, trace telling the
 * chain. Run through the CLI, as an operator does.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { sha256 } from '../../src/util/hash';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { SCHEMAS } from '../helpers/corpus';
import { listFiles, tempDir } from '../helpers/run';
import { PAPETERIE } from '../helpers/ubl-attachments';
import { validateFiles } from '../helpers/xsd';

import { inboxFiles, journalLines, refusedThenFixed, VALMONT, writeConfig, type Refused } from '../helpers/reprocess';

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
    // the kept original's path as trace prints it, relative to the output root
    const rel = await cli(['reprocess', '--config', s.configFile, '--reason', 'again', s.original]);
    expect([rel.code, rel.stdout]).toEqual([0, expect.stringMatching(/already reopened at .* waiting in /)]);
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
  it('prune takes the reopening and its history once they are older than the retention', async () => {
    const bucket = path.join(s.out, 'state', 'files', s.sha.slice(0, 2));
    const young = await cli(['prune', '--config', s.configFile]);
    expect(young.code).toBe(0);
    expect(readdirSync(bucket).filter((f) => /\.(reopen|retired-)/.test(f))).toHaveLength(3);
    const then = new Date(Date.now() - 500 * 86_400_000);
    for (const f of readdirSync(bucket)) utimesSync(path.join(bucket, f), then, then);
    const old = await cli(['prune', '--config', s.configFile]);
    expect(old.code).toBe(0);
    expect(old.stdout).toMatch(/3 reopening record\(s\) \(chorus-flux reprocess\) as old/);
    expect(readdirSync(bucket)).toEqual([]);
  });

  it('the refused file still in the inbox (run without --remove) is the copy: given a new receipt time, its flows new names', async () => {
    const root = tempDir('cf-reprocess-in-place-');
    const configFile = path.join(root, 'config.json');
    const out = path.join(root, 'out');
    const inbox = path.join(root, 'in');
    writeConfig(configFile, out, false);
    mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
    copyFileSync(PAPETERIE, path.join(inbox, 'op-alpha', 'facture.xml'));
    expect((await cli(['run', inbox, '--config', configFile, '--threads', '1', '-q'])).code).toBe(0);
    const first = listFiles(out).filter((f) => f.startsWith('statut/'));
    const firstBytes = first.map((f) => readFileSync(path.join(out, f)));
    writeConfig(configFile, out, true);
    // no --inbox: the one inbox run took files from on the refusal's day (its journal's start line)
    const r = await cli(['reprocess', '--config', configFile, '--reason', 'SIRET added', 'facture.xml']);
    expect([r.code, r.stdout]).toEqual([0, expect.stringMatching(/still in the inbox as .*op-alpha\/facture\.xml, given a new receipt time/)]);
    expect(inboxFiles(inbox)).toEqual(['facture.xml']);
    expect((await cli(['run', inbox, '--config', configFile, '--threads', '1', '-q'])).code).toBe(0);
    expect(journalLines(out).filter((l) => l.event === 'outcome').map((l) => l.outcome)).toEqual(['refused', 'accepted']);
    expect(first.map((f) => readFileSync(path.join(out, f)))).toEqual(firstBytes);
    // run once more: the accepted file's mark holds it
    expect((await cli(['run', inbox, '--config', configFile, '--threads', '1', '-q'])).code).toBe(0);
    expect(journalLines(out).filter((l) => l.event === 'already-processed')).toHaveLength(1);
  });
  it('its kept original under a hash-tagged name (another facture.xml refused that day): the copy goes back under the partner\'s own name, the one left in the inbox is it', async () => {
    const root = tempDir('cf-reprocess-tagged-');
    const configFile = path.join(root, 'config.json');
    const out = path.join(root, 'out');
    const inbox = path.join(root, 'in');
    writeConfig(configFile, out, false);
    mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
    // another content of that name refused first: it holds error/<day>/facture.xml
    writeFileSync(path.join(inbox, 'op-alpha', 'facture.xml'), 'not xml at all');
    expect((await cli(['run', inbox, '--config', configFile, '--threads', '1', '--remove', '-q'])).code).toBe(0);
    copyFileSync(PAPETERIE, path.join(inbox, 'op-alpha', 'facture.xml'));
    expect((await cli(['run', inbox, '--config', configFile, '--threads', '1', '-q'])).code).toBe(0);
    const kept = listFiles(out).filter((f) => /^error\/[^/]+\/facture\.[0-9a-f]{12}\.xml$/.test(f));
    expect(kept).toHaveLength(1);
    const first = listFiles(out).filter((f) => f.startsWith('statut/'));
    const firstBytes = first.map((f) => readFileSync(path.join(out, f)));
    writeConfig(configFile, out, true);
    const r = await cli(['reprocess', '--config', configFile, '--reason', 'SIRET added', path.join(out, kept[0])]);
    expect([r.code, r.stdout]).toEqual([0, expect.stringMatching(/still in the inbox as .*op-alpha\/facture\.xml, given a new receipt time/)]);
    expect(inboxFiles(inbox)).toEqual(['facture.xml']);
    expect((await cli(['run', inbox, '--config', configFile, '--threads', '1', '--remove', '-q'])).code).toBe(0);
    const sha = sha256(readFileSync(PAPETERIE));
    expect(journalLines(out).filter((l) => l.event === 'outcome' && l.sha256 === sha).map((l) => l.outcome)).toEqual(['refused', 'accepted']);
    expect(first.map((f) => readFileSync(path.join(out, f)))).toEqual(firstBytes);
    expect(inboxFiles(inbox)).toEqual([]);
  });

  it('one content reopened, the next one with nowhere to go (exit 2): the first one\'s line is printed all the same', async () => {
    const root = tempDir('cf-reprocess-half-');
    const configFile = path.join(root, 'config.json');
    const out = path.join(root, 'out');
    const alphaInbox = path.join(root, 'sftp', 'op-alpha');
    mkdirSync(alphaInbox, { recursive: true });
    // op-alpha has its inbox in the configuration, op-beta none
    const configure = (withValmont: boolean) => {
      writeConfig(configFile, out, withValmont);
      const c = JSON.parse(readFileSync(configFile, 'utf8'));
      c.partners = c.partners.map((p: { id: string }) => (p.id === 'op-alpha' ? { ...p, inbox: alphaInbox } : p));
      writeFileSync(configFile, JSON.stringify(c));
    };
    configure(false);
    const tree1 = path.join(root, 'in1');
    mkdirSync(path.join(tree1, 'op-alpha'), { recursive: true });
    mkdirSync(path.join(tree1, 'op-beta'), { recursive: true });
    const alpha = readFileSync(PAPETERIE);
    const beta = Buffer.from(alpha.toString('utf8').replace('<cbc:ID>F-2026-0101</cbc:ID>', '<cbc:ID>F-2026-0102</cbc:ID>'));
    writeFileSync(path.join(tree1, 'op-alpha', 'a.xml'), alpha);
    writeFileSync(path.join(tree1, 'op-beta', 'b.xml'), beta);
    expect((await cli(['run', tree1, '--config', configFile, '--threads', '1', '--remove', '-q'])).code).toBe(0);
    // another run from another tree the same day: op-beta's file has no one inbox to go back to
    const tree2 = path.join(root, 'in2');
    mkdirSync(path.join(tree2, 'op-gamma'), { recursive: true });
    writeFileSync(path.join(tree2, 'op-gamma', 'x.xml'), 'not xml');
    expect((await cli(['run', tree2, '--config', configFile, '--threads', '1', '--remove', '-q'])).code).toBe(0);
    configure(true);
    const r = await cli(['reprocess', '--config', configFile, '--reason', 'SIRET added', sha256(alpha), sha256(beta)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/runs took files from 2 inboxes/);
    expect(r.stdout).toMatch(new RegExp(`^reopened: ${sha256(alpha)}: refused on .*copied back to ${alphaInbox.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/a\\.xml`));
    expect(readdirSync(alphaInbox)).toEqual(['a.xml']);
  });

  it('refused again after a reprocessing (the configuration still wrong): a new 93 under a new name, and reprocess allowed again', async () => {
    const r0 = await refusedThenFixed('cf-reprocess-twice-');
    writeConfig(r0.configFile, r0.out, false); // the fix not made after all
    const args = ['reprocess', '--config', r0.configFile, '--inbox', r0.inbox, '--reason', 'SIRET added (not really)', r0.sha];
    expect((await cli(args)).code).toBe(0);
    expect((await cli(['run', r0.inbox, '--config', r0.configFile, '--threads', '1', '--remove', '-q'])).code).toBe(0);
    const statut = listFiles(r0.out).filter((f) => f.startsWith('statut/op-alpha/'));
    expect(statut).toHaveLength(2);
    expect(statut).toContain(r0.firstStatut[0]);
    expect(journalLines(r0.out).filter((l) => l.event === 'outcome').map((l) => l.outcome)).toEqual(['refused', 'refused']);
    writeConfig(r0.configFile, r0.out, true);
    const again = await cli([...args.slice(0, -3), '--reason', 'SIRET added, this time', r0.sha]);
    expect([again.code, again.stdout]).toEqual([0, expect.stringMatching(/^reopened: /)]);
    expect(journalLines(r0.out).filter((l) => l.event === 'reopened').map((l) => l.reason)).toEqual(['SIRET added (not really)', 'SIRET added, this time']);
    expect((await cli(['run', r0.inbox, '--config', r0.configFile, '--threads', '1', '--remove', '-q'])).code).toBe(0);
    expect(journalLines(r0.out).filter((l) => l.event === 'outcome').map((l) => l.outcome)).toEqual(['refused', 'refused', 'accepted']);
  });
  it('a refusal journaled days after its upload: the reconciliation of the upload day stays clean once the mark is retired', async () => {
    // uploaded 3 days ago, refused 1 day ago (a job failed, retried late): its error/ copy is in
    // the upload day's folder, its outcome in a later journal, which only its mark told
    const r0 = await refusedThenFixed('cf-reprocess-late-', 1, 3);
    const uploadDay = path.basename(path.dirname(r0.original));
    // the installation ran that day (nothing else processed): its journal's folder is there
    mkdirSync(path.join(r0.out, 'journal', uploadDay));
    const clean = async (day: string) => {
      await cli(['reconcile', '--config', r0.configFile, '--date', day, '-q']);
      return (JSON.parse(readFileSync(path.join(r0.out, 'reports', `reconcile-${day}.json`), 'utf8')) as { anomalies: unknown[] }).anomalies;
    };
    expect(await clean(uploadDay)).toEqual([]);
    expect((await cli(['reprocess', '--config', r0.configFile, '--inbox', r0.inbox, '--reason', 'SIRET added', r0.original])).code).toBe(0);
    expect((await cli(['run', r0.inbox, '--config', r0.configFile, '--threads', '1', '--remove', '-q'])).code).toBe(0);
    const days = readdirSync(path.join(r0.out, 'journal')).sort();
    expect(days).toHaveLength(3);
    for (const day of days) expect([day, await clean(day)]).toEqual([day, []]);
  });
});
