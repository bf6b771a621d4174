/**
 * EN 16931 code list rules BR-CL-*: codes, currency ids, schemes and units belong to the
 * official code lists (schemas/codelists, loaded by ../codelists.ts). The UBL and CII
 * schematrons bind them to different elements; each syntax follows its own.
 */
import { CODES, SUBJECT_STRING_UBL } from '../codelists';
import type { Rule, RuleContext } from '../rule';
import { inList, ns } from '../xpath';
import { C, each, eachIf, en, U } from './define';
import type { AttrFact, CiiTaxFact, TextFact } from '../../../model/syntax-facts';

const UBL_AMOUNTS = new Set([
  'Amount',
  'BaseAmount',
  'PriceAmount',
  'TaxAmount',
  'TaxableAmount',
  'LineExtensionAmount',
  'TaxExclusiveAmount',
  'TaxInclusiveAmount',
  'AllowanceTotalAmount',
  'ChargeTotalAmount',
  'PrepaidAmount',
  'PayableRoundingAmount',
  'PayableAmount',
]);

type ListName = keyof typeof CODES;

/** For each code list, the test of a fact's value against it: made once here, not on every invoice. */
function listTests<F>(value: (x: F) => string | undefined): Record<ListName, (x: F) => boolean> {
  const tests = {} as Record<ListName, (x: F) => boolean>;
  for (const name of Object.keys(CODES) as ListName[]) {
    const list = CODES[name];
    tests[name] = (x) => inList(list, value(x));
  }
  return tests;
}

/** the element's text in the list */
const TEXT_IN = listTests((x: TextFact) => x.text);
/** the attribute's value in the list */
const ATTR_IN = listTests((x: AttrFact) => x.attr);
const path = (x: { path: string }) => x.path;

// tests made once at load, not per check (docs/PERFORMANCE.md, thirty-first round)
const isUblAmount = (a: AttrFact) => UBL_AMOUNTS.has(a.name);
const isTaxTotalWithCurrency = (a: AttrFact) => a.name === 'TaxTotalAmount' && a.attr !== undefined;
const hasCategoryCode = (t: CiiTaxFact) => t.categoryCode !== undefined;
const categoryCodeListed = (t: CiiTaxFact) => inList(CODES.vatCategory, t.categoryCode);
const categoryCodePath = (t: CiiTaxFact) => `${t.path}/ram:CategoryCode`;

/** BR-CL-08 (UBL): a note "#XXX#…" names a UNCL 4451 subject, matched as a substring of the list */
function ublNoteOk(text: string): boolean {
  const i = text.indexOf('#');
  if (i < 0) return true;
  const rest = text.slice(i + 1);
  const j = rest.indexOf('#');
  const code = j < 0 ? '' : rest.slice(0, j);
  if ([...code].length !== 3) return true;
  return SUBJECT_STRING_UBL.includes(code);
}

