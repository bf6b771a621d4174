/**
 * Values that break a facet or the text of the CPPFacturePivot V2_02 and CPPStatut V1_19
 * outputs, on real runs checked by xmllint against the official XSDs: the output is valid and
 * says what was sent, or the invoice is refused naming the rule. The length limits
 * (CPRO-LONGUEUR-*), codes (CPRO-PIVOT-CODE), dates and junk decimals are covered by
 * hostile-values.test.ts and the rule tests; these are what those did not reach.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { extractEmbeddedInvoice } from '../../src/transform/facturx/extract';
import { parseFlux } from '../../src/transform/parse/flux';
import { SCHEMAS } from '../helpers/corpus';
import { walk } from '../helpers/hostile';
import { bundledConfig, FIXTURES_INBOX, runOnce, tempDir } from '../helpers/run';
import { validateFiles } from '../helpers/xsd';

const fixture = (f: string) => readFileSync(path.join(FIXTURES_INBOX, f), 'utf8');

/** Runs `files` (partner/name → content) once; the outputs, each with its XSD errors. */
async function run(files: Record<string, string>) {
  const root = tempDir('cf-facets-');
  const inbox = path.join(root, 'inbox');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(inbox, name)), { recursive: true });
    writeFileSync(path.join(inbox, name), content);
  }
  const config = bundledConfig(path.join(root, 'out'));
  const summary = await runOnce(inbox, config);
  const pivots = walk(path.join(config.paths.out, 'pivot'));
  const statuts = walk(path.join(config.paths.out, 'statut'));
  const invalid = [...validateFiles(SCHEMAS.pivot, pivots), ...validateFiles(SCHEMAS.statut, statuts)].filter((r) => r.errors.length > 0).map((r) => `${path.basename(r.file)}: ${r.errors[0]}`);
  return { summary, pivots, statuts, invalid };
}

describe('text shaped like an XML reference', () => {
  // xmlbuilder2 escapes an "&" only when what follows does not look like a reference: the text
  // "&amp;" went out as the markup &amp; (read back "&"), "&#1;" and "&x;" as no XML at all
  it('is written as sent in the pivot and the status flows: well-formed, valid, read back the same', async () => {
    const ubl = fixture('op-alpha/facture-e1-papeterie.xml')
      .replace('<cbc:RegistrationName>Papeterie Lemoine SAS</cbc:RegistrationName>', '<cbc:RegistrationName>Lemoine &amp;amp; Fils &amp;x;</cbc:RegistrationName>')
      .replace('<cbc:ID>PAP-A4-80</cbc:ID>', '<cbc:ID>PAP&amp;#1;A4</cbc:ID>');
    const pivot = fixture('op-beta/pivot-laposte-3-factures.xml').replace('<Id>LP-2026-558812</Id>', '<Id>LP&amp;#1;2026</Id>');
    expect(ubl).toContain('&amp;amp;');
    expect(pivot).toContain('LP&amp;#1;2026');
    const { summary, pivots, statuts, invalid } = await run({ 'op-alpha/e1.xml': ubl, 'op-beta/pivot.xml': pivot });
    expect(summary.failures).toEqual([]);
    expect(invalid).toEqual([]);
    expect(statuts.length).toBeGreaterThan(0);
    // what the finance systems read is what the supplier sent
    const invoices = [];
    for (const f of pivots) {
      const flux = await parseFlux(readFileSync(f));
      if (flux.kind === 'CPPStatut') throw new Error('not an invoice');
      invoices.push(...flux.invoices);
    }
    const e1 = invoices.find((i) => i.number === 'F-2026-0101');
    expect(e1?.seller.name).toBe('Lemoine &amp; Fils &x;');
    expect(e1?.lines[0].item.sellerId).toBe('PAP&#1;A4');
    expect(invoices.map((i) => i.number)).toContain('LP&#1;2026');
    const statusText = statuts.map((f) => readFileSync(f, 'utf8')).join('');
    expect(statusText).toContain('<IdFacture>LP&amp;#1;2026</IdFacture>');
    // and the Factur-X the pivot carries (its CII is built the same way)
    const e1Pivot = pivots.map((f) => readFileSync(f, 'utf8')).find((x) => x.includes('<Id>F-2026-0101</Id>')) as string;
    const fx = [...e1Pivot.matchAll(/<PJ[^>]*>([\s\S]*?)<\/PJ>/g)].map((m) => m[1]).find((pj) => pj.includes('DUPLICATA_FACTUR-X')) as string;
    const cii = Buffer.from((await extractEmbeddedInvoice(Buffer.from(/<Contenu>([^<]*)</.exec(fx)?.[1] ?? '', 'base64'))).xml).toString('utf8');
    expect(cii).toContain('<ram:Name>Lemoine &amp;amp; Fils &amp;x;</ram:Name>');
    expect(cii).toContain('<ram:SellerAssignedID>PAP&amp;#1;A4</ram:SellerAssignedID>');
  });

  it('in the reason a status flow quotes (a malformed file\'s "&#1;") leaves the flow well-formed and valid', async () => {
    const ubl = fixture('op-alpha/facture-e1-papeterie.xml').replace('<cbc:ID>F-2026-0101</cbc:ID>', '<cbc:ID>F-2026&#1;0101</cbc:ID>');
    const { summary, statuts, invalid } = await run({ 'op-alpha/bad.xml': ubl });
    expect(summary.results.map((r) => r.outcome)).toEqual(['refused']);
    expect(statuts.length).toBe(1);
    expect(invalid).toEqual([]);
    expect(readFileSync(statuts[0], 'utf8')).toContain('&amp;#1; refers to a character XML does not allow');
  });
});

