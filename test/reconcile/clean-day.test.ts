/**
 * A clean day on several writers reconciles clean (exit 0), with the counts and amounts the
 * journal holds; a file received by a writer that crashed and finished by another after
 * midnight is not lost; running again gives byte-identical reports; the command line keeps
 * its exit codes.
 */
import Big from 'big.js';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { readJournalDay, type JournalLine } from '../../src/journal/journal';
import { LifecycleStore } from '../../src/lifecycle/store';
import { lifecycleRecords } from '../../src/reconcile/lifecycle-scan';
import { reconcileDay, reportPaths } from '../../src/reconcile/reconcile-day';
import { addDays } from '../../src/reconcile/day';
import { missedDays } from '../../src/reconcile/missed-days';
import { parseCsv } from '../../src/reconcile/report-csv';
import type { ReconcileReport } from '../../src/reconcile/types';
import { fixedClock } from '../../src/util/clock';
import { cli } from '../helpers/cli';
import { at, buildCleanDay, copyDay, DAY, NEXT_DAY, writeConfigFile, type BuiltDay } from './day-builder';

const AFTER = fixedClock('2026-03-12T03:00:00Z');

let day: BuiltDay;
let report: ReconcileReport;
let files: { json: string; csv: string; html: string };

beforeAll(async () => {
  day = await buildCleanDay();
  const r = await reconcileDay({ config: day.config, date: DAY, clock: AFTER });
  expect(r.error).toBeUndefined();
  report = r.report!;
  files = r.files!;
});

it('reports a clean day as clean: exit 0, no anomaly, every output checked', async () => {
  const r = await reconcileDay({ config: day.config, date: DAY, clock: AFTER, write: false });
  expect(r.exitCode).toBe(0);
  expect(report.status).toBe('clean');
  expect(report.anomalies).toEqual([]);
  expect(report.notes).toEqual([]);
  expect(report.journal.writers).toEqual(['node-a', 'node-b', 'node-c', 'node-x']);
  expect(report.outputs).toMatchObject({ missing: 0, tampered: 0, orphan: 0 });
  expect(report.outputs.checked).toBeGreaterThan(40);
  expect(Object.keys(report.outputs.byKind)).toEqual(expect.arrayContaining(['archive', 'error', 'pivot', 'reason', 'statut']));
});

it('counts files and invoices per outcome, per partner and per recipient', () => {
  expect(report.totals.files).toEqual({ files: 20, accepted: 8, partial: 1, refused: 7, suspended: 1, duplicate: 1, statusApplied: 2, lost: 0, alreadyProcessed: 2 });
  expect(report.totals.invoices).toEqual({ invoices: 14, accepted: 8, refused: 2, suspended: 1, completed: 1, recycled: 1, duplicate: 1, statusApplied: 2, statusSuspended: 1, statusRefused: 0, rejectedByOperator: 0 });
  const p = Object.fromEntries(report.byPartner.map((x) => [x.partner, x.files]));
  expect(Object.keys(p)).toEqual(['op-alpha', 'op-beta', 'op-gamma', 'si-valmont']);
  expect(p['op-alpha']).toMatchObject({ files: 7, accepted: 5, refused: 1, suspended: 1, alreadyProcessed: 1 });
  expect(p['op-beta']).toMatchObject({ files: 5, accepted: 3, partial: 1, duplicate: 1 });
  expect(p['op-gamma']).toMatchObject({ files: 6, refused: 6, alreadyProcessed: 1 });
  expect(p['si-valmont']).toMatchObject({ files: 2, statusApplied: 2 });
  const lyc = report.byRecipient.find((x) => x.recepteurId === 'LYCJM01')!;
  expect(lyc.invoices).toMatchObject({ invoices: 2, suspended: 1, completed: 1 });
  // two credit notes (381): subtracted, not added
  expect(lyc.amounts).toEqual({
    in: { invoices: 2, ht: '-36.00', ttc: '-43.20', currency: 'EUR', creditNotes: 2, byCurrency: [{ currency: 'EUR', invoices: 2, ht: '-36.00', ttc: '-43.20', creditNotes: 2 }] },
    out: { invoices: 1, ht: '-18.00', ttc: '-21.60', currency: 'EUR', creditNotes: 1, byCurrency: [{ currency: 'EUR', invoices: 1, ht: '-18.00', ttc: '-21.60', creditNotes: 1 }] },
  });
  const valm = report.byRecipient.find((x) => x.recepteurId === 'VALM01')!;
  expect(valm.invoices).toMatchObject({ recycled: 1, duplicate: 1, statusApplied: 2, statusSuspended: 1 });
  expect(report.byRecipient.find((x) => x.recepteurId === 'MOEMOR01')!.name).toBe('MOE of Commune de Valmont-sur-Loire');
});

