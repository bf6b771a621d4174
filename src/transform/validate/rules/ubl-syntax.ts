/**
 * The fatal rules of the official schematron's UBL syntax binding (UBL-SR-*, UBL-DT-*,
 * UBL-CR-*): how many times an element may occur, attributes binary objects need, amount
 * decimals. They run on UBL input only.
 */
import type { Rule, RuleContext } from '../rule';
import { decimalsWritten } from '../xpath';
import { each, eachIf, en, memo, pathOf, U, unless } from './define';

// tests made once at load, not per check (docs/PERFORMANCE.md, thirty-first round)
const isNonPriceAmount = (a: { name: string; underPriceAllowance: boolean }) => !a.name.endsWith('PriceAmount') && !a.underPriceAllowance;
const twoDecimalsAtMost = (a: { text?: string }) => decimalsWritten(a.text) <= 2;

const R = (ctx: RuleContext) => (U(ctx).root === 'Invoice' ? '/Invoice' : '/CreditNote');

const AGGREGATES = new Set(['InvoicePeriod', 'Delivery', 'CardAccount', 'PaymentMandate', 'PartyTaxScheme']);

/** 'PaymentMeans/CardAccount' → 'cac:PaymentMeans/cac:CardAccount' */
function prefixed(rel: string): string {
  const steps = rel.split('/');
  return steps.map((s, i) => (i < steps.length - 1 || AGGREGATES.has(s) ? `cac:${s}` : `cbc:${s}`)).join('/');
}

/** A document-level count (UBL_ROOT_COUNTS) bounded by max. */
function rootMax(id: string, rel: string, max: number, appliesTo = 'invoice'): Rule[] {
  const tail = prefixed(rel);
  return en(id, 'UBL', appliesTo, (ctx) => ((U(ctx).counts[rel] ?? 0) <= max ? undefined : [{ path: `${R(ctx)}/${tail}` }]));
}

/** A line-level count (UBL_LINE_COUNTS) bounded. */
function lineCount(id: string, rel: string, ok: (n: number) => boolean): Rule[] {
  return en(id, 'UBL', 'each invoice line', (ctx) => each(U(ctx).lines, (l) => ok(l.counts[rel] ?? 0), (l) => l.path));
}

const upper = (s: string | undefined) => (s === undefined ? undefined : s.toUpperCase());

/** (PartyName/Name) != (seller RegistrationName): a general comparison, false when either side is empty. */
function payeeNameDiffers(ctx: RuleContext): boolean {
  const f = U(ctx);
  const names = f.payee?.names ?? [];
  return names.some((n) => f.sellerRegistrationNames.some((s) => s !== n));
}

