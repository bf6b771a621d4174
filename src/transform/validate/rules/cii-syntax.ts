/**
 * The fatal rules of the official schematron's CII syntax binding: CII-SR-* (cardinalities)
 * and CII-DT-* (data type restrictions: attributes and sub-elements EN 16931 does not use).
 * They run on CII input (and the CII inside a Factur-X) only.
 */
import type { CiiFacts } from '../../../model/syntax-facts';
import type { Rule, RuleContext } from '../rule';
import { ns } from '../xpath';
import { C, each, eachIf, en, HOLDS, pathOf, unless } from './define';
import { CII_SUMMATION_AMOUNTS } from '../facts/cii-facts';

// tests made once at load, not per check (docs/PERFORMANCE.md, thirty-first round)
const notTaxTotal = (a: { name: string }) => a.name !== 'TaxTotalAmount';
const hasNoAttr = (q: { attr?: string }) => q.attr === undefined;
const typeCodeVatIfAny = (t: { hasTypeCode: boolean; typeCode?: string }) => !t.hasTypeCode || t.typeCode === 'VAT';

const ROOT = '/rsm:CrossIndustryInvoice';
const TX = 'SupplyChainTradeTransaction';
const AGR = `${TX}/ApplicableHeaderTradeAgreement`;
const SET = `${TX}/ApplicableHeaderTradeSettlement`;
const SUM = `${SET}/SpecifiedTradeSettlementHeaderMonetarySummation`;
const P_AGR = `${ROOT}/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement`;
const P_SET = `${ROOT}/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement`;

const count = (f: CiiFacts, rel: string) => f.counts[rel] ?? 0;

/** In context `ctxRel` (when present), count(rel) satisfies ok. */
function counted(id: string, appliesTo: string, ctxRel: string, rel: string, ok: (n: number) => boolean, path: string): Rule[] {
  return en(id, 'CII', appliesTo, (ctx) => (count(C(ctx), ctxRel) > 0 ? unless(ok(count(C(ctx), rel)), path) : undefined));
}

/** "X should not be present": the attribute is absent from every listed element. */
function noAttr<T extends { path: string; attrs: string[] }>(id: string, appliesTo: string, list: (f: CiiFacts) => T[], attr: string): Rule[] {
  const ok = (x: T) => !x.attrs.includes(attr);
  return en(id, 'CII', appliesTo, (ctx) => each(list(C(ctx)), ok, pathOf));
}

/** A referenced document must not have the child (unless the exception holds). */
function refDoc(id: string, child: string, allowed?: (d: { name: string; typeCode?: string }) => boolean): Rule[] {
  const ok = (d: { name: string; typeCode?: string; children: string[] }) => !d.children.includes(child) || (allowed !== undefined && allowed(d));
  return en(id, 'CII', 'each referenced document', (ctx) => each(C(ctx).referencedDocuments, ok, pathOf));
}

function periodChild(id: string, child: string): Rule[] {
  const ok = (p: { children: string[] }) => !p.children.includes(child);
  return en(id, 'CII', 'each billing period', (ctx) => each(C(ctx).billingPeriods, ok, pathOf));
}

function addressChild(id: string, child: string): Rule[] {
  return en(id, 'CII', 'each postal address', (ctx) => each(C(ctx).postalAddresses, (p) => !p.children.includes(child), (p) => p.path));
}

const isArd916 = (d: { name: string; typeCode?: string }) => d.name === 'AdditionalReferencedDocument' && d.typeCode === '916';
// the schematron's \s is XPath's: XML white space only (JavaScript's also takes U+00A0)
const DATE_102 = /^[ \t\n\r]*(\d{4})(1[0-2]|0[1-9]){1}(3[01]|[12][0-9]|0[1-9]){1}[ \t\n\r]*$/;

const SUMMATION_IDS: Record<(typeof CII_SUMMATION_AMOUNTS)[number], string> = {
  LineTotalAmount: 'CII-SR-477',
  ChargeTotalAmount: 'CII-SR-478',
  AllowanceTotalAmount: 'CII-SR-479',
  TaxBasisTotalAmount: 'CII-SR-480',
  RoundingAmount: 'CII-SR-481',
  GrandTotalAmount: 'CII-SR-482',
  InformationAmount: 'CII-SR-483',
  TotalPrepaidAmount: 'CII-SR-484',
  TotalDiscountAmount: 'CII-SR-485',
  TotalAllowanceChargeAmount: 'CII-SR-486',
  DuePayableAmount: 'CII-SR-487',
  RetailValueExcludingTaxInformationAmount: 'CII-SR-488',
  TotalDepositFeeInformationAmount: 'CII-SR-489',
  ProductValueExcludingTobaccoTaxInformationAmount: 'CII-SR-490',
  TotalRetailValueInformationAmount: 'CII-SR-491',
  GrossLineTotalAmount: 'CII-SR-492',
  NetLineTotalAmount: 'CII-SR-493',
  NetIncludingTaxesLineTotalAmount: 'CII-SR-494',
};

