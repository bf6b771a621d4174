/**
 * The visible pages say what the embedded factur-x.xml says. The XML is taken back out of the
 * PDF by poppler (`pdfdetach`) and read with libxml2 (`xmllint --xpath`); the pages are read
 * by poppler (`pdftotext -bbox`); the amounts are put in French form by the test itself. No
 * word is drawn over another.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Invoice } from '../../src/model/invoice';
import { makeBestFacturX, makeFacturX } from '../../src/transform/facturx/make';
import { parseFlux } from '../../src/transform/parse/flux';
import { corpusFiles } from '../helpers/corpus';
import { FIXTURES_INBOX } from '../helpers/run';
import { PAPETERIE } from '../helpers/ubl-attachments';
import { ln, xpath } from '../helpers/xpath';
import { run } from './oracles';
import { allText, lines, overlaps, pagesOf, type Page } from './page-words';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cf-page-cii-'));

async function invoiceOf(file: string, text?: string): Promise<Invoice> {
  const parsed = await parseFlux(text === undefined ? readFileSync(file) : Buffer.from(text, 'utf8'));
  if (parsed.kind === 'CPPStatut') throw new Error('not an invoice');
  return parsed.invoices[0];
}

interface Made {
  pages: Page[];
  /** every line of every page, its words joined by one space */
  text: string;
  /** the factur-x.xml pdfdetach takes out of the PDF */
  xml: string;
  pdf: string;
}

let n = 0;
async function made(fx: Promise<{ pdf: Uint8Array }>): Promise<Made> {
  const pdf = path.join(dir, `${++n}.pdf`);
  writeFileSync(pdf, (await fx).pdf);
  const xml = path.join(dir, `${n}.xml`);
  expect(run('pdfdetach', ['-savefile', 'factur-x.xml', '-o', xml, pdf]).status).toBe(0);
  const pages = pagesOf(pdf);
  return { pages, text: allText(pages).replace(/[\s\u00a0]+/g, ' '), xml, pdf };
}

/** The values of an XPath, one per node. */
const all = (file: string, expr: string): string[] => xpath(file, expr).split('\n').map((s) => s.trim()).filter((s) => s !== '');
const one = (file: string, expr: string): string | undefined => all(file, expr)[0];