export const UBL_SYNTAX_RULES: Rule[] = [
  ...en('UBL-SR-51', 'UBL', 'each address', (ctx) => each(U(ctx).addressLineCounts, (a) => a.count <= 1, (a) => a.path)),
  ...en('UBL-SR-42', 'UBL', 'seller', (ctx) =>
    U(ctx).hasSupplierParty ? unless((U(ctx).counts['AccountingSupplierParty/Party/PartyTaxScheme'] ?? 0) <= 2, () => `${R(ctx)}/cac:AccountingSupplierParty/cac:Party`) : undefined),
  ...en('UBL-SR-33', 'UBL', 'each additional supporting document', (ctx) => each(U(ctx).documentReferences, (r) => r.descriptionCount <= 1, (r) => r.path)),
  // The project's convention for IPM4-001 types attachments by cbc:DocumentTypeCode (DESIGN.md §3),
  // which UBL-SR-43 forbids: for Chorus Pro flows it is reported as a warning.
  ...en(
    'UBL-SR-43',
    'UBL',
    'each additional supporting document',
    (ctx) =>
      each(
        U(ctx).documentReferences,
        (r) => r.typeCode === '130' || (U(ctx).root === 'CreditNote' && r.typeCode === '50') || (r.idScheme === undefined && r.typeCode === undefined),
        (r) => r.path,
      ),
    { severityIn: { chorus: 'warning' } },
  ),
  ...en('UBL-DT-01', 'UBL', 'each amount', (ctx) =>
    eachIf(U(ctx).amounts, isNonPriceAmount, twoDecimalsAtMost, pathOf)),
  ...en('UBL-DT-06', 'UBL', 'each binary object', (ctx) => each(U(ctx).binaryObjects, (b) => b.attr !== undefined, (b) => b.path)),
  ...en('UBL-DT-07', 'UBL', 'each binary object', (ctx) => each(U(ctx).binaryObjects, (b) => b.filename !== undefined, (b) => b.path)),
  ...en('UBL-SR-25', 'UBL', 'each delivery', (ctx) => each(U(ctx).deliveries, (d) => d.partyNameCount <= 1, (d) => d.path)),
  ...en('UBL-SR-30', 'UBL', 'each allowance', (ctx) => eachIf(allAc(ctx), (a) => a.charge === false, (a) => a.reasonCount <= 1, (a) => a.path)),
  ...en('UBL-SR-31', 'UBL', 'each charge', (ctx) => eachIf(allAc(ctx), (a) => a.charge === true, (a) => a.reasonCount <= 1, (a) => a.path)),
  ...en('UBL-SR-53', 'UBL', 'each party tax scheme', (ctx) => each(U(ctx).partyTaxSchemes, (t) => t.scheme !== undefined && t.companyIdCount > 0, (t) => t.path)),
  ...en('UBL-CR-666', 'UBL', 'invoice', (ctx) => unless(!U(ctx).documentReferences.some((r) => r.typeCode === '130' && r.hasAttachment), () => `${R(ctx)}/cac:AdditionalDocumentReference`)),
  ...en('UBL-CR-673', 'UBL', 'invoice', (ctx) => unless(!U(ctx).documentReferences.some((r) => r.typeCode === '130' && r.descriptionCount > 0), () => `${R(ctx)}/cac:AdditionalDocumentReference`)),
  ...rootMax('UBL-SR-01', 'ContractDocumentReference/ID', 1),
  ...rootMax('UBL-SR-02', 'ReceiptDocumentReference/ID', 1),
  ...rootMax('UBL-SR-03', 'DespatchDocumentReference/ID', 1),
  ...en('UBL-SR-04', 'UBL', 'invoice', (ctx) =>
    unless(U(ctx).documentReferences.filter((r) => r.typeCode === '130' && r.id !== undefined).length <= 1, () => `${R(ctx)}/cac:AdditionalDocumentReference`)),
  ...rootMax('UBL-SR-05', 'PaymentTerms/Note', 1),
  ...rootMax('UBL-SR-08', 'InvoicePeriod', 1),
  ...rootMax('UBL-SR-09', 'AccountingSupplierParty/Party/PartyLegalEntity/RegistrationName', 1),
  ...rootMax('UBL-SR-10', 'AccountingSupplierParty/Party/PartyName/Name', 1),
  ...rootMax('UBL-SR-11', 'AccountingSupplierParty/Party/PartyLegalEntity/CompanyID', 1),
  ...en('UBL-SR-12', 'UBL', 'invoice', (ctx) =>
    unless(sumCompanyIds(U(ctx).sellerTaxSchemes, (s) => upper(s) === 'VAT') <= 1, () => `${R(ctx)}/cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme`)),
  ...en('UBL-SR-13', 'UBL', 'invoice', (ctx) =>
    unless(sumCompanyIds(U(ctx).sellerTaxSchemes, (s) => s !== undefined && upper(s) !== 'VAT') <= 1, () => `${R(ctx)}/cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme`)),
  ...rootMax('UBL-SR-14', 'AccountingSupplierParty/Party/PartyLegalEntity/CompanyLegalForm', 1),
  ...rootMax('UBL-SR-15', 'AccountingCustomerParty/Party/PartyLegalEntity/RegistrationName', 1),
  ...rootMax('UBL-SR-16', 'AccountingCustomerParty/Party/PartyIdentification/ID', 1),
  ...rootMax('UBL-SR-17', 'AccountingCustomerParty/Party/PartyLegalEntity/CompanyID', 1),
  ...en('UBL-SR-18', 'UBL', 'invoice', (ctx) =>
    unless(sumCompanyIds(U(ctx).buyerTaxSchemes, (s) => upper(s) === 'VAT') <= 1, () => `${R(ctx)}/cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme`)),
  ...rootMax('UBL-SR-24', 'Delivery', 1),
  ...en('UBL-SR-29', 'UBL', 'invoice', (ctx) => unless(U(ctx).partyIdentificationSchemes.filter((p) => upper(p.attr) === 'SEPA').length <= 1, R(ctx))),
  ...rootMax('UBL-SR-39', 'ProjectReference/ID', 1),
  ...rootMax('UBL-SR-40', 'AccountingCustomerParty/Party/PartyName/Name', 1),
  ...en('UBL-SR-44', 'UBL', 'invoice', (ctx) => unless(new Set(U(ctx).paymentIds.map((p) => p.text)).size <= 1, () => `${R(ctx)}/cac:PaymentMeans`)),
  ...rootMax('UBL-SR-45', 'PaymentMeans/PaymentDueDate', 1),
  ...en('UBL-SR-46', 'UBL', 'invoice', (ctx) => unless(U(ctx).paymentMeans.reduce((n, p) => n + p.codeNameCount, 0) <= 1, () => `${R(ctx)}/cac:PaymentMeans`)),
  ...en('UBL-SR-47', 'UBL', 'invoice', (ctx) => unless(new Set(U(ctx).paymentMeansCodes.map((p) => p.text)).size <= 1, () => `${R(ctx)}/cac:PaymentMeans`)),
  ...rootMax('UBL-SR-49', 'InvoicePeriod/DescriptionCode', 1),
  ...rootMax('UBL-SR-54', 'PaymentMeans/CardAccount', 1),
  ...rootMax('UBL-SR-55', 'PaymentMeans/PaymentMandate', 1),
  ...rootMax('UBL-SR-56', 'OriginatorDocumentReference/ID', 1),
  ...lineCount('UBL-SR-34', 'Note', (n) => n <= 1),
  ...lineCount('UBL-SR-35', 'OrderLineReference/LineID', (n) => n <= 1),
  ...lineCount('UBL-SR-36', 'InvoicePeriod', (n) => n <= 1),
  ...lineCount('UBL-SR-37', 'Price/AllowanceCharge/Amount', (n) => n <= 1),
  ...lineCount('UBL-SR-48', 'Item/ClassifiedTaxCategory', (n) => n === 1),
  ...lineCount('UBL-SR-50', 'Item/Description', (n) => n <= 1),
  ...lineCount('UBL-SR-52', 'DocumentReference', (n) => n <= 1),
  ...en('UBL-SR-19', 'UBL', 'payee party', (ctx) => {
    const p = U(ctx).payee;
    return p ? unless(p.names.length <= 1 && payeeNameDiffers(ctx), p.path) : undefined;
  }),
  ...en('UBL-SR-20', 'UBL', 'payee party', (ctx) => {
    const p = U(ctx).payee;
    // upper-case(()) is '', which differs from 'SEPA': identifiers without a scheme count
    return p ? unless(p.ids.filter((i) => upper(i.attr) !== 'SEPA').length <= 1 && payeeNameDiffers(ctx), p.path) : undefined;
  }),
  ...en('UBL-SR-21', 'UBL', 'payee party', (ctx) => {
    const p = U(ctx).payee;
    return p ? unless(p.legalIdCount <= 1 && payeeNameDiffers(ctx), p.path) : undefined;
  }),
  ...en('UBL-SR-26', 'UBL', 'each payment instruction', (ctx) => each(U(ctx).paymentMeans, (p) => p.paymentIdCount <= 1, (p) => p.path)),
  ...en('UBL-SR-27', 'UBL', 'each payment instruction', (ctx) => each(U(ctx).paymentMeans, (p) => p.codeCount <= 1, (p) => p.path)),
  ...en('UBL-SR-28', 'UBL', 'each payment instruction', (ctx) => each(U(ctx).paymentMeans, (p) => p.mandateIdCount <= 1, (p) => p.path)),
  ...en('UBL-SR-06', 'UBL', 'each preceding invoice reference', (ctx) => each(U(ctx).billingReferences, (b) => b.docRefCount <= 1, (b) => b.path)),
  ...en('UBL-SR-07', 'UBL', 'each preceding invoice reference', (ctx) => each(U(ctx).billingReferences, (b) => b.hasId, (b) => b.path)),
  ...en('UBL-SR-22', 'UBL', 'seller tax representative', (ctx) => {
    const r = U(ctx).taxRepresentative;
    return r ? unless(r.nameCount <= 1, r.path) : undefined;
  }),
  ...en('UBL-SR-23', 'UBL', 'seller tax representative', (ctx) => {
    const r = U(ctx).taxRepresentative;
    return r ? unless(r.vatCompanyIdCount <= 1, r.path) : undefined;
  }),
  ...en('UBL-SR-32', 'UBL', 'each VAT breakdown', (ctx) => each(U(ctx).taxTotals.flatMap((t) => t.subtotals), (s) => s.exemptionReasonCount <= 1, (s) => s.path)),
];

function allAc(ctx: RuleContext) {
  const f = U(ctx);
  return memo(f, 'allAc', () => [...f.allowanceCharges, ...f.lines.flatMap((l) => l.allowanceCharges)]);
}

function sumCompanyIds(schemes: { scheme?: string; companyIdCount: number }[], match: (scheme: string | undefined) => boolean): number {
  let n = 0;
  for (const s of schemes) if (match(s.scheme)) n += s.companyIdCount;
  return n;
}