const FIXED_ID_ATTRS: [string, string][] = [
  ['CII-DT-001', 'schemeName'],
  ['CII-DT-002', 'schemeAgencyName'],
  ['CII-DT-003', 'schemeDataURI'],
  ['CII-DT-004', 'schemeURI'],
  ['CII-DT-005', 'schemeID'],
  ['CII-DT-006', 'schemeAgencyID'],
  ['CII-DT-007', 'schemeVersionID'],
];

const ID_ATTRS: [string, string][] = [
  ['CII-DT-101', 'schemeName'],
  ['CII-DT-102', 'schemeAgencyName'],
  ['CII-DT-103', 'schemeDataURI'],
  ['CII-DT-104', 'schemeURI'],
];

const PERIOD_CHILDREN: [string, string][] = [
  ['CII-DT-069', 'DurationMeasure'],
  ['CII-DT-070', 'InclusiveIndicator'],
  ['CII-DT-071', 'Description'],
  ['CII-DT-073', 'CompleteDateTime'],
  ['CII-DT-074', 'OpenIndicator'],
  ['CII-DT-075', 'SeasonCode'],
  ['CII-DT-076', 'ID'],
  ['CII-DT-077', 'Name'],
  ['CII-DT-078', 'SequenceNumeric'],
  ['CII-DT-079', 'StartDateFlexibilityCode'],
  ['CII-DT-080', 'ContinuousIndicator'],
  ['CII-DT-081', 'PurposeCode'],
];

const ADDRESS_CHILDREN: [string, string][] = [
  ['CII-DT-082', 'ID'],
  ['CII-DT-083', 'PostOfficeBox'],
  ['CII-DT-084', 'BuildingName'],
  ['CII-DT-086', 'LineFour'],
  ['CII-DT-087', 'LineFive'],
  ['CII-DT-088', 'StreetName'],
  ['CII-DT-089', 'CitySubDivisionName'],
  ['CII-DT-090', 'CountryName'],
  ['CII-DT-091', 'CountrySubDivisionID'],
  ['CII-DT-092', 'AttentionOf'],
  ['CII-DT-093', 'CareOf'],
  ['CII-DT-094', 'BuildingNumber'],
  ['CII-DT-095', 'DepartmentName'],
  ['CII-DT-096', 'AdditionalStreetName'],
];

const linePaths = (ctx: RuleContext) => C(ctx).lines;

// the line tests of CII-SR-046, -090, -439, -441 (made once: docs/PERFORMANCE.md, thirty-first round)
type Line = CiiFacts['lines'][number];
const hasProduct = (l: Line) => l.productPath !== undefined;
const globalIdSchemed = (l: Line) => l.globalIdCount === 0 || l.globalIdSchemeCount > 0;
const originCountryOnce = (l: Line) => l.originCountryCount === 0 || l.originCountryIdCount === 1;
const productPathOf = (l: Line) => l.productPath;
const hasAgreement = (l: Line) => l.hasAgreement;
const oneNetPriceCharge = (l: Line) => l.netPriceChargeAmountCount === 1;
const atMostOneNetPriceCharge = (l: Line) => l.netPriceChargeAmountCount <= 1;
const agreementPathOf = (l: Line) => `${l.path}/ram:SpecifiedLineTradeAgreement`;