const ublRules: Rule[] = [
  ...en('BR-CL-01', 'UBL', 'invoice type code', (ctx: RuleContext) =>
    each(U(ctx).typeCodes, (t) => inList(t.name === 'InvoiceTypeCode' ? CODES.invoiceTypeUbl : CODES.creditNoteTypeUbl, t.text), path)),
  ...en('BR-CL-03', 'UBL', 'each amount', (ctx) => eachIf(U(ctx).amounts, isUblAmount, ATTR_IN.currency, path)),
  ...en('BR-CL-04', 'UBL', 'invoice currency code', (ctx) => each(U(ctx).documentCurrencyCodes, TEXT_IN.currency, path)),
  ...en('BR-CL-05', 'UBL', 'VAT accounting currency code', (ctx) => each(U(ctx).taxCurrencyCodes, TEXT_IN.currency, path)),
  ...en('BR-CL-06', 'UBL', 'VAT point date code', (ctx) => each(U(ctx).descriptionCodes, TEXT_IN.vatDateUbl, path)),
  ...en('BR-CL-07', 'UBL', 'invoiced object identifier scheme', (ctx) => each(U(ctx).objectIdSchemes, ATTR_IN.objectScheme, path)),
  ...en('BR-CL-08', 'UBL', 'each invoice note', (ctx) => each(U(ctx).notes, (n) => ublNoteOk(n.text), path)),
  ...en('BR-CL-10', 'UBL', 'each party identifier scheme', (ctx) =>
    each(U(ctx).partyIdentificationSchemes, (x) => inList(CODES.icd, x.attr) || (ns(x.attr) === 'SEPA' && x.inSupplierOrPayee), path)),
  ...en('BR-CL-11', 'UBL', 'each legal registration identifier scheme', (ctx) => each(U(ctx).legalEntitySchemes, ATTR_IN.icd, path)),
  ...en('BR-CL-13', 'UBL', 'each item classification scheme', (ctx) => each(U(ctx).classificationListIds, ATTR_IN.itemClassification, path)),
  ...en('BR-CL-14', 'UBL', 'each country code', (ctx) => eachIf(U(ctx).identificationCodes, (c) => c.parent === 'Country', TEXT_IN.countryUbl, path)),
  ...en('BR-CL-15', 'UBL', 'each item country of origin', (ctx) => eachIf(U(ctx).identificationCodes, (c) => c.parent === 'OriginCountry', TEXT_IN.countryUbl, path)),
  ...en('BR-CL-16', 'UBL', 'each payment means code', (ctx) => eachIf(U(ctx).paymentMeansCodes, (c) => c.underPaymentMeans, TEXT_IN.paymentMeans, path)),
  ...en('BR-CL-17', 'UBL', 'each tax category code', (ctx) => each(U(ctx).taxCategoryIds, TEXT_IN.vatCategory, path)),
  ...en('BR-CL-18', 'UBL', 'each invoiced item tax category code', (ctx) => each(U(ctx).classifiedTaxCategoryIds, TEXT_IN.vatCategory, path)),
  ...en('BR-CL-19', 'UBL', 'each allowance reason code', (ctx) => eachIf(U(ctx).allowanceReasonCodes, (r) => r.charge === false, TEXT_IN.allowanceReason, path)),
  ...en('BR-CL-20', 'UBL', 'each charge reason code', (ctx) => eachIf(U(ctx).allowanceReasonCodes, (r) => r.charge === true, TEXT_IN.chargeReason, path)),
  ...en('BR-CL-21', 'UBL', 'each item standard identifier scheme', (ctx) => each(U(ctx).standardItemSchemes, ATTR_IN.icd, path)),
  ...en('BR-CL-22', 'UBL', 'each VAT exemption reason code', (ctx) => each(U(ctx).exemptionReasonCodes, (x) => inList(CODES.vatex, ns(x.text).toUpperCase()), path)),
  ...en('BR-CL-23', 'UBL', 'each unit of measure', (ctx) => each(U(ctx).quantityUnitCodes, ATTR_IN.unit, path)),
  ...en('BR-CL-24', 'UBL', 'each attached document', (ctx) =>
    eachIf(U(ctx).binaryObjects, (b) => b.name === 'EmbeddedDocumentBinaryObject' && b.attr !== undefined, (b) => CODES.mime.has(b.attr as string), path)),
  ...en('BR-CL-25', 'UBL', 'each electronic address scheme', (ctx) => each(U(ctx).endpointSchemes, ATTR_IN.eas, path)),
  ...en('BR-CL-26', 'UBL', 'deliver to location identifier scheme', (ctx) => each(U(ctx).deliveryLocationSchemes, ATTR_IN.icd, path)),
];