it('totals MontantHT / MontantTTC in and out exactly as the journal has them', async () => {
  // computed here from the raw journal lines: the day's outcomes plus the retried file's (next day)
  const lines: JournalLine[] = [
    ...(await readJournalDay(path.join(day.out, 'journal'), DAY)).lines,
    ...(await readJournalDay(path.join(day.out, 'journal'), NEXT_DAY)).lines,
  ];
  const sum = { inHT: new Big(0), inTTC: new Big(0), outHT: new Big(0), outTTC: new Big(0) };
  for (const l of lines) {
    if (l.event !== 'outcome' || l.kind === 'CPPStatut') continue;
    for (const i of l.invoices) {
      // a credit note's amounts are a credit
      const sign = i.typeCode === '381' ? -1 : 1;
      sum.inHT = sum.inHT.plus(new Big(i.montantHT ?? 0).times(sign));
      sum.inTTC = sum.inTTC.plus(new Big(i.montantTTC ?? 0).times(sign));
      if (['accepted', 'completed', 'recycled'].includes(i.outcome)) {
        sum.outHT = sum.outHT.plus(new Big(i.montantHT ?? 0).times(sign));
        sum.outTTC = sum.outTTC.plus(new Big(i.montantTTC ?? 0).times(sign));
      }
    }
  }
  const inEur = { invoices: 14, ht: sum.inHT.toFixed(2), ttc: sum.inTTC.toFixed(2), creditNotes: 2 };
  const outEur = { invoices: 10, ht: sum.outHT.toFixed(2), ttc: sum.outTTC.toFixed(2), creditNotes: 1 };
  expect(report.totals.amounts).toEqual({
    in: { ...inEur, currency: 'EUR', byCurrency: [{ currency: 'EUR', ...inEur }] },
    out: { ...outEur, currency: 'EUR', byCurrency: [{ currency: 'EUR', ...outEur }] },
  });
  const perRecipient = report.byRecipient.reduce((s, r) => s.plus(r.amounts.in.ttc), new Big(0));
  expect(perRecipient.toFixed(2)).toBe(report.totals.amounts.in.ttc);
});

it('a file received by a writer that crashed, finished by another writer after midnight, is not lost', () => {
  const rows = parseCsv(readFileSync(files.csv, 'utf8'));
  const head = rows[0];
  const retry = rows.slice(1).map((r) => Object.fromEntries(head.map((h, k) => [h, r[k]]))).filter((r) => r.file === day.retried.relPath);
  expect(retry).toHaveLength(1);
  expect(retry[0]).toMatchObject({ writer: 'node-x', file_outcome: 'accepted', invoice_outcome: 'accepted', renvoi: 'Non', anomalies: '', file_sha256: day.retried.sha256 });
  expect(retry[0].pivot).toMatch(/^pivot\/VALM01\/FEN0036A_/);
});