/** A CII amount as a French reader expects it: "1 234,50", two decimals at least, "-" only for a non-zero. */
function fr(v: string): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(v.trim());
  if (!m) throw new Error(`not a decimal: ${v}`);
  const frac = (m[3] ?? '').replace(/0+$/, '').padEnd(2, '0');
  const int = (m[2] || '0').replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${m[1] === '-' && /[1-9]/.test(v) ? '-' : ''}${int}${frac ? `,${frac}` : ''}`;
}
const frDate = (d: string) => `${d.slice(6, 8)}/${d.slice(4, 6)}/${d.slice(0, 4)}`;

/** What a reader must find on the page, read from the CII. */
function expectedOf(xml: string): string[] {
  const sum = (local: string) => one(xml, `${ln('SpecifiedTradeSettlementHeaderMonetarySummation')}/*[local-name()='${local}']/text()`);
  const out: string[] = [];
  const label = (l: string, v: string | undefined) => v !== undefined && out.push(`${l} ${fr(v)}`);
  out.push(`N° ${one(xml, `${ln('ExchangedDocument/ID')}/text()`) ?? ''}`);
  out.push(`Date d'émission ${frDate(one(xml, `${ln('ExchangedDocument/IssueDateTime/DateTimeString')}/text()`) ?? '')}`);
  const due = one(xml, `${ln('SpecifiedTradePaymentTerms/DueDateDateTime/DateTimeString')}/text()`);
  if (due) out.push(`Date d'échéance ${frDate(due)}`);
  // BT-8, in place of a BT-7 date: UNTDID 2475
  const vatDue = one(xml, `${ln('ApplicableHeaderTradeSettlement/ApplicableTradeTax/DueDateTypeCode')}/text()`);
  if (vatDue) out.push(`Exigibilité de la TVA ${{ '5': 'à la date de facture', '29': 'à la livraison', '72': 'au paiement' }[vatDue] ?? vatDue}`);
  for (const party of ['SellerTradeParty', 'BuyerTradeParty']) {
    // a name wraps in its column, beside the other party's: each of its words
    out.push(...all(xml, `${ln(`${party}/Name`)}/text()`).flatMap((name) => name.split(/\s+/)));
    out.push(...all(xml, `${ln(`${party}/SpecifiedTaxRegistration/ID`)}[@schemeID='VA']/text()`).map((id) => `N° TVA : ${id}`));
    out.push(...all(xml, `${ln(`${party}/SpecifiedLegalOrganization/ID`)}/text()`).map((id) => `: ${id}`));
  }
  label('Total HT des lignes', sum('LineTotalAmount'));
  label('Total HT', sum('TaxBasisTotalAmount'));
  label('Total TVA', one(xml, `${ln('SpecifiedTradeSettlementHeaderMonetarySummation/TaxTotalAmount')}[@currencyID=${ln('InvoiceCurrencyCode')}]/text()`));
  const taxCurrency = one(xml, `${ln('TaxCurrencyCode')}/text()`);
  if (taxCurrency) label(`Total TVA (${taxCurrency})`, one(xml, `${ln('SpecifiedTradeSettlementHeaderMonetarySummation/TaxTotalAmount')}[@currencyID='${taxCurrency}']/text()`));
  label('Total TTC', sum('GrandTotalAmount'));
  label('Arrondi', sum('RoundingAmount'));
  // a credit note's amount due is owed to the buyer (UNTDID 1001 credit note codes)
  const credit = ['81', '83', '261', '262', '296', '308', '381', '396', '420', '458', '502', '503', '532'].includes(one(xml, `${ln('ExchangedDocument/TypeCode')}/text()`) ?? '');
  label(credit ? 'NET À DÉDUIRE' : 'NET À PAYER', sum('DuePayableAmount'));
  const taxes = Number(xpath(xml, `count(${ln('ApplicableHeaderTradeSettlement/ApplicableTradeTax')})`));
  for (let k = 1; k <= taxes; k++) {
    const t = `${ln('ApplicableHeaderTradeSettlement/ApplicableTradeTax')}[${k}]`;
    const rate = one(xml, `${t}/*[local-name()='RateApplicablePercent']/text()`);
    const basis = one(xml, `${t}/*[local-name()='BasisAmount']/text()`) ?? '';
    const tax = one(xml, `${t}/*[local-name()='CalculatedAmount']/text()`) ?? '';
    // a rate is shown as written, with a decimal comma
    out.push(`${rate !== undefined ? `${rate.replace('.', ',')} % ` : ''}${fr(basis)} ${fr(tax)}`);
    const code = one(xml, `${t}/*[local-name()='ExemptionReasonCode']/text()`);
    if (code) out.push(`Exonération ${one(xml, `${t}/*[local-name()='CategoryCode']/text()`)} : ${code}`);
  }
  return out;
}

/** Each line of the CII: a row of the table that starts with its id and ends with its net amount. */
function lineRows(m: Made): { id: string; amount: string; found: boolean }[] {
  const ids = all(m.xml, `${ln('IncludedSupplyChainTradeLineItem/AssociatedDocumentLineDocument/LineID')}/text()`);
  const amounts = all(m.xml, `${ln('SpecifiedTradeSettlementLineMonetarySummation/LineTotalAmount')}/text()`);
  const rows = m.pages.flatMap((p) => lines(p).map((l) => l.join(' ').replace(/[\s\u00a0]+/g, ' ')));
  return ids.map((id, k) => {
    const amount = fr(amounts[k]);
    return { id, amount, found: rows.some((r) => r.startsWith(`${id} `) && r.endsWith(` ${amount}`)) };
  });
}

const SOURCES = [...corpusFiles('en16931/ubl-examples', /\.(xml|XML)$/), ...corpusFiles('en16931/cii-examples')];

describe.each(SOURCES.map((s) => [path.basename(s), s]))('official example %s', (_name, source) => {
  it('the page shows the CII: number, dates, VAT point date code, parties (names, VAT and legal ids), totals (in the VAT currency too), VAT breakdown and exemption code, each line, no word over another', async () => {
    const m = await made(makeFacturX(await invoiceOf(source), { profile: 'EN 16931' }));
    for (const e of expectedOf(m.xml)) expect({ e, shown: m.text.includes(e) }).toEqual({ e, shown: true });
    for (const r of lineRows(m)) expect(r).toEqual({ ...r, found: true });
    for (const p of m.pages) expect(overlaps(p)).toEqual([]);
  });
});

