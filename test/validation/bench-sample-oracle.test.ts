/**
 * The bench corpus (bench/generate.ts) through `chorus-flux run` with Factur-X, and every
 * output through the official oracle and checked against the others and the journal
 * (test/helpers/output-oracle.ts): the CI guard of what was checked by hand on three seeds of
 * 10,000 invoices with and without Factur-X (no problem found). Seed 1460 gives, in 40
 * invoices (28 files), every kind the generator makes — UBL E1 with and without attachments,
 * UBL E2, CII, a multi-invoice pivot — and every defect it plants: a malformed UBL, a UBL and an
 * E2 whose payable amount is off, a UBL, a CII and one of the pivot's invoices for an unknown
 * recipient (the pivot's other invoices accepted: a partial integration).
 * Partners take their status flows as CPPStatut, CDAR or both, some with notifyAccepted.
 * (test/facturx/flux2-rules.test.ts runs a bench sample too, for the French Flux 2 rules only.)
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateCorpus } from '../../bench/generate';
import { cli } from '../helpers/cli';
import { outputOracle, type OracleReport } from '../helpers/output-oracle';
import { tempDir } from '../helpers/run';

const SEED = 1460;
const INVOICES = 40;
const PARTNERS = [
  { id: 'op-alpha', statusFormats: ['CPPStatut', 'CDAR'] as ('CPPStatut' | 'CDAR')[], notifyAccepted: true },
  { id: 'op-beta', statusFormats: ['CDAR'] as ('CPPStatut' | 'CDAR')[] },
  { id: 'op-gamma', statusFormats: ['CPPStatut'] as ('CPPStatut' | 'CDAR')[], notifyAccepted: true },
  { id: 'op-delta', statusFormats: ['CPPStatut'] as ('CPPStatut' | 'CDAR')[] },
];

let root: string;
let inbox: string;
let out: string;
let configFile: string;
let report: OracleReport;

beforeAll(async () => {
  root = tempDir('cf-bench-oracle-');
  const s = generateCorpus(root, { invoices: INVOICES, seed: SEED });
  inbox = s.inbox;
  out = path.join(root, 'out');
  const config = JSON.parse(readFileSync(s.configFile, 'utf8')) as Record<string, unknown>;
  configFile = path.join(root, 'oracle-config.json');
  writeFileSync(configFile, JSON.stringify({ ...config, paths: { out: 'out' }, partners: PARTNERS, facturx: { enabled: true } }));
  const run = await cli(['run', inbox, '--out', out, '--config', configFile, '--no-progress', '-q']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  report = await outputOracle(out, { facturx: true, statusFormats: Object.fromEntries(PARTNERS.map((p) => [p.id, p.statusFormats])) });
}, 240_000);

it('holds every kind of flow and every defect the generator makes', () => {
  const files = readdirSync(inbox).flatMap((p) => readdirSync(path.join(inbox, p)).map((f) => readFileSync(path.join(inbox, p, f), 'utf8')));
  const kinds = new Set<string>();
  for (const t of files) {
    const unknownBuyer = t.includes('11921527500015');
    const offTotal = /TaxInclusiveAmount currencyID="EUR">([^<]*)</.exec(t)?.[1] !== /PayableAmount currencyID="EUR">([^<]*)</.exec(t)?.[1];
    if (t.includes('<CPPFacturePivot ')) kinds.add(unknownBuyer ? 'pivot, an invoice for an unknown buyer' : 'pivot');
    else if (t.includes('CrossIndustryInvoice')) kinds.add(unknownBuyer ? 'CII, unknown buyer' : 'CII');
    else if (t.includes('<cbc:DocumentTypeCode>380<')) kinds.add(offTotal ? 'E2, total off' : 'E2');
    else if (!t.trimEnd().endsWith('</Invoice>')) kinds.add('UBL, malformed');
    else kinds.add(unknownBuyer ? 'UBL, unknown buyer' : offTotal ? 'UBL, total off' : t.includes('AdditionalDocumentReference') ? 'UBL with attachments' : 'UBL');
  }
  // what a seed of the generator gave is recognised by the text it writes: a kind it no longer
  // gives (the generator changed) is a sample to choose again
  expect([...kinds].sort()).toEqual(['CII', 'CII, unknown buyer', 'E2', 'E2, total off', 'UBL', 'UBL with attachments', 'UBL, malformed', 'UBL, total off', 'UBL, unknown buyer', 'pivot, an invoice for an unknown buyer'].sort());
  expect(report.counts.facturx).toEqual({ 'invoice:EN 16931': expect.any(Number), 'pivot:MINIMUM': expect.any(Number) });
  expect(report.counts.cdar).toBeGreaterThan(0);
  expect(report.counts.refusedChecked).toBe(6); // the malformed UBL, the two totals off, the three unknown buyers
});

it('writes only outputs the official schemas and schematrons accept, consistent with each other and with the journal', () => {
  expect(report.problems).toEqual([]);
  expect(report.counts.units).toBe(report.counts.accepted);
});

it('reconciles CLEAN', async () => {
  for (const day of readdirSync(path.join(out, 'journal'))) {
    const r = await cli(['reconcile', '--date', day, '--config', configFile, '--out', out, '-q']);
    expect({ day, code: r.code, stderr: r.stderr }).toEqual({ day, code: 0, stderr: '' });
  }
}, 60_000);