const ciiRules: Rule[] = [
  ...en('BR-CL-01', 'CII', 'invoice type code', (ctx) => each(C(ctx).documentTypeCodes, TEXT_IN.documentTypeCii, path)),
  ...en('BR-CL-03', 'CII', 'each VAT total currency', (ctx) => eachIf(C(ctx).amounts, isTaxTotalWithCurrency, ATTR_IN.currency, path)),
  ...en('BR-CL-04', 'CII', 'invoice currency code', (ctx) => each(C(ctx).invoiceCurrencyCodes, TEXT_IN.currency, path)),
  ...en('BR-CL-05', 'CII', 'VAT accounting currency code', (ctx) => each(C(ctx).taxCurrencyCodes, TEXT_IN.currency, path)),
  ...en('BR-CL-06', 'CII', 'VAT point date code', (ctx) => each(C(ctx).dueDateTypeCodes, TEXT_IN.vatDateCii, path)),
  ...en('BR-CL-07', 'CII', 'each reference type code', (ctx) => each(C(ctx).referenceTypeCodes, TEXT_IN.objectScheme, path)),
  ...en('BR-CL-08', 'CII', 'each note subject code', (ctx) => each(C(ctx).subjectCodes, TEXT_IN.subjectCii, path)),
  ...en('BR-CL-10', 'CII', 'each global identifier scheme', (ctx) => eachIf(C(ctx).globalIdSchemes, (g) => !g.inProduct && !g.inShipTo, ATTR_IN.icd, path)),
  ...en('BR-CL-11', 'CII', 'each identifier scheme', (ctx) => eachIf(C(ctx).idSchemes, (i) => !i.inTaxRegistration, ATTR_IN.icd, path)),
  ...en('BR-CL-13', 'CII', 'each item classification scheme', (ctx) => each(C(ctx).classCodeListIds, ATTR_IN.itemClassification, path)),
  ...en('BR-CL-14', 'CII', 'each country code', (ctx) => each(C(ctx).countryIds, TEXT_IN.countryCii, path)),
  ...en('BR-CL-15', 'CII', 'each item country of origin', (ctx) => each(C(ctx).originCountryIds, TEXT_IN.countryCii, path)),
  ...en('BR-CL-16', 'CII', 'each payment means code', (ctx) => each(C(ctx).paymentMeansTypeCodes, TEXT_IN.paymentMeans, path)),
  ...en('BR-CL-17', 'CII', 'each allowance or charge VAT category', (ctx) =>
    eachIf(C(ctx).categoryTradeTaxes, hasCategoryCode, categoryCodeListed, categoryCodePath)),
  ...en('BR-CL-18', 'CII', 'each VAT category', (ctx) =>
    eachIf(C(ctx).applicableTradeTaxes, hasCategoryCode, categoryCodeListed, categoryCodePath)),
  ...en('BR-CL-19', 'CII', 'each allowance reason code', (ctx) => eachIf(C(ctx).allowanceReasonCodes, (r) => r.charge === false, TEXT_IN.allowanceReason, path)),
  ...en('BR-CL-20', 'CII', 'each charge reason code', (ctx) => eachIf(C(ctx).allowanceReasonCodes, (r) => r.charge === true, TEXT_IN.chargeReason, path)),
  ...en('BR-CL-21', 'CII', 'each item standard identifier scheme', (ctx) => eachIf(C(ctx).globalIdSchemes, (g) => g.productDirect, ATTR_IN.icd, path)),
  ...en('BR-CL-22', 'CII', 'each VAT exemption reason code', (ctx) => each(C(ctx).exemptionReasonCodes, (x) => inList(CODES.vatex, ns(x.text).toUpperCase()), path)),
  ...en('BR-CL-23', 'CII', 'each unit of measure', (ctx) => each(C(ctx).unitCodes, ATTR_IN.unit, path)),
  ...en('BR-CL-24', 'CII', 'each attached document', (ctx) => each(C(ctx).attachmentMimeCodes, (b) => CODES.mime.has(b.attr as string), path)),
  ...en('BR-CL-25', 'CII', 'each electronic address scheme', (ctx) => each(C(ctx).uriSchemes, ATTR_IN.eas, path)),
  ...en('BR-CL-26', 'CII', 'deliver to location identifier scheme', (ctx) => eachIf(C(ctx).globalIdSchemes, (g) => g.shipToDirect, ATTR_IN.icd, path)),
];

export const CL_RULES: Rule[] = [...ublRules, ...ciiRules];