describe('the page says what the CII says', () => {
  let base: Invoice;
  beforeAll(async () => {
    base = await invoiceOf(PAPETERIE);
  });

  it('a pivot written with six decimals: its amounts shown with two, as the CII writes them', async () => {
    // AIFE's samples write their amounts so ("3245.000000"); the CII has 1452.00, the page had "1 452,000000 €"
    const six = readFileSync(path.join(FIXTURES_INBOX, 'op-beta/pivot-laposte-3-factures.xml'), 'utf8').replace(/>(-?\d+)\.(\d\d)</g, '>$1.$20000<');
    expect(six).toContain('<MontantTTC>1011.000000</MontantTTC>');
    const m = await made(makeBestFacturX(await invoiceOf('six.xml', six)));
    expect(xpath(m.xml, `string(${ln('DuePayableAmount')})`)).toBe('1011.00');
    for (const e of expectedOf(m.xml)) expect({ e, shown: m.text.includes(e) }).toEqual({ e, shown: true });
    expect(m.text).toContain('NET À PAYER 1 011,00 €');
    expect(m.text).not.toMatch(/,\d\d0000/);
  });

  it('a zero written "-0.00" is shown without its sign, as the CII writes it', async () => {
    const inv: Invoice = {
      ...base,
      lines: [{ ...base.lines[0], netAmount: '-0.00', quantity: '0', price: { net: '4.50' } }, ...base.lines.slice(1)],
      totals: { ...base.totals, lineExtension: '212.00', taxExclusive: '212.00', taxTotal: '38.65', taxInclusive: '250.65', payable: '250.65', rounding: '-0.00' },
      vatBreakdown: [base.vatBreakdown[0], { ...base.vatBreakdown[1], taxableAmount: '62.00', taxAmount: '12.40' }],
    };
    const m = await made(makeFacturX(inv));
    expect(xpath(m.xml, `string(${ln('RoundingAmount')})`)).toBe('0.00');
    expect(m.text).toContain('Arrondi 0,00 €');
    expect(m.text).not.toContain('-0,00');
  });

  it('a VATEX code written in lower case is shown as the CII writes it, in upper case', async () => {
    const inv: Invoice = {
      ...base,
      lines: base.lines.map((l) => ({ ...l, vat: { category: 'E', rate: '0' } })),
      vatBreakdown: [{ category: 'E', rate: '0', taxableAmount: '302.00', taxAmount: '0.00', exemptionReasonCode: 'vatex-eu-132-1i', exemptionReason: 'Formation professionnelle' }],
      totals: { ...base.totals, taxTotal: '0.00', taxInclusive: '302.00', payable: '302.00' },
    };
    const m = await made(makeFacturX(inv));
    expect(xpath(m.xml, `string(${ln('ExemptionReasonCode')})`)).toBe('VATEX-EU-132-1I');
    expect(m.text).toContain('Exonération E : VATEX-EU-132-1I – Formation professionnelle');
  });

  it('an account is labelled "IBAN" when the CII writes it as one (IBANID), else "Compte" (ProprietaryID)', async () => {
    const means = base.paymentMeans[0];
    const inv: Invoice = { ...base, paymentMeans: [{ ...means, accounts: [{ id: 'fr7630004000031234567890143' }] }, { ...means, accounts: [{ id: 'NO12-4711' }] }] };
    const m = await made(makeFacturX(inv));
    expect(all(m.xml, `${ln('IBANID')}/text()`)).toEqual(['fr7630004000031234567890143']);
    expect(all(m.xml, `${ln('ProprietaryID')}/text()`)).toEqual(['NO12-4711']);
    expect(m.text).toContain('IBAN fr76 3000 4000 0312 3456 7890 143');
    expect(m.text).toContain('Compte NO12-4711');
    expect(m.text).not.toContain('IBAN NO12-4711');
  });

  it("a French IBAN stays on one line (wrapped, its last three digits stood alone on the next), and a label never runs into its value", async () => {
    const inv: Invoice = { ...base, payee: { name: 'Affactureur Finance SA', identifier: { value: '11122233300015', scheme: '0009' } } };
    const m = await made(makeFacturX(inv));
    const rows = m.pages.flatMap((p) => lines(p).map((l) => l.join(' ').replace(/[\s\u00a0]+/g, ' ')));
    expect(rows.filter((r) => r.includes('FR76 3000 4000 0312 3456 7890 143'))).toHaveLength(1);
    expect(m.text).toContain('Bénéficiaire du paiement Affactureur Finance SA');
    for (const p of m.pages) expect(overlaps(p)).toEqual([]);
  });
});

