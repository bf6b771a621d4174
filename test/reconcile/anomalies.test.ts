/**
 * Each anomaly on purpose: a real day is built by running the pipeline (day-builder.ts),
 * copied, damaged in one way, and reconciled. Each anomaly must be reported with the file
 * and the invoice concerned — and nothing else may be reported.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, copyFileSync, existsSync, lutimesSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { parseCsv } from '../../src/reconcile/report-csv';
import type { Anomaly, AnomalyType } from '../../src/reconcile/types';
import { fixedClock } from '../../src/util/clock';
import { ROOT } from '../helpers/cli';
import { nestPastPathMax } from '../helpers/run';
import { at, batch, buildCleanDay, copyDay, crashOn, DAY, drop, NEXT_DAY, lyceeWithoutEngagement, papeterie, setTime, writeConfigFile, type BuiltDay } from './day-builder';

const AFTER = fixedClock('2026-03-12T03:00:00Z');

let clean: BuiltDay;
beforeAll(async () => {
  clean = await buildCleanDay();
});

async function reconcile(day: BuiltDay) {
  const r = await reconcileDay({ config: day.config, date: DAY, clock: AFTER });
  if (!r.report) throw new Error(r.error);
  return r;
}

const types = (list: Anomaly[]) => list.map((a) => a.type);
const only = (list: Anomaly[], t: AnomalyType) => list.filter((a) => a.type === t);

function csvRows(file: string): Record<string, string>[] {
  const [head, ...rows] = parseCsv(readFileSync(file, 'utf8'));
  return rows.map((r) => Object.fromEntries(head.map((h, k) => [h, r[k]])));
}

it('an archived original deleted: missing-output, with the file and its invoice', async () => {
  const day = copyDay(clean);
  const r = day.result('op-alpha/facture-0102.xml');
  const archive = r.outputs.find((o) => o.kind === 'archive')!;
  rmSync(path.join(day.out, archive.path));

  const { exitCode, report, files } = await reconcile(day);
  expect(exitCode).toBe(1);
  expect(types(report!.anomalies)).toEqual(['missing-output']);
  expect(report!.anomalies[0]).toMatchObject({
    output: archive.path,
    file: 'op-alpha/facture-0102.xml',
    sha256: r.sha256,
    partner: 'op-alpha',
    expected: archive.sha256,
    invoices: [{ idCpro: r.invoices[0].idCpro, number: 'F-2026-0102', supplierId: '99746507500015' }],
  });
  expect(report!.outputs.missing).toBe(1);
  const row = csvRows(files!.csv).find((x) => x.file === 'op-alpha/facture-0102.xml')!;
  expect(row).toMatchObject({ id_cpro: r.invoices[0].idCpro, anomalies: 'missing-output' });
});

it('a pivot duplicated: an orphan output and the same IdCPRO emitted twice without Renvoi', async () => {
  const day = copyDay(clean);
  const r = day.result('op-alpha/facture-0102.xml');
  const pivot = r.outputs.find((o) => o.kind === 'pivot')!;
  const copy = path.posix.join(path.posix.dirname(pivot.path), 'FEN0036A_CFX001_CFX000DUPLICATE00000000.xml');
  copyFileSync(path.join(day.out, pivot.path), path.join(day.out, copy));
  setTime(path.join(day.out, copy), at(DAY, '12:00'));

  const { exitCode, report } = await reconcile(day);
  expect(exitCode).toBe(1);
  expect(types(report!.anomalies)).toEqual(['orphan-output', 'duplicate-idcpro']);
  const idCpro = r.invoices[0].idCpro!;
  expect(only(report!.anomalies, 'orphan-output')[0]).toMatchObject({ output: copy, actual: pivot.sha256, invoices: [{ idCpro, number: 'F-2026-0102', renvoi: 'Non' }] });
  const dup = only(report!.anomalies, 'duplicate-idcpro')[0];
  expect(dup).toMatchObject({ output: copy, invoices: [{ idCpro, number: 'F-2026-0102', renvoi: 'Non' }] });
  expect(dup.outputs).toEqual([pivot.path, copy]);
  expect(dup.message).toContain(`IdCPRO ${idCpro}`);
});

it('a pivot copied with its old mtime kept (cp -p): the copy is the duplicate, not the journaled pivot', async () => {
  const day = copyDay(clean);
  const r = day.result('op-alpha/facture-0102.xml');
  const pivot = r.outputs.find((o) => o.kind === 'pivot')!;
  const copy = path.posix.join(path.posix.dirname(pivot.path), 'FEN0036A_CFX001_CFX000DUPLICATE00000000.xml');
  copyFileSync(path.join(day.out, pivot.path), path.join(day.out, copy));
  setTime(path.join(day.out, copy), at(DAY, '00:01')); // before the original was written

  const { report } = await reconcile(day);
  expect(types(report!.anomalies)).toEqual(['orphan-output', 'duplicate-idcpro']);
  const dup = only(report!.anomalies, 'duplicate-idcpro')[0];
  expect(dup).toMatchObject({ output: copy, outputs: [pivot.path, copy] });
  expect(dup.file).toBeUndefined(); // no inbound file is blamed: the copy has none
  expect(dup.message).toMatch(new RegExp(`emitted again in ${copy.replace(/[.]/g, '\\.')} .*although ${pivot.path.replace(/[.]/g, '\\.')} already carried it \\(the second pivot is not in the journal\\)`));
});

it('a pivot linked under another name (ln -s): an orphan and the same IdCPRO twice, as a transfer that follows links sends it twice', async () => {
  const day = copyDay(clean);
  const r = day.result('op-alpha/facture-0102.xml');
  const pivot = r.outputs.find((o) => o.kind === 'pivot')!;
  const link = path.posix.join(path.posix.dirname(pivot.path), 'FEN0036A_CFX001_CFX000LINKED0000000000.xml');
  symlinkSync(path.basename(pivot.path), path.join(day.out, link));
  const made = new Date(at(DAY, '12:00'));
  lutimesSync(path.join(day.out, link), made, made); // the link's own time: the day it was made
  // a link to a folder of another outbox: every file in it would go out twice
  symlinkSync(path.join(day.out, 'pivot'), path.join(day.out, 'statut/op-alpha/all-pivots'));
  lutimesSync(path.join(day.out, 'statut/op-alpha/all-pivots'), made, made);

  const { exitCode, report } = await reconcile(day);
  expect(exitCode).toBe(1);
  expect(types(report!.anomalies)).toEqual(['orphan-output', 'orphan-output', 'duplicate-idcpro']);
  const idCpro = r.invoices[0].idCpro!;
  const [toPivot, toFolder] = only(report!.anomalies, 'orphan-output');
  expect(toPivot).toMatchObject({ output: link, actual: pivot.sha256, invoices: [{ idCpro, number: 'F-2026-0102', renvoi: 'Non' }] });
  expect(toPivot.message).toContain(`a symbolic link to ${path.basename(pivot.path)}`);
  expect(toFolder).toMatchObject({ output: 'statut/op-alpha/all-pivots' });
  expect(toFolder.message).toContain('a symbolic link to');
  expect(only(report!.anomalies, 'duplicate-idcpro')[0]).toMatchObject({ output: link, outputs: [pivot.path, link] });
});

it('resends are not duplicates: Complétée and Recyclée carry the same IdCPRO legitimately', async () => {
  const { report } = await reconcile(clean);
  const completed = clean.result('op-alpha/avoir-e1-lycee.xml').invoices[0];
  const recycled = clean.result('op-alpha/facture-corrigee.xml').invoices[0];
  expect(completed).toMatchObject({ outcome: 'completed', renvoi: 'Complétée' });
  expect(recycled).toMatchObject({ outcome: 'recycled', renvoi: 'Recyclée', idCpro: clean.result('op-alpha/facture-e1-papeterie.xml').invoices[0].idCpro });
  expect(report!.anomalies).toEqual([]);
});

it('a file left in processing by a worker that died: stuck in processing, and lost', async () => {
  const day = copyDay(clean);
  const claimed = path.join(day.config.paths.processing, 'op-beta', 'lxk2m9-a1b2c3d4e5__facture-0160.xml');
  mkdirSync(path.dirname(claimed), { recursive: true });
  writeFileSync(claimed, papeterie('F-2026-0160'));
  setTime(claimed, at(DAY, '09:00'));
  await crashOn(day.config, { path: claimed, relPath: 'op-beta/facture-0160.xml', partner: 'op-beta' }, 'node-z', at(DAY, '09:05'));

  const { exitCode, report } = await reconcile(day);
  expect(exitCode).toBe(1);
  expect(types(report!.anomalies)).toEqual(['lost-file', 'stuck-processing']);
  const lost = only(report!.anomalies, 'lost-file')[0];
  const stuck = only(report!.anomalies, 'stuck-processing')[0];
  const rel = 'processing/op-beta/lxk2m9-a1b2c3d4e5__facture-0160.xml';
  expect(lost).toMatchObject({ file: 'op-beta/facture-0160.xml', partner: 'op-beta', writer: 'node-z', journal: `journal/${DAY}/node-z.jsonl:1` });
  expect(lost.message).toContain(`still in ${rel}`);
  expect(stuck).toMatchObject({ file: rel, sha256: lost.sha256, partner: 'op-beta', since: new Date(at(DAY, '09:00')).toISOString() });
  expect(stuck.message).toMatch(/received by node-z at [0-9T:.Z-]+; if its job failed, `chorus-flux jobs --config [^`]+` says why and `chorus-flux retry` queues it again once fixed\.$/);
  expect(report!.totals.files.lost).toBe(1);
  expect(report!.byPartner.find((p) => p.partner === 'op-beta')!.files.lost).toBe(1);
});

it('a file lost on the day and finished two days later under another name: still lost on the day, its message says it ended (nothing to drop again)', async () => {
  const day = copyDay(clean);
  const inbox = path.join(day.root, 'inbox-z');
  const first = drop(inbox, 'op-beta', 'facture-0170.xml', papeterie('F-2026-0170'), at(DAY, '09:00'));
  await crashOn(day.config, { path: first, relPath: 'op-beta/facture-0170.xml', partner: 'op-beta' }, 'node-z', at(DAY, '09:05'));
  rmSync(first);
  // the machine came back on the 12th; the partner sent the same bytes again, named otherwise
  const later = path.join(day.root, 'inbox-later');
  drop(later, 'op-beta', 'facture-0170-bis.xml', papeterie('F-2026-0170'), at('2026-03-12', '08:00'));
  const s = await batch(day.config, later, 'node-later', at('2026-03-12', '08:10'));
  expect(s.results.map((r) => r.outcome)).toEqual(['accepted']);

  const { report } = await reconcile(day);
  expect(types(report!.anomalies)).toEqual(['lost-file']);
  const lost = report!.anomalies[0];
  expect(lost).toMatchObject({ file: 'op-beta/facture-0170.xml', writer: 'node-z' });
  expect(lost.message).toContain(`its processed mark says its content ended accepted at ${new Date(at('2026-03-12', '08:10')).toISOString()} as op-beta/facture-0170-bis.xml (journal of 2026-03-12): finished later, not lost, nothing to drop again.`);
});

it('outputs that no outcome lists: orphans in statut/ and archive/<day>/', async () => {
  const day = copyDay(clean);
  const stray = 'statut/op-alpha/FEN1200A_CFX001_CFX0000ORPHAN000000000.xml';
  const refused = day.result('op-alpha/destinataire-inconnu.xml').outputs.find((o) => o.kind === 'statut')!;
  writeFileSync(path.join(day.out, stray), readFileSync(path.join(day.out, refused.path), 'utf8').replace(/CFX[0-9A-F]{21}/, 'CFX0000ORPHAN000000000'));
  setTime(path.join(day.out, stray), at(DAY, '13:00'));
  const archived = `archive/${DAY}/depose-a-la-main.xml`;
  writeFileSync(path.join(day.out, archived), papeterie('F-2026-0999'));

  const { exitCode, report } = await reconcile(day);
  expect(exitCode).toBe(1);
  expect(types(report!.anomalies)).toEqual(['orphan-output', 'orphan-output']);
  expect(report!.anomalies.map((a) => a.output)).toEqual([archived, stray]);
  expect(report!.outputs.orphan).toBe(2);
});

it('an output altered after the fact: tampered-output, with the journaled and the actual SHA-256', async () => {
  const day = copyDay(clean);
  const r = day.result('op-beta/facture-cii-hopital.xml');
  const pivot = r.outputs.find((o) => o.kind === 'pivot')!;
  const file = path.join(day.out, pivot.path);
  writeFileSync(file, readFileSync(file, 'utf8').replace(/<MontantTTC>[^<]*</, '<MontantTTC>1.00<'));

  const { exitCode, report } = await reconcile(day);
  expect(exitCode).toBe(1);
  expect(types(report!.anomalies)).toEqual(['tampered-output']);
  const a = report!.anomalies[0];
  expect(a).toMatchObject({ output: pivot.path, file: 'op-beta/facture-cii-hopital.xml', sha256: r.sha256, expected: pivot.sha256, invoices: [{ idCpro: r.invoices[0].idCpro, number: r.invoices[0].number }] });
  expect(a.actual).toMatch(/^[0-9a-f]{64}$/);
  expect(a.actual).not.toBe(pivot.sha256);
});

it('a pivot written late on the day and edited by hand the next morning: tampered in the next day\'s report (the day\'s was made before the edit)', async () => {
  const day = copyDay(clean);
  const r = day.result('op-alpha/facture-corrigee.xml'); // 16:05 on DAY
  const pivot = r.outputs.find((o) => o.kind === 'pivot')!;
  const file = path.join(day.out, pivot.path);
  writeFileSync(file, readFileSync(file, 'utf8').replace(/<MontantTTC>[^<]*</, '<MontantTTC>1.00<'));
  setTime(file, at(NEXT_DAY, '09:00'));

  const next = await reconcileDay({ config: day.config, date: NEXT_DAY, clock: AFTER, write: false });
  expect(next.exitCode).toBe(1);
  expect(types(next.report!.anomalies)).toEqual(['tampered-output']);
  expect(next.report!.anomalies[0]).toMatchObject({
    output: pivot.path,
    file: 'op-alpha/facture-corrigee.xml',
    sha256: r.sha256,
    partner: 'op-alpha',
    expected: pivot.sha256,
    journal: expect.stringMatching(new RegExp(`^journal/${DAY}/node-c\\.jsonl:\\d+$`)),
    invoices: [{ idCpro: r.invoices[0].idCpro }],
  });
  expect(next.report!.anomalies[0].message).toContain(`changed ${new Date(at(NEXT_DAY, '09:00')).toISOString()}`);
  expect(next.report!.outputs.tampered).toBe(1);
  // the day itself still says it, as ever
  expect(types((await reconcile(day)).report!.anomalies)).toEqual(['tampered-output']);
});

it('a line missing from a writer\'s journal: a gap, and the outcome left without its `received`', async () => {
  const day = copyDay(clean);
  const journal = path.join(day.out, 'journal', DAY, 'node-b.jsonl');
  const lines = readFileSync(journal, 'utf8').split('\n').filter(Boolean);
  const k = lines.findIndex((l) => l.includes('"event":"received"') && l.includes('facture-e2-maintenance.xml'));
  const removed = JSON.parse(lines[k]) as { seq: number; sha256: string };
  writeFileSync(journal, `${lines.filter((_, i) => i !== k).join('\n')}\n`);

  const { exitCode, report } = await reconcile(day);
  expect(exitCode).toBe(1);
  expect(types(report!.anomalies)).toEqual(['outcome-without-received', 'journal-gap']);
  expect(only(report!.anomalies, 'journal-gap')[0]).toMatchObject({ writer: 'node-b', expected: String(removed.seq), actual: String(removed.seq + 1), journal: `journal/${DAY}/node-b.jsonl:${k + 1}` });
  expect(only(report!.anomalies, 'outcome-without-received')[0]).toMatchObject({ file: 'op-beta/facture-e2-maintenance.xml', sha256: removed.sha256, writer: 'node-b' });
});

it('hand-written journal lines (the pipeline never writes them): an unreadable line, a repeated seq', async () => {
  const day = copyDay(clean);
  const journal = path.join(day.out, 'journal', DAY, 'node-c.jsonl');
  const lines = readFileSync(journal, 'utf8').split('\n').filter(Boolean);
  const last = JSON.parse(lines[lines.length - 1]) as { seq: number };
  appendFileSync(journal, `{"seq":${last.seq + 1},"ts":"2026-03-10T16:10:00.000Z","writer":"node-c","event":"recei\n`);
  appendFileSync(journal, `${lines[lines.length - 1]}\n`);

  const { report } = await reconcile(day);
  expect(types(report!.anomalies)).toEqual(['journal-sequence', 'journal-damaged']);
  expect(only(report!.anomalies, 'journal-damaged')[0]).toMatchObject({ writer: 'node-c', journal: `journal/${DAY}/node-c.jsonl:${lines.length + 1}` });
  expect(only(report!.anomalies, 'journal-sequence')[0]).toMatchObject({ writer: 'node-c', actual: String(last.seq), expected: String(last.seq + 1) });
  // the unreadable line's seq cannot be read, so no gap is claimed for it: it is reported as unreadable
});

it('JSON lines that are not what the pipeline writes (an unknown outcome, outputs not a list): damaged, not counted', async () => {
  const day = copyDay(clean);
  const journal = path.join(day.out, 'journal', DAY, 'node-c.jsonl');
  const lines = readFileSync(journal, 'utf8').split('\n').filter(Boolean);
  const last = JSON.parse(lines[lines.length - 1]) as { seq: number; sha256: string };
  const sha = 'ab'.repeat(32);
  appendFileSync(journal, `${JSON.stringify({ seq: last.seq + 1, ts: '2026-03-10T16:10:00.000Z', writer: 'node-c', event: 'outcome', sha256: sha, file: 'op-alpha/x.xml', partner: 'op-alpha', outcome: 'weird', invoices: [], outputs: [] })}\n`);
  appendFileSync(journal, `${JSON.stringify({ seq: last.seq + 2, ts: '2026-03-10T16:11:00.000Z', writer: 'node-c', event: 'outcome', sha256: sha, file: 'op-alpha/x.xml', partner: 'op-alpha', outcome: 'accepted', invoices: null, outputs: 'oops' })}\n`);
  const before = (await reconcile(copyDay(clean))).report!.totals.files;

  const { report, exitCode } = await reconcile(day);
  expect(exitCode).toBe(1);
  expect(types(report!.anomalies)).toEqual(['journal-damaged', 'journal-damaged']);
  const at = (n: number) => report!.anomalies.find((a) => a.journal === `journal/${DAY}/node-c.jsonl:${n}`);
  expect(at(lines.length + 1)?.message).toContain('an outcome chorus-flux never writes');
  expect(at(lines.length + 2)?.message).toContain('outputs that are not a list');
  expect(report!.totals.files).toEqual(before); // the day's counts as the pipeline wrote them
});

it('a writer\'s journal file lost: each of its files is told as an outcome its mark holds, not its outputs as orphans', async () => {
  const day = copyDay(clean);
  const dir = path.join(day.out, 'journal', DAY);
  const writers = readdirSync(dir);
  // the writer with the most outcomes
  const outcomes = (f: string) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter((l) => l.includes('"event":"outcome"'));
  const lost = writers.sort((a, b) => outcomes(b).length - outcomes(a).length)[0];
  const lostFiles = outcomes(lost).map((l) => JSON.parse(l) as { file: string; sha256: string; outputs: { path: string }[] });
  expect(lostFiles.length).toBeGreaterThan(1);
  rmSync(path.join(dir, lost));

  const { exitCode, report } = await reconcile(day);
  expect(exitCode).toBe(1);
  const told = only(report!.anomalies, 'outcome-not-journaled');
  expect(told.map((a) => a.file).sort()).toEqual(lostFiles.map((f) => f.file).sort());
  for (const f of lostFiles) expect(told.find((a) => a.sha256 === f.sha256)?.outputs).toEqual(f.outputs.map((o) => o.path).sort());
  expect(only(report!.anomalies, 'orphan-output')).toEqual([]);
  expect(told[0].message).toMatch(/as its processed mark says, but no journal line of .* has its outcome: a journal file lost or cut by a crash\?/);
});

it('an outcome line cut by a crash (its receipt kept): the outcome its mark holds is told, its pivot is no orphan to remove', async () => {
  const day = copyDay(clean);
  const dir = path.join(day.out, 'journal', DAY);
  const withOutcome = readdirSync(dir).find((w) => readFileSync(path.join(dir, w), 'utf8').includes('"event":"outcome"'))!;
  const file = path.join(dir, withOutcome);
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  // the last outcome that wrote a pivot: everything after it gone, itself cut in the middle
  const k = lines.map((l) => l.includes('"event":"outcome"') && l.includes('"kind":"pivot"')).lastIndexOf(true);
  const cut = JSON.parse(lines[k]) as { file: string; sha256: string; outputs: { path: string; kind: string }[] };
  writeFileSync(file, `${lines.slice(0, k).join('\n')}\n${lines[k].slice(0, 60)}`);

  const { exitCode, report } = await reconcile(day);
  expect(exitCode).toBe(1);
  const told = only(report!.anomalies, 'outcome-not-journaled');
  expect(told.map((a) => a.sha256)).toContain(cut.sha256);
  expect(told.find((a) => a.sha256 === cut.sha256)?.message).toContain('(its receipt is there)');
  expect(only(report!.anomalies, 'orphan-output').filter((a) => cut.outputs.some((o) => o.path === a.output))).toEqual([]);
  expect(only(report!.anomalies, 'lost-file').filter((a) => a.sha256 === cut.sha256)).toEqual([]);
  expect(types(report!.anomalies)).toContain('journal-damaged');
});

it('an outcome line lost: the file counts as its mark says it ended, not as lost, and its outputs are still checked', async () => {
  const day = copyDay(clean);
  const baseline = (await reconcileDay({ config: day.config, date: DAY, clock: AFTER, write: false })).report!;
  const dir = path.join(day.out, 'journal', DAY);
  const withPivot = (l: string) => l.includes('"event":"outcome"') && l.includes('"kind":"pivot"');
  const writer = readdirSync(dir).find((w) => readFileSync(path.join(dir, w), 'utf8').split('\n').some(withPivot))!;
  const file = path.join(dir, writer);
  const lines = readFileSync(file, 'utf8').split('\n');
  const k = lines.findIndex(withPivot);
  const gone = JSON.parse(lines[k]) as { file: string; sha256: string; outcome: string; outputs: { path: string; kind: string; sha256: string }[] };
  writeFileSync(file, lines.filter((_, n) => n !== k).join('\n')); // a disk that lost it
  const pivot = gone.outputs.find((o) => o.kind === 'pivot')!;
  const pivotFile = path.join(day.out, pivot.path);
  writeFileSync(pivotFile, readFileSync(pivotFile, 'utf8').replace(/<MontantTTC>[^<]*</, '<MontantTTC>1.00<'));

  const { report, files } = await reconcile(day);
  expect(types(report!.anomalies).sort()).toEqual(['journal-gap', 'outcome-not-journaled', 'tampered-output']);
  expect(only(report!.anomalies, 'tampered-output')[0]).toMatchObject({ output: pivot.path, file: gone.file, sha256: gone.sha256, expected: pivot.sha256 });
  // counted as it ended: the same files, invoices and amounts as the day with its line
  expect(report!.totals).toEqual(baseline.totals);
  expect(report!.totals.files.lost).toBe(0);
  expect(report!.outputs.checked).toBe(baseline.outputs.checked);
  const rows = csvRows(files!.csv).filter((r) => r.file_sha256 === gone.sha256);
  expect(rows.length).toBeGreaterThan(0);
  for (const r of rows) expect(r).toMatchObject({ file_outcome: gone.outcome, anomalies: 'outcome-not-journaled tampered-output' });
});

it('an amount that is not a number (a refused invoice, as the supplier wrote it): left out of the totals, counted and said, defused in the CSV', async () => {
  const day = copyDay(clean);
  const before = (await reconcile(copyDay(clean))).report!.totals.amounts.in;
  const inbox = path.join(day.root, 'inbox-amounts');
  const bad = papeterie('F-CSV-1').replace('<cbc:TaxExclusiveAmount currencyID="EUR">302.00</cbc:TaxExclusiveAmount>', '<cbc:TaxExclusiveAmount currencyID="EUR">=HYPERLINK("http://evil.example","x")</cbc:TaxExclusiveAmount>');
  expect(bad).toContain('=HYPERLINK');
  drop(inbox, 'op-alpha', 'formule.xml', bad, at(DAY, '11:00'));
  const s = await batch(day.config, inbox, 'node-amounts', at(DAY, '11:05'));
  expect(s.results[0].outcome).toBe('refused');
  const { report, files } = await reconcile(day);
  const amounts = report!.totals.amounts.in;
  expect(amounts.unreadable).toBe(1);
  expect(amounts.invoices).toBe(before.invoices + 1);
  expect(amounts.ht).toBe(before.ht); // left out, not summed as 0 by mistake nor failing the sum
  expect(report!.notes.some((n) => n.startsWith('1 invoice(s) of the day have an amount (HT or TTC) that is not a number'))).toBe(true);
  const csv = readFileSync(files!.csv, 'utf8');
  expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
});

it('a suspended invoice past its deadline (suspended 40 days earlier, never completed)', async () => {
  const day = copyDay(clean);
  const old = '2026-01-29';
  const inbox = path.join(day.root, 'inbox-old');
  drop(inbox, 'op-alpha', 'avoir-0042.xml', lyceeWithoutEngagement('A-2026-0042'), at(old, '09:00'));
  const s = await batch(day.config, inbox, 'node-old', at(old, '09:30'));
  expect(s.results[0].outcome).toBe('suspended');
  const idCpro = s.results[0].invoices[0].idCpro;

  const { exitCode, report } = await reconcile(day);
  expect(exitCode).toBe(1);
  expect(types(report!.anomalies)).toEqual(['suspended-past-deadline']);
  expect(report!.anomalies[0]).toMatchObject({
    partner: 'op-alpha',
    file: 'op-alpha/avoir-0042.xml',
    sha256: s.results[0].sha256,
    since: new Date(at(old, '09:30')).toISOString(),
    invoices: [{ idCpro, number: 'A-2026-0042', supplierId: '99746507500015' }],
  });
  expect(report!.anomalies[0].message).toMatch(/40 days at the end of 2026-03-10, the deadline is 30 days/);
});

it('a file uploaded to a partner inbox on the day and never taken: not picked up', async () => {
  const day = copyDay(clean);
  const f = drop(path.join(day.root, 'sftp'), 'op-alpha', 'oubliee.xml', papeterie('F-2026-0777'), at(DAY, '10:00'));
  const { exitCode, report } = await reconcile(day);
  expect(exitCode).toBe(1);
  expect(types(report!.anomalies)).toEqual(['not-picked-up']);
  expect(report!.anomalies[0]).toMatchObject({ file: f, partner: 'op-alpha' });
});

it('an upload left under its partial name (.part, .filepart): a note naming it, the day still clean (never the pipeline\'s to take)', async () => {
  const day = copyDay(clean);
  const stale = drop(path.join(day.root, 'sftp'), 'op-alpha', 'facture-0778.xml.filepart', papeterie('F-2026-0778').slice(0, 500), at(DAY, '10:00'));
  const fresh = drop(path.join(day.root, 'sftp'), 'op-alpha', 'facture-0779.xml.part', papeterie('F-2026-0779').slice(0, 500), '2026-03-12T02:30:00Z'); // still being uploaded when the reconciliation runs
  const { exitCode, report } = await reconcile(day);
  expect(exitCode).toBe(0);
  const note = report!.notes.find((n) => n.includes('partial name'));
  expect(note).toBe(`1 upload(s) left under a partial name (.part, .filepart) for over 60 minutes, never finished, so never taken: ${stale}. Ask the partner to send them again; remove them once done.`);
  expect(note).not.toContain(fresh);
});

it('a symbolic link and a FIFO in an inbox: reported every night as not picked up, until removed', async () => {
  const day = copyDay(clean);
  const inbox = path.join(day.root, 'sftp', 'op-alpha');
  mkdirSync(inbox, { recursive: true });
  symlinkSync('/etc/passwd', path.join(inbox, 'lien.xml'));
  execFileSync('mkfifo', [path.join(inbox, 'tube.xml')]);
  // whatever day is reconciled: nothing else would ever say they are there
  const { exitCode, report } = await reconcileDay({ config: day.config, date: DAY, clock: fixedClock(new Date(Date.now() + 2 * 3_600_000).toISOString()) });
  expect(exitCode).toBe(1);
  const found = report!.anomalies.filter((a) => a.type === 'not-picked-up');
  expect(found.map((a) => [path.basename(a.file!), a.partner, a.sha256])).toEqual([
    ['lien.xml', 'op-alpha', undefined],
    ['tube.xml', 'op-alpha', undefined],
  ]);
  expect(found[0].message).toContain('is a symbolic link: chorus-flux never takes one');
  expect(found[1].message).toContain('is not a regular file');
  // just made: not yet (the threshold applies)
  const early = await reconcile(day);
  expect(types(early.report!.anomalies)).toEqual([]);
});

it('a folder nested past the path limit in an inbox: reported, and the reconciliation still runs', async () => {
  const day = copyDay(clean);
  const inbox = path.join(day.root, 'sftp', 'op-beta');
  mkdirSync(inbox, { recursive: true });
  nestPastPathMax(inbox);
  const { exitCode, report } = await reconcileDay({ config: day.config, date: DAY, clock: fixedClock(new Date(Date.now() + 2 * 3_600_000).toISOString()) });
  expect(exitCode).toBe(1);
  const found = report!.anomalies.filter((a) => a.type === 'not-picked-up');
  expect(found).toHaveLength(1);
  expect(found[0]).toMatchObject({ partner: 'op-beta' });
  expect(found[0].message).toContain('folder not readable (ENAMETOOLONG); the files under it are not taken until it can be read');
});

it('a file never taken whose name is not UTF-8: not picked up, under the readable form of its name', async () => {
  const day = copyDay(clean);
  // CP1252 "oubliée.xml": Node cannot stat it by the name it lists, and the scan used to skip it
  const name = Buffer.concat([Buffer.from('oubli'), Buffer.from([0xe9]), Buffer.from('e.xml')]);
  const f = drop(path.join(day.root, 'sftp'), 'op-alpha', 'placeholder.xml', papeterie('F-2026-0778'), at(DAY, '10:00'));
  renameSync(f, Buffer.concat([Buffer.from(path.dirname(f) + '/'), name]));
  const { exitCode, report } = await reconcile(day);
  expect(exitCode).toBe(1);
  expect(types(report!.anomalies)).toEqual(['not-picked-up']);
  expect(report!.anomalies[0]).toMatchObject({ file: path.join(path.dirname(f), 'oubli%E9e.xml'), partner: 'op-alpha' });
});

describe('what a partner leaves in its folders that chorus-flux may not open: said, and the report still made', () => {
  // one such entry failed the whole reconciliation ("could not run", every night until removed)
  const madeOn = (p: string, hhmm: string) => {
    const t = new Date(at(DAY, hhmm));
    lutimesSync(p, t, t);
  };

  it('a link that loops and a link to a socket in an outbox, a journaled status flow replaced by a looping link', async () => {
    const day = copyDay(clean);
    const outbox = path.join(day.out, 'statut', 'op-alpha');
    symlinkSync('boucle.xml', path.join(outbox, 'boucle.xml'));
    madeOn(path.join(outbox, 'boucle.xml'), '12:00');
    const socket = path.join(day.root, 'sock');
    execFileSync('python3', ['-c', `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(socket)})`]);
    symlinkSync(socket, path.join(outbox, 'prise.xml'));
    madeOn(path.join(outbox, 'prise.xml'), '12:00');
    const r = day.result('op-gamma/vide.xml');
    const flow = r.outputs.find((o) => o.kind === 'statut')!;
    rmSync(path.join(day.out, flow.path));
    symlinkSync(path.basename(flow.path), path.join(day.out, flow.path));

    const { exitCode, report } = await reconcile(day);
    expect(exitCode).toBe(1);
    expect(types(report!.anomalies).sort()).toEqual(['orphan-output', 'orphan-output', 'tampered-output']);
    const [loop, socketLink] = only(report!.anomalies, 'orphan-output');
    expect(loop).toMatchObject({ output: 'statut/op-alpha/boucle.xml' });
    expect(loop.message).toContain('a symbolic link to boucle.xml (which is a link that loops)');
    expect(socketLink).toMatchObject({ output: 'statut/op-alpha/prise.xml' });
    expect(socketLink.message).toContain('(which is no file (a socket or a device))');
    const replaced = only(report!.anomalies, 'tampered-output')[0];
    expect(replaced).toMatchObject({ output: flow.path, file: 'op-gamma/vide.xml', expected: flow.sha256 });
    expect(replaced.message).toContain(`${flow.path} (statut) is a link that loops: it cannot be checked against its journal entry`);
  });

  // permissions: root reads anything, so the reconciliation runs as nobody (needs root and setpriv)
  const canDropRoot = process.getuid?.() === 0 && ['/usr/bin/setpriv', '/bin/setpriv'].some((p) => existsSync(p));
  (canDropRoot ? it : it.skip)('a file uploaded with no permissions in an inbox, a file in a folder that can be listed but not entered, a folder no one else may read in an outbox', async () => {
    const day = copyDay(clean);
    const configFile = writeConfigFile(day.root);
    const locked = drop(path.join(day.root, 'sftp'), 'op-alpha', 'verrouillee.xml', papeterie('F-2026-0779'), at(DAY, '10:00'));
    const hidden = drop(path.join(day.root, 'sftp', 'op-beta'), 'lecture-seule', 'cachee.xml', papeterie('F-2026-0780'), at(DAY, '10:00'));
    const folder = path.join(day.out, 'statut', 'op-alpha', 'prive');
    mkdirSync(folder);
    madeOn(folder, '12:00');
    chmodSync(locked, 0o000);
    chmodSync(folder, 0o000);
    chmodSync(path.dirname(hidden), 0o444);
    // nobody must reach and write the day's folders (the report goes to out/reports)
    for (let d = day.root; path.relative(os.tmpdir(), d).split(path.sep)[0] !== '..' && d !== path.dirname(d); d = path.dirname(d)) chmodSync(d, statSync(d).mode | 0o755);
    execFileSync('chown', ['-R', '--no-dereference', 'nobody', day.out]);
    const run = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), 'reconcile', '--config', configFile, '--out', day.out, '--date', DAY, '-q'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    const report = JSON.parse(readFileSync(path.join(day.out, 'reports', `reconcile-${DAY}.json`), 'utf8')) as { anomalies: Anomaly[] };
    const notTaken = only(report.anomalies, 'not-picked-up');
    expect(notTaken.map((a) => a.file)).toEqual([locked, hidden]);
    expect(notTaken[0].message).toContain('cannot be read by chorus-flux (EACCES: its permissions): it cannot be processed');
    expect(notTaken[1]).toMatchObject({ partner: 'op-beta' });
    expect(notTaken[1].message).toContain("cannot be read by chorus-flux (EACCES: its permissions), or its folder's: it cannot be processed");
    const orphan = only(report.anomalies, 'orphan-output').find((a) => a.output === 'statut/op-alpha/prive');
    expect(orphan?.message).toContain('a folder that cannot be read by chorus-flux (EACCES: its permissions), so what it holds cannot be checked');
  }, 90_000);
});
