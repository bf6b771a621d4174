/**
 * A content whose outputs were written, and whose processed mark was not (a kill -9 between the
 * commit and the mark, state/ full, a mark lost in a power cut), processed again: its outputs
 * must be written again with the same bytes. Their names derive from the content; their bytes
 * from the file's name (the pivot's NomPJ, a status flow's IdFlux, a CDAR 501) and receipt time
 * (Horodatage, CDAR IssueDateTime, DtPrd, the day of archive/): the same bytes arriving again
 * under another name, or later, rewrote a pivot or a status flow a partner may have taken under
 * the same name and IdFlx with other bytes. The first attempt's identity is recorded beside the
 * mark (state/files/<xx>/<sha256>.attempt) and taken back; the journal still names the file
 * received this time.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../src/config/config';
import type { RunSummary } from '../../src/runner/embedded';
import { pruneProcessedMarks } from '../../src/state/prune-marks';
import { bundledConfig, FIXTURES_INBOX, listFiles, runOnce, tempDir } from '../helpers/run';
import { siStatusFlow } from '../helpers/statut';
import { PAPETERIE } from '../helpers/ubl-attachments';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOT_OUTPUTS = ['state', 'logs', 'journal', 'reports'];
/** `ms` ago, in whole seconds (an mtime keeps them exactly) */
const ago = (ms: number) => new Date(Math.floor((Date.now() - ms) / 1000) * 1000);

/** A config whose receipt time is the file's mtime, so that a test can date files on other days. */
function setup(): { root: string; config: Config; out: string } {
  const root = tempDir('cf-replay-bytes-');
  const config = bundledConfig(path.join(root, 'out'));
  config.receiptTime = 'mtime';
  return { root, config, out: config.paths.out };
}

/** An inbox holding `source`'s bytes as <partner>/<name>, modified at `mtime`. */
function drop(root: string, inbox: string, partner: string, name: string, source: string | Buffer, mtime: Date): string {
  const dir = path.join(root, inbox, partner);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  if (typeof source === 'string') copyFileSync(source, file);
  else writeFileSync(file, source);
  utimesSync(file, mtime, mtime);
  return path.join(root, inbox);
}

/** Every output file (not state, logs, journal) with its bytes. */
function snapshot(out: string): Map<string, Buffer> {
  return new Map(listFiles(out, NOT_OUTPUTS).map((f) => [f, readFileSync(path.join(out, f))]));
}

/** The processed marks (and nothing else) of the state folder. */
function removeMarks(config: Config): number {
  const dir = path.join(config.paths.state, 'files');
  const marks = readdirSync(dir, { recursive: true }).map(String).filter((f) => /[0-9a-f]{64}\.json$/.test(f));
  for (const m of marks) unlinkSync(path.join(dir, m));
  return marks.length;
}

interface Line {
  event: string;
  file?: string;
  partner?: string;
  sha256?: string;
  receivedAt?: string;
  outcome?: string;
  replayOf?: { file: string; receivedAt: string };
  outputs?: { path: string; sha256: string }[];
}