it('the next day does not count the retried file again (it belongs to the day it was first received)', async () => {
  const r = await reconcileDay({ config: day.config, date: NEXT_DAY, clock: AFTER, write: false });
  expect(r.exitCode).toBe(0);
  expect(r.report!.totals.files.files).toBe(0);
  expect(r.report!.outputs.checked).toBeGreaterThan(0);
});

it('writes one CSV row per invoice (and one per file without invoices), sorted', () => {
  const rows = parseCsv(readFileSync(files.csv, 'utf8'));
  expect(rows[0]).toEqual(['partner', 'file', 'file_sha256', 'uploaded_at', 'received_at', 'writer', 'file_outcome', 'flux_kind', 'invoice_index', 'invoice_number', 'supplier_id', 'buyer_siret', 'recepteur_id', 'id_cpro', 'invoice_outcome', 'state', 'renvoi', 'montant_ht', 'montant_ttc', 'pivot', 'rules', 'anomalies', 'type_code', 'currency']);
  // 14 invoices deposited + 2 status lines + 6 files refused before any invoice could be read
  expect(rows).toHaveLength(1 + 14 + 2 + 6);
  const keys = rows.slice(1).map((r) => `${r[0]}\u0000${r[1]}`);
  expect(keys).toEqual([...keys].sort());
  const laposte = rows.filter((r) => r[1] === 'op-beta/pivot-laposte-3-factures.xml');
  expect(laposte.map((r) => [r[8], r[14]])).toEqual([['1', 'accepted'], ['2', 'accepted'], ['3', 'refused']]);
  expect(laposte[2][20]).toBe('CPRO-DESTINATAIRE-INCONNU');
  const completed = rows.find((r) => r[14] === 'completed')!;
  expect([completed[1], completed[16]]).toEqual(['op-alpha/avoir-e1-lycee.xml', 'Complétée']);
});

it('reads the lifecycle store as LifecycleStore.all() does (same layout, same records, same order)', async () => {
  const dir = path.join(day.config.paths.state, 'invoices');
  const viaStore = [];
  for await (const r of new LifecycleStore(dir).all()) viaStore.push(r);
  const viaScan = [];
  for await (const r of lifecycleRecords(dir)) viaScan.push(r);
  expect(viaStore.length).toBeGreaterThanOrEqual(9);
  expect(viaScan).toEqual(viaStore);
});

it('gives byte-identical reports when run again', async () => {
  const first = [files.json, files.csv, files.html].map((f) => readFileSync(f));
  const again = await reconcileDay({ config: day.config, date: DAY, clock: fixedClock('2026-04-01T12:00:00Z') });
  expect(again.files).toEqual(files);
  expect([files.json, files.csv, files.html].map((f) => readFileSync(f))).toEqual(first);
  expect(JSON.parse(first[0].toString('utf8'))).toEqual(report);
});

it('on the command line: exit 0 clean, 1 with anomalies, 2 when it cannot run; --reports moves the files', async () => {
  const config = writeConfigFile(day.root);
  const ok = await cli(['reconcile', '--date', DAY, '--out', day.out, '--config', config, '--reports', path.join(day.root, 'elsewhere')]);
  expect(ok.stderr).toBe('');
  expect(ok.code).toBe(0);
  expect(ok.stdout).toContain(`reconciliation of ${DAY} (Europe/Paris): CLEAN`);
  expect(readFileSync(reportPaths(path.join(day.root, 'elsewhere'), DAY).json, 'utf8')).toContain('"status": "clean"');

  const damaged = copyDay(day);
  const pivot = day.result('op-beta/facture-e2-maintenance.xml').outputs.find((o) => o.kind === 'pivot')!;
  require('node:fs').rmSync(path.join(damaged.out, pivot.path));
  const bad = await cli(['reconcile', '--date', DAY, '--out', damaged.out, '--config', writeConfigFile(damaged.root)]);
  expect(bad.code).toBe(1);
  expect(bad.stdout).toContain('1 × Journaled output missing from the folders');
  expect(readFileSync(reportPaths(path.join(damaged.out, 'reports'), DAY).json, 'utf8')).toContain(pivot.path);

  const wrong = await cli(['reconcile', '--date', '2026-02-30', '--out', day.out, '--config', config]);
  expect(wrong.code).toBe(2);
  expect(wrong.stderr).toMatch(/could not run: --date must be a calendar date/);
});