describe('the title names the document type of the French list (BT-3), on the page and in the metadata', () => {
  // self-billed: the mention "Autofacturation" is a legal one; these were shown as FACTURE / AVOIR
  const TITLES: [string, string][] = [
    ['380', 'FACTURE'],
    ['389', 'AUTOFACTURE'],
    ['393', 'FACTURE (AFFACTURAGE)'],
    ['501', 'AUTOFACTURE (AFFACTURAGE)'],
    ['386', "FACTURE D'ACOMPTE"],
    ['500', "AUTOFACTURE D'ACOMPTE"],
    ['384', 'FACTURE RECTIFICATIVE'],
    ['471', 'FACTURE RECTIFICATIVE (AUTOFACTURATION)'],
    ['472', 'FACTURE RECTIFICATIVE (AFFACTURAGE)'],
    ['473', 'FACTURE RECTIFICATIVE (AUTOFACTURATION, AFFACTURAGE)'],
    ['261', 'AVOIR (AUTOFACTURATION)'],
    ['262', 'AVOIR (REMISE GLOBALE)'],
    ['381', 'AVOIR'],
    ['396', 'AVOIR (AFFACTURAGE)'],
    ['502', 'AVOIR (AUTOFACTURATION, AFFACTURAGE)'],
    ['503', "AVOIR SUR FACTURE D'ACOMPTE"],
  ];
  let base: Invoice;
  beforeAll(async () => {
    base = await invoiceOf(PAPETERIE);
  });

  it.each(TITLES)('%s: %s', async (code, title) => {
    const m = await made(makeFacturX({ ...base, typeCode: code }));
    expect(xpath(m.xml, `string(${ln('ExchangedDocument/TypeCode')})`)).toBe(code);
    // the title, top left, above the parties: the large words left of the number's column
    const top = m.pages[0].words.filter((w) => w.xMax < 300 && w.yMin < 110 && w.yMax - w.yMin > 12).map((w) => w.text).join(' ');
    expect(top).toBe(title);
    const meta = run('pdfinfo', ['-meta', m.pdf]).stdout;
    const label = title.charAt(0) + title.slice(1).toLowerCase();
    expect(meta).toContain(`: ${label} F-2026-0101</rdf:li>`);
    for (const p of m.pages) expect(overlaps(p)).toEqual([]);
  });
});

describe('a credit note: its amount due (BT-115) is owed to the buyer', () => {
  it('official ubl-tc434-creditnote1: "NET À DÉDUIRE", not "NET À PAYER", and an "Avoir … émis" in the metadata', async () => {
    const source = SOURCES.find((s) => path.basename(s) === 'ubl-tc434-creditnote1.xml') as string;
    const m = await made(makeFacturX(await invoiceOf(source), { profile: 'EN 16931' }));
    expect(xpath(m.xml, `string(${ln('ExchangedDocument/TypeCode')})`)).toBe('381');
    const due = fr(xpath(m.xml, `string(${ln('DuePayableAmount')})`));
    expect(m.text).toContain(`NET À DÉDUIRE ${due} €`);
    expect(m.text).not.toContain('À PAYER');
    expect(run('pdfinfo', [m.pdf]).stdout).toMatch(/^Subject: +Avoir 018304 \/ 28865 du 2019-09-23 émis par /m);
  });

  it('an invoice keeps "NET À PAYER" and "Facture … émise"', async () => {
    const m = await made(makeFacturX(await invoiceOf(PAPETERIE)));
    expect(m.text).toContain('NET À PAYER 340,65 €');
    expect(run('pdfinfo', [m.pdf]).stdout).toMatch(/^Subject: +Facture F-2026-0101 du 2026-11-02 émise par Papeterie Lemoine SAS$/m);
  });
});