export const CII_SYNTAX_RULES: Rule[] = [
  ...counted('CII-SR-009', 'document context', 'ExchangedDocumentContext', 'ExchangedDocumentContext/GuidelineSpecifiedDocumentContextParameter', (n) => n === 1, `${ROOT}/rsm:ExchangedDocumentContext`),
  ...counted('CII-SR-010', 'document context', 'ExchangedDocumentContext', 'ExchangedDocumentContext/GuidelineSpecifiedDocumentContextParameter/ID', (n) => n === 1, `${ROOT}/rsm:ExchangedDocumentContext`),
  ...counted('CII-SR-014', 'exchanged document', 'ExchangedDocument', 'ExchangedDocument/TypeCode', (n) => n === 1, `${ROOT}/rsm:ExchangedDocument`),
  ...en('CII-SR-046', 'CII', 'each line product', (ctx) => eachIf(linePaths(ctx), hasProduct, globalIdSchemed, productPathOf)),
  ...en('CII-SR-090', 'CII', 'each line product', (ctx) => eachIf(linePaths(ctx), hasProduct, originCountryOnce, productPathOf)),
  ...en('CII-SR-069', 'CII', 'each product characteristic', (ctx) => eachIf(C(ctx).characteristics, (c) => c.inProduct, (c) => c.descriptionCount === 1, (c) => c.path)),
  ...en('CII-SR-072', 'CII', 'each product characteristic', (ctx) => eachIf(C(ctx).characteristics, (c) => c.inProduct, (c) => c.valueCount === 1, (c) => c.path)),
  ...en('CII-SR-439', 'CII', 'each line agreement', (ctx) => eachIf(linePaths(ctx), hasAgreement, oneNetPriceCharge, agreementPathOf)),
  ...en('CII-SR-441', 'CII', 'each line agreement', (ctx) => eachIf(linePaths(ctx), hasAgreement, atMostOneNetPriceCharge, agreementPathOf)),
  ...en('CII-SR-463', 'CII', 'each allowance or charge', (ctx) => each(C(ctx).allAllowanceCharges, (a) => a.hasChargeIndicator, (a) => a.path)),
  ...en('CII-SR-471', 'CII', 'each allowance or charge', (ctx) => each(C(ctx).allAllowanceCharges, (a) => a.rateCount <= 1, (a) => a.path)),
  ...en('CII-SR-472', 'CII', 'each allowance or charge', (ctx) => each(C(ctx).allAllowanceCharges, (a) => a.taxes.length <= 1, (a) => a.path)),
  ...en('CII-SR-473', 'CII', 'each allowance or charge', (ctx) => each(C(ctx).allAllowanceCharges, (a) => a.actualAmountCount <= 1, (a) => a.path)),
  ...en('CII-SR-440', 'CII', 'each gross price discount', (ctx) => each(C(ctx).grossPriceAllowances, (a) => a.actualAmountCount <= 1, (a) => a.path)),
  ...counted('CII-SR-455', 'header agreement', AGR, `${AGR}/SellerTradeParty/DefinedTradeContact`, (n) => n <= 1, P_AGR),
  ...counted('CII-SR-456', 'header agreement', AGR, `${AGR}/BuyerTradeParty/DefinedTradeContact`, (n) => n <= 1, P_AGR),
  ...counted('CII-SR-459', 'header agreement', AGR, `${AGR}/SellerTradeParty/URIUniversalCommunication`, (n) => n <= 1, P_AGR),
  ...counted('CII-SR-460', 'header agreement', AGR, `${AGR}/BuyerTradeParty/URIUniversalCommunication`, (n) => n <= 1, P_AGR),
  ...counted('CII-SR-461', 'header settlement', SET, `${SET}/ApplicableTradeTax/TaxPointDate`, (n) => n <= 1, P_SET),
  ...en('CII-SR-462', 'CII', 'header settlement', (ctx) => {
    const f = C(ctx);
    if (count(f, SET) === 0) return undefined;
    return unless(f.dueDateTypeCodes.length === 0 || new Set(f.dueDateTypeCodes.map((c) => c.text)).size === 1, P_SET);
  }),
  ...en('CII-SR-470', 'CII', 'header settlement', (ctx) => {
    const f = C(ctx);
    if (count(f, SET) === 0) return undefined;
    const bad = f.paymentMeans.some((p) => {
      const code = ns(p.typeCode);
      return (code === '30' || code === '58') && !p.accounts.some((a) => a.iban !== undefined || a.proprietary !== undefined);
    });
    return unless(!bad, P_SET);
  }),
  ...CII_SUMMATION_AMOUNTS.flatMap((a) => counted(SUMMATION_IDS[a], 'monetary summation', SUM, `${SUM}/${a}`, (n) => n <= 1, `${P_SET}/ram:SpecifiedTradeSettlementHeaderMonetarySummation`)),
  ...en('CII-DT-013', 'CII', 'invoice', (ctx) => unless(!C(ctx).rootAttributes.includes('languageID'), ROOT)),
  ...en('CII-DT-014', 'CII', 'invoice', (ctx) => unless(!C(ctx).rootAttributes.includes('languageLocaleID'), ROOT)),
  ...en('CII-SR-467', 'CII', 'invoice', (ctx) => unless(new Set(C(ctx).paymentMeansTypeCodes.map((c) => ns(c.text))).size <= 1, P_SET)),
  ...en('CII-SR-468', 'CII', 'invoice', (ctx) => unless(new Set(C(ctx).paymentMeans.flatMap((p) => p.informations.map(ns))).size <= 1, P_SET)),
  ...en('CII-SR-469', 'CII', 'invoice', (ctx) => unless(count(C(ctx), `${SET}/PaymentReference`) <= 1, () => `${P_SET}/ram:PaymentReference`)),
  ...FIXED_ID_ATTRS.flatMap(([id, a]) => noAttr(id, 'document, line and product identifiers', (f) => f.fixedIdAttributes, a)),
  ...ID_ATTRS.flatMap(([id, a]) => noAttr(id, 'each identifier', (f) => f.idAttributes.filter((x) => !x.fixed), a)),
  ...noAttr('CII-DT-008', 'each type code', (f) => f.typeCodeAttributes, 'name'),
  ...noAttr('CII-DT-009', 'each type code', (f) => f.typeCodeAttributes, 'listURI'),
  // CII-DT-010…012: the document type code is taken by the //ram:TypeCode template (higher
  // priority) in the official XSLT, so these assertions are never evaluated
  ...en('CII-DT-010', 'CII', 'document type code', HOLDS),
  ...en('CII-DT-011', 'CII', 'document type code', HOLDS),
  ...en('CII-DT-012', 'CII', 'document type code', HOLDS),
  ...refDoc('CII-DT-015', 'URIID', isArd916),
  ...refDoc('CII-DT-016', 'StatusCode'),
  ...refDoc('CII-DT-017', 'CopyIndicator'),
  ...refDoc('CII-DT-018', 'TypeCode', (d) => d.name === 'AdditionalReferencedDocument' && (d.typeCode === '50' || d.typeCode === '130' || d.typeCode === '916')),
  ...refDoc('CII-DT-019', 'GlobalID'),
  ...refDoc('CII-DT-020', 'RevisionID'),
  ...refDoc('CII-DT-021', 'Name', isArd916),
  ...refDoc('CII-DT-022', 'AttachmentBinaryObject', isArd916),
  ...refDoc('CII-DT-023', 'Information'),
  ...refDoc('CII-DT-024', 'ReferenceTypeCode', (d) => d.name === 'AdditionalReferencedDocument' && d.typeCode === '130'),
  ...refDoc('CII-DT-025', 'SectionName'),
  ...refDoc('CII-DT-026', 'PreviousRevisionID'),
  ...refDoc('CII-DT-027', 'FormattedIssueDateTime', (d) => d.name === 'InvoiceReferencedDocument'),
  ...refDoc('CII-DT-028', 'EffectiveSpecifiedPeriod'),
  ...refDoc('CII-DT-029', 'IssuerTradeParty'),
  ...refDoc('CII-DT-030', 'AttachedSpecifiedBinaryFile'),
  ...noAttr('CII-DT-031', 'each amount', (f) => f.amounts.filter(notTaxTotal), 'currencyID'),
  ...noAttr('CII-DT-032', 'each amount', (f) => f.amounts.filter(notTaxTotal), 'currencyCodeListVersionID'),
  ...en('CII-DT-033', 'CII', 'each quantity', (ctx) => (C(ctx).hasBilledQuantityUnitCode ? undefined : each(C(ctx).quantities, hasNoAttr, pathOf))),
  ...noAttr('CII-DT-034', 'each quantity', (f) => f.quantities, 'unitCodeListID'),
  ...noAttr('CII-DT-035', 'each quantity', (f) => f.quantities, 'unitCodeListAgencyID'),
  ...noAttr('CII-DT-036', 'each quantity', (f) => f.quantities, 'unitCodeListAgencyName'),
  ...en('CII-DT-037', 'CII', 'each trade tax', (ctx) => each(C(ctx).tradeTaxTypeCodes, typeCodeVatIfAny, pathOf)),
  ...en('CII-DT-068', 'CII', 'each billing period', (ctx) => each(C(ctx).billingPeriods, (p) => !p.startDateTime, (p) => p.path)),
  ...en('CII-DT-072', 'CII', 'each billing period', (ctx) => each(C(ctx).billingPeriods, (p) => !p.endDateTime, (p) => p.path)),
  ...PERIOD_CHILDREN.flatMap(([id, child]) => periodChild(id, child)),
  ...ADDRESS_CHILDREN.flatMap(([id, child]) => addressChild(id, child)),
  ...en('CII-DT-097', 'CII', 'each date', (ctx) => each(C(ctx).dates102, (d) => DATE_102.test(d.text), (d) => d.path)),
];
