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
 * With text shaped like a reference among the junk ("&amp;#1;"), every seed found status flows
 * that no parser accepts (xmlbuilder2 wrote a value's "&#1;" as markup: pivot-facets.test.ts).
 *
 * Checking the Factur-X each pivot carries, against its own profile's oracle, found more (the
 * cases are in "one by one" below): "+5" made every rule reading it fail, as a warning, so the
 * invoice went out unchecked; a pivot input's Type left out made a Factur-X without BT-3; a
 * UBL DueDate "٣" made one that failed CII-DT-097; a pivot without Debiteur/Nom made one
 * without BT-44.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import pino from 'pino';
import path from 'node:path';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { parseFlux } from '../../src/transform/parse/flux';
import { summaryTable } from '../../src/cli/summary';
import { createDeps } from '../../src/runner/deps';
import { runEmbedded } from '../../src/runner/embedded';
import { facturXMaker } from '../../src/runner/features';
import type { Rule } from '../../src/transform/validate/rule';
import { ALL_RULES } from '../../src/transform/validate/rules';
import { validateInvoice } from '../../src/transform/validate/engine';
import { dayOf } from '../../src/util/clock';
import { checkCdar } from '../cdar/oracle';
import { SCHEMAS } from '../helpers/corpus';
import { facturXAttachments, facturXFailures, mutate, prng, walk } from '../helpers/hostile';
import { bundledConfig, FIXTURES_INBOX, listFiles, runOnce, tempDir } from '../helpers/run';
import { validateFiles } from '../helpers/xsd';

/** A mutated sample flow with an invoice number of its own, so that most are not duplicates of one another. */
function mutated(source: string, rnd: () => number, serial: number): string {
  return mutate(source, rnd, 1, { attributes: process.env.HF_ATTR === '1' }).replace(/(<cbc:ID>|<ram:ID>|<Id>)([^<]*-[^<]*)(<)/, `$1M${serial}$3`);
}

const SOURCES = ['op-alpha/facture-e1-papeterie.xml', 'op-alpha/avoir-e1-lycee.xml', 'op-alpha/decompte-travaux-a4.xml', 'op-beta/facture-cii-hopital.xml', 'op-beta/facture-e2-maintenance.xml', 'op-beta/pivot-laposte-3-factures.xml'].map((f) =>
  readFileSync(path.join(FIXTURES_INBOX, f), 'utf8'),
);
// 800 files a seed; HF_SEED and HF_FILES try others by hand
const FILES = Number(process.env.HF_FILES ?? 800);
const SEEDS = process.env.HF_SEED ? [Number(process.env.HF_SEED)] : [7, 1, 21];