describe('quantities and VAT rates with more digits than an xs:decimal is read with', () => {
  // amounts were held to 19 digits (CPRO-MONTANT-FORMAT), quantities and rates to nothing:
  // xmllint reads no xs:decimal of more than 24 digits, and the pivot failed its XSD
  it('are refused naming CPRO-NOMBRE-FORMAT, in a UBL and in a deposited pivot; 19 digits go through', async () => {
    const ubl = fixture('op-alpha/facture-e1-papeterie.xml');
    const longQty = ubl.replace('unitCode="C62">20<', 'unitCode="C62">20.000000000000000000000000000000<');
    const longRate = ubl.replace(/(<cbc:Percent>)20(<\/cbc:Percent>)/g, '$120.0000000000000000000000000$2');
    const ok = ubl.replace('<cbc:ID>F-2026-0101</cbc:ID>', '<cbc:ID>F-2026-0102</cbc:ID>').replace('unitCode="C62">20<', 'unitCode="C62">20.00000000000000000<');
    const pivot = fixture('op-beta/pivot-laposte-3-factures.xml').replace('<Quantite>1</Quantite>', '<Quantite>1.00000000000000000000000000000</Quantite>');
    expect(new Set([ubl, longQty, longRate, ok]).size).toBe(4);
    const { summary, pivots, invalid } = await run({ 'op-alpha/qty.xml': longQty, 'op-alpha/rate.xml': longRate, 'op-alpha/ok.xml': ok, 'op-beta/pivot.xml': pivot });
    expect(summary.failures).toEqual([]);
    expect(invalid).toEqual([]);
    const byFile = Object.fromEntries(summary.results.map((r) => [path.basename(r.file), r]));
    expect(byFile['qty.xml'].outcome).toBe('refused');
    expect(byFile['rate.xml'].outcome).toBe('refused');
    expect(byFile['ok.xml'].outcome).toBe('accepted');
    const rules = (f: string) => JSON.stringify(byFile[f]);
    expect(rules('qty.xml')).toContain('Ligne[1]/Quantite (BT-129) = \\"20.000000000000000000000000000000\\" has 32 digits');
    expect(rules('rate.xml')).toContain('CPRO-NOMBRE-FORMAT');
    expect(rules('pivot.xml')).toContain('CPRO-NOMBRE-FORMAT');
    // the pivot's first invoice (the only one whose Quantite changed) did not go out; ok.xml did
    const written = pivots.map((f) => readFileSync(f, 'utf8')).join('');
    expect(written).not.toContain('<Id>LP-2026-558812</Id>');
    expect(written).toContain('<Quantite>20.00000000000000000</Quantite>');
  });
});

