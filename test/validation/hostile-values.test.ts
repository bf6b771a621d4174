/**
 * Hostile values anywhere in an invoice: the project's sample flows (UBL E1/E2, CII, a
 * three-invoice pivot) with text values swapped for junk ("NaN", "+5", "1e309", "2026-13-45",
 * 1,000 characters …) and elements doubled or dropped, a few at a time, from a fixed seed.
 * Whatever the input, every file gets an outcome, and everything written passes the official
 * oracle: each pivot the CPPFacturePivot XSD, each status flow the CPPStatut XSD, each CDAR
 * message the CDAR XSD and the BR-FR-CDV schematron; the day reconciles clean.
 *
 * It found, each the cause of an output failing its XSD: a pivot input's coded values carried
 * over as they were (Fournisseur and Debiteur TypeIdentifiant, ModeEmission: now
 * CPRO-PIVOT-CODE, and the status line of the refusal uses a valid type); optional dates and
 * rates left blank written as empty elements (DateLivraison, DateReception, TauxTVA, Taux);
 * a status line carrying an over-long CodeService or an impossible DateFacture; and an amount
 * "+5" that stopped the reconciliation ("[big.js] Invalid number"). Each seed below found one.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { parseFlux } from '../../src/transform/parse/flux';
import { validateInvoice } from '../../src/transform/validate/engine';
import { dayOf } from '../../src/util/clock';
import { checkCdar } from '../cdar/oracle';
import { SCHEMAS } from '../helpers/corpus';
import { bundledConfig, FIXTURES_INBOX, listFiles, runOnce, tempDir } from '../helpers/run';
import { validateFiles } from '../helpers/xsd';

const JUNK = ['', ' ', '-1', '+5', '-0', '0', '1e309', 'NaN', '1,5', '12.345', '0.0000001', '99999999999999999999.999', 'abc', '٣', '2026-13-45', '&amp;', '00000000000000', 'x'.repeat(1000)];

/** xorshift32: the same files on every run. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

function mutate(source: string, rnd: () => number, serial: number): string {
  let s = source;
  const n = 1 + Math.floor(rnd() * 3);
  for (let i = 0; i < n; i++) {
    const pos = Math.floor(rnd() * s.length);
    const k = rnd();
    const text = />([^<]{1,40})</g;
    const element = /<([A-Za-z:]+)[ >]/g;
    if (k < 0.6) {
      text.lastIndex = pos;
      const m = text.exec(s);
      if (m) s = s.slice(0, m.index + 1) + JUNK[Math.floor(rnd() * JUNK.length)] + s.slice(m.index + 1 + m[1].length);
    } else {
      element.lastIndex = pos;
      const m = element.exec(s);
      const end = m ? s.indexOf(`</${m[1]}>`, m.index) : -1;
      if (m && end > 0) {
        const whole = s.slice(m.index, end + m[1].length + 3);
        s = s.slice(0, m.index) + (k < 0.8 ? whole + whole : '') + s.slice(end + m[1].length + 3);
      }
    }
  }
  // a number of its own, so that most invoices are not duplicates of one another
  return s.replace(/(<cbc:ID>|<ram:ID>|<Id>)([^<]*-[^<]*)(<)/, `$1M${serial}$3`);
}

const SOURCES = ['op-alpha/facture-e1-papeterie.xml', 'op-alpha/avoir-e1-lycee.xml', 'op-alpha/decompte-travaux-a4.xml', 'op-beta/facture-cii-hopital.xml', 'op-beta/facture-e2-maintenance.xml', 'op-beta/pivot-laposte-3-factures.xml'].map((f) =>
  readFileSync(path.join(FIXTURES_INBOX, f), 'utf8'),
);
// 800 files a seed; HF_SEED and HF_FILES try others by hand
const FILES = Number(process.env.HF_FILES ?? 800);
const SEEDS = process.env.HF_SEED ? [Number(process.env.HF_SEED)] : [7, 1, 21];

function walk(dir: string): string[] {
  let out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  for (const n of names) {
    const p = path.join(dir, n);
    out = n.endsWith('.xml') ? [...out, p] : [...out, ...walk(p)];
  }
  return out;
}

it.each(SEEDS)('seed %i: every file gets an outcome and every output passes the official oracle', async (seed) => {
  const root = tempDir('cf-hostile-');
  const inbox = path.join(root, 'inbox');
  const rnd = prng(seed);
  for (const partner of ['op-alpha', 'op-beta']) mkdirSync(path.join(inbox, partner), { recursive: true });
  for (let i = 0; i < FILES; i++) {
    // op-beta takes CDAR as well as CPPStatut
    writeFileSync(path.join(inbox, i % 2 ? 'op-alpha' : 'op-beta', `m${i}.xml`), mutate(SOURCES[Math.floor(rnd() * SOURCES.length)], rnd, i));
  }
  const config = bundledConfig(path.join(root, 'out'));
  const out = config.paths.out;
  const summary = await runOnce(inbox, config);
  expect(summary.files).toBe(FILES);
  expect(summary.failures).toEqual([]);
  const outcomes = new Set(summary.results.map((r) => r.outcome));
  expect([...outcomes].every((o) => ['accepted', 'partial', 'refused', 'suspended', 'duplicate', 'already-processed'].includes(o))).toBe(true);
  // the mutations leave enough intact for every kind of output to be exercised
  const pivots = walk(path.join(out, 'pivot'));
  const statut = walk(path.join(out, 'statut'));
  const cdar = walk(path.join(out, 'cdar'));
  expect(pivots.length).toBeGreaterThan(20);
  expect(statut.length).toBeGreaterThan(100);
  expect(cdar.length).toBeGreaterThan(50);

  const invalid = (files: string[], xsd: string) => validateFiles(xsd, files).filter((r) => r.errors.length > 0).map((r) => `${path.relative(out, r.file)}: ${r.errors[0]}`);
  expect(invalid(pivots, SCHEMAS.pivot)).toEqual([]);
  expect(invalid(statut, SCHEMAS.statut)).toEqual([]);
  const oracle = checkCdar(Object.fromEntries(cdar.map((f) => [path.relative(out, f).replace(/\//g, '__'), readFileSync(f, 'utf8')])));
  const badCdar = [...oracle.entries()].filter(([, r]) => !r.xsdValid || r.fatal.length > 0).map(([k, r]) => `${k}: ${r.xsdErrors[0] ?? r.fatal[0]?.id}`);
  expect(badCdar).toEqual([]);

  const r = await reconcileDay({ config, date: dayOf(new Date(), config.timezone) });
  expect(r.error).toBeUndefined();
  expect(r.report?.anomalies).toEqual([]);
  expect(r.exitCode).toBe(0);
  expect(listFiles(out, ['state', 'logs', 'journal', 'reports', 'pivot', 'statut', 'cdar', 'archive', 'error'])).toEqual([]);
}, 240_000);

it('refuses a pivot input whose coded values the pivot does not allow, naming each (CPRO-PIVOT-CODE)', async () => {
  const pivot = readFileSync(path.join(FIXTURES_INBOX, 'op-beta/pivot-laposte-3-factures.xml'), 'utf8');
  const broken = pivot.replace(/(<Fournisseur>\s*<TypeIdentifiant>)[^<]*/, '$1NaN').replace(/(<Debiteur>\s*<TypeIdentifiant>)[^<]*/, '$12');
  expect(broken).not.toBe(pivot);
  const flux = await parseFlux(Buffer.from(broken));
  if (flux.kind === 'CPPStatut') throw new Error('not an invoice');
  const { recipients, limits } = bundledConfig(tempDir('cf-hostile-'));
  const chorus = { recipients, limits };
  const findings = validateInvoice({ invoice: flux.invoices[0], chorus }, 'chorus').filter((f) => f.rule === 'CPRO-PIVOT-CODE');
  expect(findings.map((f) => [f.severity, f.message])).toEqual([
    ['fatal', 'The Fournisseur/TypeIdentifiant "NaN" is not a value the CPPFacturePivot allows (1 to 7).'],
    ['fatal', 'The Debiteur/TypeIdentifiant "2" is not a value the CPPFacturePivot allows (1 (SIRET)).'],
  ]);
  expect(findings[0].path).toBe('/CPPFacturePivot/CPPFactures/CPPFacturePivotUnitaire/Fournisseur/TypeIdentifiant');
  // the untouched flow has none
  const clean = await parseFlux(Buffer.from(pivot));
  if (clean.kind === 'CPPStatut') throw new Error('not an invoice');
  for (const inv of clean.invoices) expect(validateInvoice({ invoice: inv, chorus }, 'chorus').filter((f) => f.rule === 'CPRO-PIVOT-CODE')).toEqual([]);
});

it('reconciles a day whose invoices carry amounts written "+5" (big.js refused them and the reconciliation could not run)', async () => {
  const root = tempDir('cf-hostile-');
  const inbox = path.join(root, 'inbox');
  mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
  const papeterie = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8');
  const plus = papeterie.replace(/(<cbc:TaxInclusiveAmount currencyID="EUR">)([^<]+)/, '$1+$2').replace(/(<cbc:TaxExclusiveAmount currencyID="EUR">)([^<]+)/, '$1+$2');
  expect(plus).toMatch(/TaxInclusiveAmount currencyID="EUR">\+/);
  writeFileSync(path.join(inbox, 'op-alpha', 'plus.xml'), plus);
  const config = bundledConfig(path.join(root, 'out'));
  const [result] = (await runOnce(inbox, config)).results;
  expect(result.invoices[0].montantTTC).toMatch(/^\+/);
  const r = await reconcileDay({ config, date: dayOf(new Date(), config.timezone) });
  expect(r.error).toBeUndefined();
  expect(r.exitCode).toBe(0);
  const ttc = result.invoices[0].montantTTC!.slice(1);
  expect(Number(r.report!.totals.amounts.in.ttc)).toBeCloseTo(Number(ttc), 2);
});