it('--catch-up also reconciles the earlier days that have a journal but no report (a cron missed them); the exit code is the worst of all', async () => {
  const copy = copyDay(day);
  rmSync(path.join(copy.out, 'reports'), { recursive: true, force: true });
  // one of the missed days has an anomaly
  const pivot = day.result('op-beta/facture-e2-maintenance.xml').outputs.find((o) => o.kind === 'pivot')!;
  rmSync(path.join(copy.out, pivot.path));
  const later = addDays(NEXT_DAY, 2);
  const journalDays = readdirSync(path.join(copy.out, 'journal')).sort();
  expect(journalDays).toEqual([DAY, NEXT_DAY]);
  const r = await cli(['reconcile', '--date', later, '--out', copy.out, '--config', writeConfigFile(copy.root), '--catch-up']);
  expect(r.stderr).toBe('');
  expect(r.stdout).toContain(`reconciliation of ${later} (Europe/Paris): CLEAN`);
  expect(r.stdout).toContain(`catching up 2 earlier day(s) without a report: ${DAY}, ${NEXT_DAY}`);
  expect(r.stdout).toMatch(new RegExp(`reconciliation of ${DAY} \\(Europe/Paris\\): 1 anomaly[^]*1 × Journaled output missing from the folders`));
  expect(r.code).toBe(1);
  for (const d of [DAY, NEXT_DAY, later]) expect(JSON.parse(readFileSync(reportPaths(path.join(copy.out, 'reports'), d).json, 'utf8')).date).toBe(d);
  // run again: every day has its report, nothing to catch up
  const again = await cli(['reconcile', '--date', later, '--out', copy.out, '--config', writeConfigFile(copy.root), '--catch-up']);
  expect(again.stdout).toContain('no earlier day of the last 7 without a report');
  expect(again.code).toBe(0);
});

it('a day whose only report is a "day so far", or whose reports were not all written, is caught up later', async () => {
  const copy = copyDay(day);
  const reportDir = path.join(copy.out, 'reports');
  rmSync(reportDir, { recursive: true, force: true });
  const later = addDays(NEXT_DAY, 2);
  // the operator looked at DAY during the day: its report says "the day so far"
  const during = await reconcileDay({ config: copy.config, date: DAY, clock: fixedClock(at(DAY, '15:00')) });
  expect(during.report?.notes.some((n) => n.includes('this is the day so far'))).toBe(true);
  const t = new Date(at(DAY, '15:00'));
  utimesSync(reportPaths(reportDir, DAY).json, t, t);
  // NEXT_DAY's CSV could not be written (a folder in its place, as a full disk would fail it): no JSON either
  mkdirSync(reportPaths(reportDir, NEXT_DAY).csv, { recursive: true });
  const failed = await reconcileDay({ config: copy.config, date: NEXT_DAY, clock: fixedClock(`${addDays(NEXT_DAY, 1)}T03:00:00Z`) });
  expect(failed.exitCode).toBe(2);
  expect(existsSync(reportPaths(reportDir, NEXT_DAY).json)).toBe(false);
  expect(missedDays(copy.config, later, reportDir)).toEqual([DAY, NEXT_DAY]);
  // once the whole reports exist, nothing is missed
  rmSync(reportPaths(reportDir, NEXT_DAY).csv, { recursive: true });
  for (const d of [DAY, NEXT_DAY]) expect((await reconcileDay({ config: copy.config, date: d, clock: fixedClock(`${later}T03:00:00Z`) })).exitCode).toBe(0);
  expect(missedDays(copy.config, later, reportDir)).toEqual([]);
});