describe('a long attachment name cut for NomPJOrigine (≤ 50)', () => {
  // cut by code points, the kept end began with the accent of a letter left out (combining
  // on the ellipsis: "…\u0301bbb.pdf"), and an emoji sequence lost its members
  it('is cut between whole characters, and the pivot stays valid', async () => {
    const accent = `${'a'.repeat(30)}e\u0301${'b'.repeat(21)}.pdf`;
    const family = `${'c'.repeat(22)}\u{1F468}\u200D\u{1F469}\u200D\u{1F467}${'d'.repeat(30)}.pdf`;
    const e2 = fixture('op-beta/facture-e2-maintenance.xml');
    expect(e2).toContain('filename="bon-livraison-7781.pdf"');
    const files = {
      'op-beta/accent.xml': e2.replace('filename="bon-livraison-7781.pdf"', `filename="${accent}"`),
      'op-beta/family.xml': e2.replace('<cbc:ID>FE2-2026-0042</cbc:ID>', '<cbc:ID>FE2-2026-0043</cbc:ID>').replace('filename="bon-livraison-7781.pdf"', `filename="${family}"`),
    };
    const { summary, pivots, invalid } = await run(files);
    expect(summary.failures).toEqual([]);
    expect(invalid).toEqual([]);
    const names = pivots.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/<NomPJOrigine>([^<]*)<\/NomPJOrigine>/g)].map((m) => m[1])).sort();
    expect(names).toEqual([`${'a'.repeat(23)}…${'b'.repeat(21)}.pdf`, `${'c'.repeat(22)}…${'d'.repeat(22)}.pdf`]);
  });
});

describe('a deposited pivot\'s Devise or CodePays with a no-break space', () => {
  // the checks trimmed them as JavaScript does (no-break and Unicode spaces too), the pivot
  // carried them as sent: "\u2003EUR" failed Devise's pattern, "FR\u00a0" CodePays's length 2
  it('is refused naming the rule; no invalid pivot goes out', async () => {
    const [head, ...units] = fixture('op-beta/pivot-laposte-3-factures.xml').split('<CPPFacturePivotUnitaire');
    units[0] = units[0].replace('<Devise>EUR</Devise>', '<Devise>\u2003EUR</Devise>');
    units[1] = units[1].replace('<CodePays>FR</CodePays>', '<CodePays>FR\u00a0</CodePays>');
    const pivot = [head, ...units].join('<CPPFacturePivotUnitaire');
    expect(pivot).toContain('\u2003EUR');
    expect(pivot).toContain('FR\u00a0');
    const { summary, pivots, statuts, invalid } = await run({ 'op-beta/pivot.xml': pivot });
    expect(summary.failures).toEqual([]);
    expect(invalid).toEqual([]);
    expect(pivots).toEqual([]);
    const rules = JSON.stringify(summary.results[0]);
    expect(rules).toContain('CPRO-PIVOT-DEVISE');
    expect(rules).toContain('CPRO-PAYS');
    expect(statuts.length).toBeGreaterThan(0);
  });
});

describe('a code service (BT-10) with no-break spaces around it', () => {
  // routed and checked without them (FINANCES, a code service of the recipient), it was
  // written with them: the finance SI read "\u00a0FINANCES\u2003", none of its own
  it('is written in the pivot as it was routed and checked', async () => {
    const ubl = fixture('op-alpha/facture-e1-papeterie.xml').replace('<cbc:BuyerReference>FINANCES', '<cbc:BuyerReference>\u00a0FINANCES\u2003');
    expect(ubl).toContain('\u00a0FINANCES\u2003');
    const { summary, pivots, invalid } = await run({ 'op-alpha/e1.xml': ubl });
    expect(summary.results.map((r) => r.outcome)).toEqual(['accepted']);
    expect(invalid).toEqual([]);
    const xml = readFileSync(pivots[0], 'utf8');
    expect(xml).toContain('<CodeService>FINANCES</CodeService>');
    expect(xml).toContain('<NomService>Direction des finances</NomService>');
  });
});