function journal(out: string): Line[] {
  const lines: Line[] = [];
  for (const f of listFiles(path.join(out, 'journal'))) {
    if (!f.endsWith('.jsonl')) continue;
    for (const l of readFileSync(path.join(out, 'journal', f), 'utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Line);
  }
  return lines;
}

/** Every output the run lists is on disk with the bytes it had after the first run. */
function expectSameBytes(run: RunSummary, before: Map<string, Buffer>, out: string): string[] {
  const paths = run.results.flatMap((r) => r.outputs.map((o) => o.path)).sort();
  expect(paths.length).toBeGreaterThan(0);
  for (const p of paths) {
    expect([p, before.has(p)]).toEqual([p, true]);
    // compared as text for a readable difference (NomPJ, Horodatage, IdFlux…)
    expect([p, readFileSync(path.join(out, p)).toString('latin1')]).toEqual([p, (before.get(p) as Buffer).toString('latin1')]);
  }
  // and nothing else was written beside them
  expect(listFiles(out, NOT_OUTPUTS)).toEqual([...before.keys()].sort());
  return paths;
}

describe('the same bytes processed again after their outputs, before their mark', () => {
  it('an accepted invoice of a CDAR partner, sent again under another name days later: pivot, CPPStatut, CDAR and archive copy rewritten byte for byte; the journal names the second file', async () => {
    const { root, config, out } = setup();
    const t1 = ago(3 * DAY);
    const t2 = ago(HOUR);
    const first = await runOnce(drop(root, 'in1', 'op-beta', 'facture.xml', PAPETERIE, t1), config);
    expect(first.results.map((r) => r.outcome)).toEqual(['accepted']);
    const kinds = first.results[0].outputs.map((o) => o.kind).sort();
    expect(kinds).toEqual(expect.arrayContaining(['archive', 'cdar', 'pivot', 'statut']));
    const before = snapshot(out);
    expect(removeMarks(config)).toBe(1); // the crash: outputs committed, no mark

    const again = await runOnce(drop(root, 'in2', 'op-beta', 'facture-renvoi.xml', PAPETERIE, t2), config);
    expect(again.results.map((r) => [r.file, r.outcome])).toEqual([['op-beta/facture-renvoi.xml', 'accepted']]);
    const paths = expectSameBytes(again, before, out);
    expect(paths).toEqual(first.results[0].outputs.map((o) => o.path).sort());
    // the pivot names the first file (NomPJ), not the second
    const pivot = paths.find((p) => p.startsWith('pivot/')) as string;
    expect(readFileSync(path.join(out, pivot), 'utf8')).toContain('facture.xml');
    expect(readFileSync(path.join(out, pivot), 'utf8')).not.toContain('facture-renvoi.xml');

    // the journal says truthfully which file came, and whose outputs these are
    const lines = journal(out).filter((l) => l.file === 'op-beta/facture-renvoi.xml');
    expect(lines.map((l) => l.event)).toEqual(['received', 'outcome']);
    expect(lines[0].receivedAt).toBe(t2.toISOString());
    expect(lines[1]).toMatchObject({ outcome: 'accepted', partner: 'op-beta', replayOf: { file: 'op-beta/facture.xml', receivedAt: t1.toISOString() } });
    expect(lines[1].outputs?.map((o) => o.path).sort()).toEqual(paths);
  });

  it('a refused file: the status flow 93 and the CDAR 501, the kept original and its reason rewritten byte for byte', async () => {
    const { root, config, out } = setup();
    const broken = path.join(FIXTURES_INBOX, 'op-gamma', 'tronque.xml');
    const first = await runOnce(drop(root, 'in1', 'op-beta', 'cassé.xml', broken, ago(2 * DAY)), config);
    expect(first.results.map((r) => r.outcome)).toEqual(['refused']);
    const before = snapshot(out);
    const statut = [...before.keys()].filter((f) => f.startsWith('statut/op-beta/'));
    const cdar = [...before.keys()].filter((f) => f.startsWith('cdar/op-beta/'));
    expect(statut).toHaveLength(1);
    expect(readFileSync(path.join(out, statut[0]), 'utf8')).toContain('<IdStatut>93</IdStatut>');
    expect(cdar).toHaveLength(1);
    expect(cdar[0]).toMatch(/501/);
    expect(removeMarks(config)).toBe(1);

    const again = await runOnce(drop(root, 'in2', 'op-beta', 'renvoi.xml', broken, ago(HOUR)), config);
    expect(again.results.map((r) => [r.file, r.outcome])).toEqual([['op-beta/renvoi.xml', 'refused']]);
    const paths = expectSameBytes(again, before, out);
    expect(paths).toEqual(expect.arrayContaining([...statut, ...cdar]));
    expect(journal(out).filter((l) => l.file === 'op-beta/renvoi.xml').map((l) => [l.event, l.replayOf?.file])).toEqual([
      ['received', undefined],
      ['outcome', 'op-beta/cassé.xml'],
    ]);
  });

  it("a finance SI's status flow forwarded to the depositor: the forwarded CPPStatut and CDAR rewritten byte for byte", async () => {
    const { root, config, out } = setup();
    const deposited = await runOnce(drop(root, 'in0', 'op-beta', 'facture.xml', PAPETERIE, ago(3 * DAY)), config);
    expect(deposited.results.map((r) => r.outcome)).toEqual(['accepted']);
    const status = Buffer.from(
      siStatusFlow('SI-0001', [{ supplierId: '99746507500015', buyerSiret: '21787789300016', idStatut: '06', idFacture: 'F-2026-0101', dateFacture: '2026-11-02', commentaire: 'BL manquant', horodatage: ago(2 * DAY).toISOString() }]),
    );
    const first = await runOnce(drop(root, 'in1', 'si-valmont', 'statut.xml', status, ago(2 * DAY - HOUR)), config);
    expect(first.results.map((r) => r.outcome)).toEqual(['status-applied']);
    const forwarded = first.results[0].outputs.filter((o) => o.path.startsWith('statut/op-beta/') || o.path.startsWith('cdar/op-beta/'));
    expect(forwarded.map((o) => o.kind).sort()).toEqual(['cdar', 'statut']);
    const before = snapshot(out);
    expect(removeMarks(config)).toBe(2); // the deposit's and the status flow's: both replayed

    const again = await runOnce(drop(root, 'in2', 'si-valmont', 'statut-encore.xml', status, ago(HOUR)), config);
    expect(again.results.map((r) => [r.file, r.outcome])).toEqual([['si-valmont/statut-encore.xml', 'status-applied']]);
    const paths = expectSameBytes(again, before, out);
    expect(paths).toEqual(expect.arrayContaining(forwarded.map((o) => o.path)));
    expect(journal(out).filter((l) => l.file === 'si-valmont/statut-encore.xml').map((l) => [l.event, l.replayOf?.file])).toEqual([
      ['received', undefined],
      ['outcome', 'si-valmont/statut.xml'],
    ]);
  });

  it("the same bytes from another partner: the interrupted attempt is finished as its own file (same bytes), and this one is a copy told DOUBLON", async () => {
    const { root, config, out } = setup();
    const t1 = ago(2 * DAY);
    expect((await runOnce(drop(root, 'in1', 'op-beta', 'facture.xml', PAPETERIE, t1), config)).results.map((r) => r.outcome)).toEqual(['accepted']);
    const before = snapshot(out);
    removeMarks(config);

    const again = await runOnce(drop(root, 'in2', 'op-alpha', 'relayée.xml', PAPETERIE, ago(HOUR)), config);
    expect(again.results.map((r) => [r.file, r.outcome])).toEqual([['op-alpha/relayée.xml', 'already-processed']]);
    // what was written before is there with its bytes; op-alpha got its DOUBLON reply only
    for (const [p, bytes] of before) expect([p, readFileSync(path.join(out, p)).equals(bytes)]).toEqual([p, true]);
    const added = listFiles(out, NOT_OUTPUTS).filter((f) => !before.has(f));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(/^statut\/op-alpha\//);
    expect(readFileSync(path.join(out, added[0]), 'utf8')).toContain('CPRO-DOUBLON-FLUX');
    const lines = journal(out);
    // op-beta's file got its outcome, as it would have without the crash; op-alpha's is a copy
    expect(lines.filter((l) => l.event === 'outcome').map((l) => [l.file, l.partner, l.outcome])).toEqual([
      ['op-beta/facture.xml', 'op-beta', 'accepted'],
      ['op-beta/facture.xml', 'op-beta', 'accepted'],
    ]);
    expect(lines.filter((l) => l.file === 'op-alpha/relayée.xml').map((l) => l.event)).toEqual(['already-processed']);
  });
  it("the DOUBLON reply to another partner, begun and not known finished, sent again from a copy of a later day under another name: rewritten byte for byte", async () => {
    const { root, config, out } = setup();
    expect((await runOnce(drop(root, 'in1', 'op-beta', 'facture.xml', PAPETERIE, ago(3 * DAY)), config)).results.map((r) => r.outcome)).toEqual(['accepted']);
    const copy = await runOnce(drop(root, 'in2', 'op-alpha', 'relayée.xml', PAPETERIE, ago(2 * DAY)), config);
    expect(copy.results.map((r) => r.outcome)).toEqual(['already-processed']);
    const reply = copy.results[0].outputs.map((o) => o.path);
    expect(reply).toEqual([expect.stringMatching(/^statut\/op-alpha\//)]);
    const before = snapshot(out);
    // the crash: the reply committed, its mark left as begun (the line saying it finished lost)
    const marks = listFiles(path.join(config.paths.state, 'files')).filter((f) => /\.reply-[0-9a-f]{16}$/.test(f));
    expect(marks).toHaveLength(1);
    const mark = path.join(config.paths.state, 'files', marks[0]);
    const [begun, finished] = readFileSync(mark, 'utf8').split('\n');
    expect(JSON.parse(begun)).toMatchObject({ begun: { name: 'relayée.xml' } });
    expect(JSON.parse(finished)).toMatchObject({ replied: true });
    writeFileSync(mark, begun + '\n');

    const again = await runOnce(drop(root, 'in3', 'op-alpha', 'relayée-encore.xml', PAPETERIE, ago(HOUR)), config);
    expect(again.results.map((r) => [r.file, r.outcome])).toEqual([['op-alpha/relayée-encore.xml', 'already-processed']]);
    expect(expectSameBytes(again, before, out)).toEqual(reply);
    // told once: a further copy gets nothing
    const more = await runOnce(drop(root, 'in4', 'op-alpha', 'encore.xml', PAPETERIE, ago(HOUR)), config);
    expect(more.results.map((r) => [r.outcome, r.outputs.length])).toEqual([['already-processed', 0]]);
  });
});

describe('without a crash, nothing changes', () => {
  it('a first processing records its attempt beside its mark; the same bytes again (mark present) are already processed, nothing written', async () => {
    const { root, config, out } = setup();
    const first = await runOnce(drop(root, 'in1', 'op-beta', 'facture.xml', PAPETERIE, ago(DAY)), config);
    expect(first.results.map((r) => r.outcome)).toEqual(['accepted']);
    const sha = first.results[0].sha256;
    const bucket = path.join(config.paths.state, 'files', sha.slice(0, 2));
    expect(readdirSync(bucket).sort()).toEqual([`${sha}.attempt`, `${sha}.json`]);
    expect(JSON.parse(readFileSync(path.join(bucket, `${sha}.attempt`), 'utf8'))).toMatchObject({ sha256: sha, name: 'facture.xml', relPath: 'op-beta/facture.xml', partner: 'op-beta' });
    const outcome = journal(out).find((l) => l.event === 'outcome');
    expect(outcome?.file).toBe('op-beta/facture.xml');
    expect(outcome?.replayOf).toBeUndefined();

    const before = snapshot(out);
    const mtimes = new Map([...before.keys()].map((p) => [p, statSync(path.join(out, p)).mtimeMs]));
    const again = await runOnce(drop(root, 'in2', 'op-beta', 'facture-renvoi.xml', PAPETERIE, ago(HOUR)), config);
    expect(again.results.map((r) => [r.outcome, r.outputs])).toEqual([['already-processed', []]]);
    expect(listFiles(out, NOT_OUTPUTS)).toEqual([...before.keys()]);
    for (const [p, m] of mtimes) expect([p, statSync(path.join(out, p)).mtimeMs]).toEqual([p, m]);
    expect(journal(out).filter((l) => l.file === 'op-beta/facture-renvoi.xml').map((l) => l.event)).toEqual(['already-processed']);
  });

  it('prune removes an attempt record with its mark, and an orphan one once as old', async () => {
    const dir = tempDir('cf-prune-attempts-');
    const sha = (c: string) => c.repeat(64);
    const put = (name: string, text: string, daysAgo: number) => {
      const b = path.join(dir, 'files', name.slice(0, 2));
      mkdirSync(b, { recursive: true });
      const f = path.join(b, name);
      writeFileSync(f, text);
      const t = ago(daysAgo * DAY);
      utimesSync(f, t, t);
      return f;
    };
    const journaled = `{"sha256":"x","outcome":"accepted","outputs":[],"event":{"event":"outcome"}}\n{"journaled":true}\n`;
    const files = {
      oldMark: put(`${sha('a')}.json`, journaled, 500),
      withOldMark: put(`${sha('a')}.attempt`, '{}\n', 10), // goes with its mark
      youngMark: put(`${sha('b')}.json`, journaled, 10),
      withYoungMark: put(`${sha('b')}.attempt`, '{}\n', 500), // its mark stays: it stays
      orphanOld: put(`${sha('c')}.attempt`, '{}\n', 500), // never got a mark: goes
      orphanYoung: put(`${sha('d')}.attempt`, '{}\n', 10), // its file may still come back: stays
      unjournaled: put(`${sha('e')}.json`, `{"sha256":"x","outcome":"accepted","outputs":[],"event":{"event":"outcome"}}\n`, 500),
      withUnjournaled: put(`${sha('e')}.attempt`, '{}\n', 500), // its mark is kept: it is kept
    };
    const dry = await pruneProcessedMarks(dir, { days: 400, dryRun: true });
    expect(dry).toMatchObject({ scanned: 3, removed: 1, attemptsRemoved: 2, keptUnjournaled: 1 });
    expect(Object.values(files).every((f) => existsSync(f))).toBe(true);
    expect(await pruneProcessedMarks(dir, { days: 400 })).toMatchObject({ removed: 1, attemptsRemoved: 2 });
    const left = Object.entries(files)
      .filter(([, f]) => existsSync(f))
      .map(([k]) => k)
      .sort();
    expect(left).toEqual(['orphanYoung', 'unjournaled', 'withUnjournaled', 'withYoungMark', 'youngMark']);
  });
});
