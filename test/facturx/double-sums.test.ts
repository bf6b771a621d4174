/**
 * Amounts with more significant digits than a double holds. The official CII schematron sums
 * the line amounts (BR-CO-10), the document allowances and charges (BR-CO-11, -12) and the VAT
 * amounts (BR-CO-14) in xs:double; the rules engine sums exactly. A valid UBL invoice of two
 * lines of 1 234 567 890 987 654.32 € (found by a seeded mutation run) made a Factur-X
 * EN 16931 whose line total the official EN 16931 CII and Factur-X schematrons refused
 * (BR-CO-10, FX-SCH-A-000226): the sum of the two in doubles is …308.50, not …308.64. The
 * same with the VAT amounts of two rates (BR-CO-14, from BASIC WL on). The Factur-X attached
 * to the pivot is now of a profile that does not write what is summed (BASIC WL, MINIMUM).
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

/** A UBL invoice to the bundled Valmont-sur-Loire: its lines (quantity, price, net, rate), VAT breakdown (base, VAT, rate) and totals, all exact. */
function ubl(id: string, lines: [string, string, string, string][], breakdown: [string, string, string][], lineTotal: string, vat: string, total: string): string {
  const party = (siret: string, name: string, vatId: string) =>
    `<cac:Party><cbc:EndpointID schemeID="0009">${siret}</cbc:EndpointID><cac:PostalAddress><cbc:CityName>Tours</cbc:CityName><cac:Country><cbc:IdentificationCode>FR</cbc:IdentificationCode></cac:Country></cac:PostalAddress>${vatId ? `<cac:PartyTaxScheme><cbc:CompanyID>${vatId}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>` : ''}<cac:PartyLegalEntity><cbc:RegistrationName>${name}</cbc:RegistrationName><cbc:CompanyID schemeID="0009">${siret}</cbc:CompanyID></cac:PartyLegalEntity></cac:Party>`;
  const cat = (rate: string) => `<cbc:ID>S</cbc:ID><cbc:Percent>${rate}</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID><cbc:ProfileID>A1</cbc:ProfileID><cbc:ID>${id}</cbc:ID><cbc:IssueDate>2026-11-02</cbc:IssueDate><cbc:DueDate>2026-12-02</cbc:DueDate><cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode><cbc:BuyerReference>FINANCES</cbc:BuyerReference>
<cac:AccountingSupplierParty>${party('99746507500015', 'Papeterie Lemoine SAS', 'FR42997465075')}</cac:AccountingSupplierParty>
<cac:AccountingCustomerParty>${party('21787789300016', 'Commune de Valmont-sur-Loire', '')}</cac:AccountingCustomerParty>
<cac:Delivery><cbc:ActualDeliveryDate>2026-10-28</cbc:ActualDeliveryDate></cac:Delivery>
<cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cac:PayeeFinancialAccount><cbc:ID>FR7630004000031234567890143</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>
<cac:TaxTotal><cbc:TaxAmount currencyID="EUR">${vat}</cbc:TaxAmount>${breakdown.map(([base, tax, rate]) => `<cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">${base}</cbc:TaxableAmount><cbc:TaxAmount currencyID="EUR">${tax}</cbc:TaxAmount><cac:TaxCategory>${cat(rate)}</cac:TaxCategory></cac:TaxSubtotal>`).join('')}</cac:TaxTotal>
<cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="EUR">${lineTotal}</cbc:LineExtensionAmount><cbc:TaxExclusiveAmount currencyID="EUR">${lineTotal}</cbc:TaxExclusiveAmount><cbc:TaxInclusiveAmount currencyID="EUR">${total}</cbc:TaxInclusiveAmount><cbc:PayableAmount currencyID="EUR">${total}</cbc:PayableAmount></cac:LegalMonetaryTotal>
${lines.map(([q, p, n, rate], k) => `<cac:InvoiceLine><cbc:ID>${k + 1}</cbc:ID><cbc:InvoicedQuantity unitCode="C62">${q}</cbc:InvoicedQuantity><cbc:LineExtensionAmount currencyID="EUR">${n}</cbc:LineExtensionAmount><cac:Item><cbc:Name>Article ${k + 1}</cbc:Name><cac:ClassifiedTaxCategory>${cat(rate)}</cac:ClassifiedTaxCategory></cac:Item><cac:Price><cbc:PriceAmount currencyID="EUR">${p}</cbc:PriceAmount></cac:Price></cac:InvoiceLine>`).join('\n')}
</Invoice>
`;
}

describe('amounts a double cannot hold', () => {
  it('a valid invoice of such amounts gets a Factur-X that passes its official oracles, of a profile without the sums', async () => {
    const root = tempDir('cf-double-');
    const inbox = path.join(root, 'inbox', 'op-alpha');
    mkdirSync(inbox, { recursive: true });
    const big = '1234567890987654.32'; // 1234567.891 × 999999999.99, to the cent
    const line: [string, string, string] = ['1234567.891', '999999999.99', big];
    // two lines at 20 %: their sum in doubles is …308.50 (BR-CO-10)
    writeFileSync(path.join(inbox, 'milliards.xml'), ubl('F-BIG-1', [[...line, '20'], [...line, '20']], [['2469135781975308.64', '493827156395061.73', '20']], '2469135781975308.64', '493827156395061.73', '2962962938370370.37'));
    // one line at 20 %, one at 10 %: the sum of their VAT amounts in doubles is …499.75, not …499.76 (BR-CO-14)
    const [n1, n2] = ['5373504299264788.54', '8883827672185420.52'];
    const rates: [string, string, string][] = [[n1, '1074700859852957.71', '20'], [n2, '888382767218542.05', '10']];
    writeFileSync(path.join(inbox, 'deux-taux.xml'), ubl('F-BIG-2', [['1', n1, n1, '20'], ['1', n2, n2, '10']], rates, '14257331971450209.06', '1963083627071499.76', '16220415598521708.82'));
    // an ordinary invoice beside them keeps its EN 16931 Factur-X
    writeFileSync(path.join(inbox, 'ordinaire.xml'), ubl('F-SMALL-1', [['3', '12.40', '37.20', '20']], [['37.20', '7.44', '20']], '37.20', '7.44', '44.64'));
    const summary = await runOnce(path.join(root, 'inbox'), bundledConfig(path.join(root, 'out')));
    expect(summary.results.map((r) => r.invoices.map((i) => i.outcome))).toEqual([['accepted'], ['accepted'], ['accepted']]);
    const pivots = walk(path.join(root, 'out', 'pivot'));
    expect(validateFiles(SCHEMAS.pivot, pivots).flatMap((r) => r.errors)).toEqual([]);
    const facturx = await facturXAttachments(pivots, path.join(root, 'factur-x'));
    const profiles = [...facturx].map(([profile, docs]) => [profile, [...docs.values()].map((cii) => /<rsm:ExchangedDocument>\s*<ram:ID>([^<]*)/.exec(cii)?.[1])]);
    expect(facturXFailures(facturx, path.join(root, 'factur-x'))).toEqual([]);
    // BASIC WL writes the VAT breakdown but no lines; MINIMUM neither
    expect(profiles.sort()).toEqual([['BASIC WL', ['F-BIG-1']], ['EN 16931', ['F-SMALL-1']], ['MINIMUM', ['F-BIG-2']]]);
  }, 120_000);

  it('the official CII examples, all valid for the official schematron, have no such sum', async () => {
    const dir = corpus('en16931/cii-examples');
    const files = readdirSync(dir).filter((f) => f.endsWith('.xml'));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const flux = await parseFlux(readFileSync(path.join(dir, f)));
      if (flux.kind === 'CPPStatut') throw new Error(`${f}: not an invoice`);
      expect([f, flux.invoices.flatMap((i) => doubleSumProblems(i, 'EN 16931'))]).toEqual([f, []]);
    }
  });
});
