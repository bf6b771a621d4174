/**
 * Amounts with more significant digits than a double holds. The official CII schematron sums
 * the line amounts (BR-CO-10), the document allowances and charges (BR-CO-11, -12) and the VAT
 * amounts (BR-CO-14) in xs:double; the rules engine sums exactly. A valid UBL invoice of two
 * lines of 1 234 567 890 987 654.32 € (found by a seeded mutation run) made a Factur-X
 * EN 16931 whose line total the official EN 16931 CII and Factur-X schematrons refused
 * (BR-CO-10, FX-SCH-A-000226): the sum of the two in doubles is …308.50, not …308.64. The
 * Factur-X attached to the pivot is now of a profile those sums do not touch (BASIC WL).
 * Oracles: the official schematrons (Saxon-HE), the Factur-X / CII D16B XSD (xmllint).
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseFlux } from '../../src/transform/parse/flux';
import { doubleSumProblems } from '../../src/transform/facturx/double-sums';
import { corpus, SCHEMAS } from '../helpers/corpus';
import { facturXAttachments, facturXFailures, walk } from '../helpers/hostile';
import { bundledConfig, runOnce, tempDir } from '../helpers/run';
import { validateFiles } from '../helpers/xsd';

/** A UBL invoice to the bundled Valmont-sur-Loire, its lines (quantity, price, net) at 20 %, its totals exact. */
function ubl(id: string, lines: [string, string, string][], lineTotal: string, vat: string, total: string): string {
  const party = (siret: string, name: string, vatId: string) =>
    `<cac:Party><cbc:EndpointID schemeID="0009">${siret}</cbc:EndpointID><cac:PostalAddress><cbc:CityName>Tours</cbc:CityName><cac:Country><cbc:IdentificationCode>FR</cbc:IdentificationCode></cac:Country></cac:PostalAddress>${vatId ? `<cac:PartyTaxScheme><cbc:CompanyID>${vatId}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>` : ''}<cac:PartyLegalEntity><cbc:RegistrationName>${name}</cbc:RegistrationName><cbc:CompanyID schemeID="0009">${siret}</cbc:CompanyID></cac:PartyLegalEntity></cac:Party>`;
  const cat = '<cbc:ID>S</cbc:ID><cbc:Percent>20</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>';
  return `<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID><cbc:ProfileID>A1</cbc:ProfileID><cbc:ID>${id}</cbc:ID><cbc:IssueDate>2026-11-02</cbc:IssueDate><cbc:DueDate>2026-12-02</cbc:DueDate><cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode><cbc:BuyerReference>FINANCES</cbc:BuyerReference>
<cac:AccountingSupplierParty>${party('99746507500015', 'Papeterie Lemoine SAS', 'FR42997465075')}</cac:AccountingSupplierParty>
<cac:AccountingCustomerParty>${party('21787789300016', 'Commune de Valmont-sur-Loire', '')}</cac:AccountingCustomerParty>
<cac:Delivery><cbc:ActualDeliveryDate>2026-10-28</cbc:ActualDeliveryDate></cac:Delivery>
<cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cac:PayeeFinancialAccount><cbc:ID>FR7630004000031234567890143</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>
<cac:TaxTotal><cbc:TaxAmount currencyID="EUR">${vat}</cbc:TaxAmount><cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">${lineTotal}</cbc:TaxableAmount><cbc:TaxAmount currencyID="EUR">${vat}</cbc:TaxAmount><cac:TaxCategory>${cat}</cac:TaxCategory></cac:TaxSubtotal></cac:TaxTotal>
<cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="EUR">${lineTotal}</cbc:LineExtensionAmount><cbc:TaxExclusiveAmount currencyID="EUR">${lineTotal}</cbc:TaxExclusiveAmount><cbc:TaxInclusiveAmount currencyID="EUR">${total}</cbc:TaxInclusiveAmount><cbc:PayableAmount currencyID="EUR">${total}</cbc:PayableAmount></cac:LegalMonetaryTotal>
${lines.map(([q, p, n], k) => `<cac:InvoiceLine><cbc:ID>${k + 1}</cbc:ID><cbc:InvoicedQuantity unitCode="C62">${q}</cbc:InvoicedQuantity><cbc:LineExtensionAmount currencyID="EUR">${n}</cbc:LineExtensionAmount><cac:Item><cbc:Name>Article ${k + 1}</cbc:Name><cac:ClassifiedTaxCategory>${cat}</cac:ClassifiedTaxCategory></cac:Item><cac:Price><cbc:PriceAmount currencyID="EUR">${p}</cbc:PriceAmount></cac:Price></cac:InvoiceLine>`).join('\n')}
</Invoice>
`;
}

describe('amounts a double cannot hold', () => {
  it('a valid invoice of such lines gets a Factur-X that passes its official oracles, of a profile without lines', async () => {
    const root = tempDir('cf-double-');
    const inbox = path.join(root, 'inbox', 'op-alpha');
    mkdirSync(inbox, { recursive: true });
    const big = '1234567890987654.32'; // 1234567.891 × 999999999.99, to the cent
    writeFileSync(path.join(inbox, 'milliards.xml'), ubl('F-BIG-1', [['1234567.891', '999999999.99', big], ['1234567.891', '999999999.99', big]], '2469135781975308.64', '493827156395061.73', '2962962938370370.37'));
    // an ordinary invoice beside it keeps its EN 16931 Factur-X
    writeFileSync(path.join(inbox, 'ordinaire.xml'), ubl('F-SMALL-1', [['3', '12.40', '37.20']], '37.20', '7.44', '44.64'));
    const summary = await runOnce(path.join(root, 'inbox'), bundledConfig(path.join(root, 'out')));
    expect(summary.results.map((r) => r.invoices.map((i) => i.outcome))).toEqual([['accepted'], ['accepted']]);
    const pivots = walk(path.join(root, 'out', 'pivot'));
    expect(validateFiles(SCHEMAS.pivot, pivots).flatMap((r) => r.errors)).toEqual([]);
    const facturx = await facturXAttachments(pivots, path.join(root, 'factur-x'));
    const profiles = [...facturx].map(([profile, docs]) => [profile, [...docs.values()].map((cii) => /<rsm:ExchangedDocument>\s*<ram:ID>([^<]*)/.exec(cii)?.[1])]);
    expect(facturXFailures(facturx, path.join(root, 'factur-x'))).toEqual([]);
    expect(profiles.sort()).toEqual([['BASIC WL', ['F-BIG-1']], ['EN 16931', ['F-SMALL-1']]]);
  }, 120_000);

  it('the official CII examples, all valid for the official schematron, have no such sum', async () => {
    const dir = corpus('en16931/cii-examples');
    const files = readdirSync(dir).filter((f) => f.endsWith('.xml'));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const flux = await parseFlux(readFileSync(path.join(dir, f)));
      if (flux.kind === 'CPPStatut') throw new Error(`${f}: not an invoice`);
      expect([f, flux.invoices.flatMap((i) => doubleSumProblems(i))]).toEqual([f, []]);
    }
  });
});