it.each(SEEDS)('seed %i: every file gets an outcome and every output passes the official oracle', async (seed) => {
  const root = tempDir('cf-hostile-');
  const inbox = path.join(root, 'inbox');
  const rnd = prng(seed);
  for (const partner of ['op-alpha', 'op-beta']) mkdirSync(path.join(inbox, partner), { recursive: true });
  for (let i = 0; i < FILES; i++) {
    // op-beta takes CDAR as well as CPPStatut
    writeFileSync(path.join(inbox, i % 2 ? 'op-alpha' : 'op-beta', `m${i}.xml`), mutated(SOURCES[Math.floor(rnd() * SOURCES.length)], rnd, i));
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

  // every rule was evaluated (a rule that throws is only a warning: the invoice would go out
  // unchecked), and every invoice sent got its Factur-X, valid for the profile it names
  const findings = summary.results.flatMap((f) => [...f.findings, ...f.invoices.flatMap((i) => i.findings ?? [])]);
  expect(findings.filter((f) => /could not be evaluated/.test(f.message)).map((f) => f.message)).toEqual([]);
  // but one: a pivot input's amount of more than 2 decimals (the pivot takes any xs:decimal,
  // every Factur-X profile refuses it, BR-DEC): the pivot goes without its Factur-X, saying why
  const withoutFx = findings.filter((f) => f.rule === 'CPRO-FACTURX');
  expect(withoutFx.filter((f) => !/^(?:Facture [^:]* : )?The Factur-X attachment could not be generated \(not even the MINIMUM profile can be made: BT-[^;]*"[^"]*" has more than 2 decimals \(BR-DEC\)/.test(f.message)).map((f) => f.message)).toEqual([]);
  const facturx = await facturXAttachments(pivots, path.join(root, 'factur-x'));
  const sent = summary.results.flatMap((f) => f.invoices).filter((i) => ['accepted', 'completed', 'recycled'].includes(i.outcome)).length;
  const sentWithoutFx = summary.results.flatMap((f) => f.invoices).filter((i) => (i.findings ?? []).some((x) => x.rule === 'CPRO-FACTURX')).length;
  expect([...facturx.values()].reduce((n, docs) => n + docs.size, 0)).toBe(sent - sentWithoutFx);
  // (a doubled or dropped element the UBL, CII or pivot schema forbids is refused first, FLUX-SCHEMA)
  expect(facturx.get('EN 16931')?.size).toBeGreaterThan(40);
  expect(facturx.get('MINIMUM')?.size).toBeGreaterThan(5); // pivot input
  expect(facturXFailures(facturx, path.join(root, 'factur-x'))).toEqual([]);

  const r = await reconcileDay({ config, date: dayOf(new Date(), config.timezone) });
  expect(r.error).toBeUndefined();
  expect(r.report?.anomalies).toEqual([]);
  expect(r.exitCode).toBe(0);
  expect(listFiles(out, ['state', 'logs', 'journal', 'reports', 'pivot', 'statut', 'cdar', 'archive', 'error'])).toEqual([]);
}, 360_000);

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
    ['fatal', 'The Fournisseur/TypeIdentifiant is not a value the CPPFacturePivot allows (1 to 7): "NaN".'],
    ['fatal', 'The Debiteur/TypeIdentifiant is not a value the CPPFacturePivot allows (1 (SIRET)): "2".'],
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

describe('what the hostile runs found, one by one', () => {
  const chorusOf = () => {
    const { recipients, limits } = bundledConfig(tempDir('cf-hostile-'));
    return { recipients, limits };
  };
  async function invoiceOf(xml: string, k = 0) {
    const flux = await parseFlux(Buffer.from(xml), { schemaStructure: false });
    if (flux.kind === 'CPPStatut') throw new Error('not an invoice');
    return flux.invoices[k];
  }
  const papeterie = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8');
  const pivot = readFileSync(path.join(FIXTURES_INBOX, 'op-beta/pivot-laposte-3-factures.xml'), 'utf8');

  // found by the PDF fuzz (test/facturx/pdf-fuzz.test.ts): an E2 whose invoice PDF was named
  // "facture\u202Elmx.exe" was refused with the override in the reason, and the status flow showed
  // the partner 'Attachment 1 "facture' followed by the rest of the line reversed
  it('a value holding a direction override is shown without it: the reason reads in its order', async () => {
    const e2 = readFileSync(path.join(FIXTURES_INBOX, 'op-beta/facture-e2-maintenance.xml'), 'utf8');
    const named = e2.replace(/filename="FE2-2026-0042\.pdf"/, 'filename="facture\u202Elmx.exe\u2066"');
    expect(named).not.toBe(e2);
    const findings = validateInvoice({ invoice: await invoiceOf(named), chorus: chorusOf() }, 'chorus').filter((f) => f.rule === 'CPRO-PJ-EXTENSION');
    expect(findings.map((f) => f.message)).toEqual([expect.stringMatching(/^Attachment 1 "facturelmx\.exe": the extension "EXE" is not allowed by Chorus Pro; allowed: /)]);
  });

  // found by the PDF fuzz too: an attachment named with 5000 characters filled the reason, and the
  // status flow (300 characters) never said what was wrong with it
  it("an attachment's long name is shown as NomPJOrigine carries it: the reason says what is wrong in 300 characters", async () => {
    const e2 = readFileSync(path.join(FIXTURES_INBOX, 'op-beta/facture-e2-maintenance.xml'), 'utf8');
    const named = e2.replace(/filename="FE2-2026-0042\.pdf"/, `filename="${'a'.repeat(5000)}.exe"`);
    const [f] = validateInvoice({ invoice: await invoiceOf(named), chorus: chorusOf() }, 'chorus').filter((x) => x.rule === 'CPRO-PJ-EXTENSION');
    expect(f.message).toMatch(/^Attachment 1 "a{23}…a{22}\.exe": the extension "EXE" is not allowed by Chorus Pro; allowed: .* pptx\.$/);
    expect(f.message.length).toBeLessThanOrEqual(300);
  });

  it('an amount written "+5" is read as 5 by the rules: a wrong VAT total is refused (the rules could not read it and the invoice went out)', async () => {
    const plus = papeterie.replace(/(<cac:TaxTotal>\s*<cbc:TaxAmount currencyID="EUR">)[^<]+/, '$1+5');
    expect(plus).not.toBe(papeterie);
    const findings = validateInvoice({ invoice: await invoiceOf(plus), chorus: chorusOf() }, 'chorus');
    expect(findings.filter((f) => /could not be evaluated/.test(f.message))).toEqual([]);
    expect(findings.filter((f) => f.severity === 'fatal').map((f) => f.rule)).toContain('BR-CO-15');
    // and "+" before a right amount changes nothing
    const right = papeterie.replace(/(<cbc:PayableAmount currencyID="EUR">)/, '$1+');
    expect(right).toMatch(/PayableAmount currencyID="EUR">\+\d/);
    expect(validateInvoice({ invoice: await invoiceOf(right), chorus: chorusOf() }, 'chorus').filter((f) => f.severity === 'fatal')).toEqual([]);
  });

  it("a pivot input's Type and Cadre must be there and be values the pivot allows (they were turned into 380 and A1, and the Factur-X had no BT-3)", async () => {
    const cases: [string, string, string][] = [
      [pivot.replace(/<Type>380<\/Type>/, ''), 'CPRO-PIVOT-REQUIS', 'The CPPFacturePivot requires the invoice type (DonneesFacture/Type); it is missing or empty.'],
      [pivot.replace(/<Type>380<\/Type>/, '<Type> </Type>'), 'CPRO-PIVOT-REQUIS', 'The CPPFacturePivot requires the invoice type (DonneesFacture/Type); it is missing or empty.'],
      [pivot.replace(/<Type>380<\/Type>/, '<Type>389</Type>'), 'CPRO-PIVOT-CODE', 'The DonneesFacture/Type is not a value the CPPFacturePivot allows (380 invoice, 381 credit note): "389".'],
      [pivot.replace(/<Cadre>A1<\/Cadre>/, '<Cadre>A11</Cadre>'), 'CPRO-PIVOT-CODE', 'The DonneesFacture/Cadre is not a value the CPPFacturePivot allows (A1 to A25, A11 excepted): "A11".'],
      [pivot.replace(/<Cadre>A1<\/Cadre>/, ''), 'CPRO-PIVOT-REQUIS', 'The CPPFacturePivot requires the billing frame (DonneesFacture/Cadre); it is missing or empty.'],
    ];
    for (const [xml, rule, message] of cases) {
      expect(xml).not.toBe(pivot);
      const findings = validateInvoice({ invoice: await invoiceOf(xml), chorus: chorusOf() }, 'chorus').filter((f) => f.rule.startsWith('CPRO-PIVOT'));
      expect(findings.map((f) => [f.rule, f.severity, f.message])).toEqual([[rule, 'fatal', message]]);
    }
  });

  it('a date that is not a calendar date anywhere in a UBL invoice is refused (a DueDate "٣" made a Factur-X that failed CII-DT-097)', async () => {
    for (const [from, to, name, where] of [
      [/<cbc:DueDate>[^<]+/, '<cbc:DueDate>٣', 'Payment due date (BT-9)', '/Invoice/cbc:DueDate'],
      [/<cbc:IssueDate>([^<]+)<\/cbc:IssueDate>\s*<cbc:DueDate>/, '<cbc:IssueDate>$1</cbc:IssueDate><cbc:TaxPointDate>2026-02-30</cbc:TaxPointDate><cbc:DueDate>', 'Value added tax point date (BT-7)', '/Invoice/cbc:TaxPointDate'],
    ] as const) {
      const xml = papeterie.replace(from, to);
      expect(xml).not.toBe(papeterie);
      const findings = validateInvoice({ invoice: await invoiceOf(xml), chorus: chorusOf() }, 'chorus').filter((f) => f.rule === 'CPRO-PIVOT-DATE');
      expect(findings.map((f) => [f.severity, f.path])).toEqual([['fatal', where]]);
      expect(findings[0].message).toMatch(new RegExp(`^The ${name.replace(/[()]/g, '\\$&')} ".+" is not a calendar date \\(YYYY-MM-DD; in CII, format 102: YYYYMMDD\\)\\.$`));
    }
  });

  it("a pivot without Debiteur/Nom (optional there) gets a valid Factur-X: the buyer's name comes from the routing table", async () => {
    const root = tempDir('cf-hostile-');
    const inbox = path.join(root, 'inbox', 'op-beta');
    mkdirSync(inbox, { recursive: true });
    const noName = pivot.replace(/<Debiteur>[\s\S]*?<\/Debiteur>/g, (d) => d.replace(/\s*<Nom>[^<]*<\/Nom>/, ''));
    expect([...noName.matchAll(/<Debiteur>[\s\S]*?<\/Debiteur>/g)].filter((m) => m[0].includes('<Nom>'))).toEqual([]);
    writeFileSync(path.join(inbox, 'sans-nom.xml'), noName);
    const config = bundledConfig(path.join(root, 'out'));
    const summary = await runOnce(path.join(root, 'inbox'), config);
    const sent = summary.results[0].invoices.filter((i) => i.outcome === 'accepted');
    expect(sent.length).toBeGreaterThan(0);
    expect(summary.results[0].invoices.flatMap((i) => i.findings ?? []).filter((f) => f.rule === 'CPRO-FACTURX')).toEqual([]);
    const facturx = await facturXAttachments(walk(path.join(root, 'out', 'pivot')), path.join(root, 'factur-x'));
    const docs = [...facturx.values()].flatMap((d) => [...d.values()]);
    expect(docs).toHaveLength(sent.length);
    const names = docs.map((cii) => /<ram:BuyerTradeParty>\s*<ram:Name>([^<]*)<\/ram:Name>/.exec(cii)?.[1]).sort();
    expect(names).toEqual(sent.map((i) => config.recipients.find((r) => r.recepteurId === i.recepteurId)?.name).sort());
    expect(facturXFailures(facturx, path.join(root, 'factur-x'))).toEqual([]);
  }, 60_000);

  it('a pivot input whose amount has more than 2 decimals goes out without a Factur-X, saying why (one failed BR-DEC-18)', async () => {
    const root = tempDir('cf-hostile-');
    const inbox = path.join(root, 'inbox', 'op-beta');
    mkdirSync(inbox, { recursive: true });
    // the first invoice: its amount due; the second: a line amount only (MINIMUM has no lines: it is made)
    let k = 0;
    const xml = pivot.replace(/<MontantNetAPayer>([^<]+)<\/MontantNetAPayer>/g, (m, v: string) => (k++ === 0 ? `<MontantNetAPayer>${v}5</MontantNetAPayer>` : m));
    const lines = xml.split('<CPPFacturePivotUnitaire');
    lines[2] = lines[2].replace(/(<Ligne[^>]*>[\s\S]*?<MontantHT>)([^<]+)/, '$1$20001');
    const flow = lines.join('<CPPFacturePivotUnitaire');
    expect(flow).toMatch(/<MontantNetAPayer>\d+\.\d{3}</);
    expect(flow).toMatch(/<Ligne NumOrdre="1">[^]*?<MontantHT>1210\.000001</);
    writeFileSync(path.join(inbox, 'decimales.xml'), flow);
    const config = bundledConfig(path.join(root, 'out'));
    const summary = await runOnce(path.join(root, 'inbox'), config);
    const [first, second] = summary.results[0].invoices;
    expect([first.outcome, second.outcome]).toEqual(['accepted', 'accepted']);
    expect((first.findings ?? []).filter((f) => f.rule === 'CPRO-FACTURX').map((f) => [f.severity, f.message])).toEqual([
      ['warning', expect.stringMatching(/^The Factur-X attachment could not be generated \(not even the MINIMUM profile can be made: BT-115 amount due for payment: "\d+\.\d{3}" has more than 2 decimals \(BR-DEC\)\); the pivot is emitted without it\.$/)],
    ]);
    expect((second.findings ?? []).filter((f) => f.rule === 'CPRO-FACTURX')).toEqual([]);
    expect(summary.tally.lessChecked).toEqual({ rule: 0, facturx: 1 });
    const pivots = walk(path.join(root, 'out', 'pivot'));
    expect(validateFiles(SCHEMAS.pivot, pivots).flatMap((r) => r.errors)).toEqual([]);
    const facturx = await facturXAttachments(pivots, path.join(root, 'factur-x'));
    expect([...facturx.values()].reduce((n, docs) => n + docs.size, 0)).toBe(summary.results[0].invoices.filter((i) => i.outcome === 'accepted').length - 1);
    expect(facturXFailures(facturx, path.join(root, 'factur-x'))).toEqual([]);
  }, 60_000);

  it('the pipeline attaches no Factur-X rather than an invalid one, and says what is missing', async () => {
    const inv = await invoiceOf(papeterie);
    const make = facturXMaker('EN 16931');
    await expect(make({ ...inv, seller: { ...inv.seller, name: undefined, tradingName: undefined } }, {})).rejects.toThrow(/^not even the MINIMUM profile can be made: missing .*BT-27/);
    expect((await make(inv, {})).pdf.length).toBeGreaterThan(1000);
  });
});

it('a rule that throws leaves a warning in the journal and an error in the log: the operator hears that an invoice was not fully checked', async () => {
  const rule = ALL_RULES.find((r) => r.id === 'BR-CO-15') as { check: Rule['check'] };
  const check = rule.check;
  rule.check = () => {
    throw new Error('simulated fault');
  };
  try {
    const root = tempDir('cf-hostile-');
    mkdirSync(path.join(root, 'inbox', 'op-alpha'), { recursive: true });
    copyFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), path.join(root, 'inbox', 'op-alpha', 'f.xml'));
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        done();
      },
    });
    const config = bundledConfig(path.join(root, 'out'));
    const summary = await runEmbedded({ inbox: path.join(root, 'inbox'), deps: createDeps(config, { logger: pino({ level: 'info' }, sink) }) });
    const [inv] = summary.results[0].invoices;
    expect(inv.outcome).toBe('accepted');
    expect((inv.findings ?? []).map((f) => [f.rule, f.severity, f.message])).toContainEqual(['BR-CO-15', 'warning', 'rule BR-CO-15 could not be evaluated: simulated fault']);
    expect(summary.tally.lessChecked).toEqual({ rule: 1, facturx: 0 });
    expect(summaryTable(summary)).toContain('less checked: 1 with a validation rule not evaluated (sent anyway; see the errors in the log)');
    const errors = lines.filter((l) => l.level === 50);
    expect(errors.map((l) => [l.msg, l.rules, l.invoice])).toEqual([['validation rules could not be evaluated: the invoice was not fully checked (a fault of chorus-flux; please report it)', ['BR-CO-15'], inv.number]]);
  } finally {
    rule.check = check;
  }
});
