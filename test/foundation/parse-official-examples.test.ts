/**
 * Every official EN 16931 UBL and CII example parses into the model with the source's
 * totals (BT-106, BT-109, BT-110, BT-112, BT-115), VAT breakdown and number of lines.
 * The oracle is libxml2's XPath over the same files.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseFlux } from '../../src/transform/parse/flux';
import type { Invoice } from '../../src/model/invoice';
import { corpusFiles } from '../helpers/corpus';
import { ln, xpath } from '../helpers/xpath';

async function parseOne(file: string): Promise<Invoice> {
  const r = await parseFlux(readFileSync(file));
  if (r.kind === 'CPPStatut') throw new Error('unexpected status flow');
  expect(r.invoices).toHaveLength(1);
  return r.invoices[0];
}

const num = (s: string | undefined) => (s === undefined || s === '' ? undefined : Number(s));

describe('official EN 16931 UBL examples', () => {
  const files = corpusFiles('en16931/ubl-examples', /\.(xml|XML)$/);
  it('finds the 18 examples', () => expect(files).toHaveLength(18));
  test.each(files.map((f) => [path.basename(f), f]))('%s', async (_name, file) => {
    const inv = await parseOne(file);
    const t = (p: string) => xpath(file, `string(${ln(p, true)})`);
    const root = xpath(file, 'local-name(/*)');
    expect(inv.documentKind).toBe(root);
    expect(inv.number).toBe(t(`${root}/ID`));
    expect(num(inv.totals.lineExtension)).toBe(num(t(`${root}/LegalMonetaryTotal/LineExtensionAmount`)));
    expect(num(inv.totals.taxExclusive)).toBe(num(t(`${root}/LegalMonetaryTotal/TaxExclusiveAmount`)));
    expect(num(inv.totals.taxInclusive)).toBe(num(t(`${root}/LegalMonetaryTotal/TaxInclusiveAmount`)));
    expect(num(inv.totals.payable)).toBe(num(t(`${root}/LegalMonetaryTotal/PayableAmount`)));
    // BT-110: the TaxTotal/TaxAmount in the document currency
    const currency = t(`${root}/DocumentCurrencyCode`);
    const bt110 = xpath(file, `string(/*/*[local-name()='TaxTotal']/*[local-name()='TaxAmount'][@currencyID='${currency}'])`);
    expect(num(inv.totals.taxTotal)).toBe(num(bt110));
    const lineName = root === 'CreditNote' ? 'CreditNoteLine' : 'InvoiceLine';
    expect(inv.lines).toHaveLength(Number(xpath(file, `count(/*/*[local-name()='${lineName}'])`)));
    const subtotals = Number(xpath(file, `count(/*/*[local-name()='TaxTotal']/*[local-name()='TaxSubtotal'])`));
    expect(inv.vatBreakdown).toHaveLength(subtotals);
    inv.vatBreakdown.forEach((v, k) => {
      const base = `(/*/*[local-name()='TaxTotal']/*[local-name()='TaxSubtotal'])[${k + 1}]`;
      expect(num(v.taxableAmount)).toBe(num(xpath(file, `string(${base}/*[local-name()='TaxableAmount'])`)));
      expect(num(v.taxAmount)).toBe(num(xpath(file, `string(${base}/*[local-name()='TaxAmount'])`)));
      expect(v.category).toBe(xpath(file, `string(${base}/*[local-name()='TaxCategory']/*[local-name()='ID'])`));
    });
  });
});

describe('official EN 16931 CII examples', () => {
  const files = corpusFiles('en16931/cii-examples');
  it('finds the 15 examples', () => expect(files).toHaveLength(15));
  test.each(files.map((f) => [path.basename(f), f]))('%s', async (_name, file) => {
    const inv = await parseOne(file);
    const sum = (p: string) => xpath(file, `string(//*[local-name()='SpecifiedTradeSettlementHeaderMonetarySummation']/*[local-name()='${p}'])`);
    expect(inv.number).toBe(xpath(file, `string(${ln('CrossIndustryInvoice/ExchangedDocument/ID', true)})`));
    expect(num(inv.totals.lineExtension)).toBe(num(sum('LineTotalAmount')));
    expect(num(inv.totals.taxExclusive)).toBe(num(sum('TaxBasisTotalAmount')));
    expect(num(inv.totals.taxInclusive)).toBe(num(sum('GrandTotalAmount')));
    expect(num(inv.totals.payable)).toBe(num(sum('DuePayableAmount')));
    const currency = xpath(file, `string(//*[local-name()='ApplicableHeaderTradeSettlement']/*[local-name()='InvoiceCurrencyCode'])`);
    const bt110 = xpath(file, `string(//*[local-name()='SpecifiedTradeSettlementHeaderMonetarySummation']/*[local-name()='TaxTotalAmount'][@currencyID='${currency}' or not(@currencyID)])`);
    expect(num(inv.totals.taxTotal)).toBe(num(bt110));
    expect(inv.lines).toHaveLength(Number(xpath(file, `count(//*[local-name()='IncludedSupplyChainTradeLineItem'])`)));
    const taxes = `//*[local-name()='ApplicableHeaderTradeSettlement']/*[local-name()='ApplicableTradeTax']`;
    expect(inv.vatBreakdown).toHaveLength(Number(xpath(file, `count(${taxes})`)));
    inv.vatBreakdown.forEach((v, k) => {
      expect(num(v.taxableAmount)).toBe(num(xpath(file, `string((${taxes})[${k + 1}]/*[local-name()='BasisAmount'])`)));
      expect(num(v.taxAmount)).toBe(num(xpath(file, `string((${taxes})[${k + 1}]/*[local-name()='CalculatedAmount'])`)));
      expect(v.category).toBe(xpath(file, `string((${taxes})[${k + 1}]/*[local-name()='CategoryCode'])`));
    });
  });
});
