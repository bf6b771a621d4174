/**
 * EN 16931 core business rules BR-01 … BR-65, for UBL and CII. Each check follows the
 * official schematron of its syntax (corpus/en16931/xslt): where the two bindings test a
 * rule differently (context, existence vs. non-empty…), the rule has one check per syntax.
 */
import type { AllowanceCharge, InvoiceLine } from '../../../model/invoice';
import type { CiiAllowanceChargeFact, CiiFacts, CiiLineFact, UblAllowanceChargeFact } from '../../../model/syntax-facts';
import { xsDateInstant } from '../../../model/xs-date';
import type { Rule, RuleContext, Violation } from '../rule';
import { cmp, filled, ns } from '../xpath';
import { C, each, eachLine, en, isVatType, isVatWithCategory, isVatWithId, memo, U, unless } from './define';

const R = (ctx: RuleContext) => (U(ctx).root === 'Invoice' ? '/Invoice' : '/CreditNote');
const CII = '/rsm:CrossIndustryInvoice';
const CII_AGR = `${CII}/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement`;
const CII_SET = `${CII}/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement`;

const linePathU = (ctx: RuleContext, k: number) => U(ctx).lines[k]?.path;
const linePathC = (ctx: RuleContext, k: number) => C(ctx).lines[k]?.path;

/** The lines that fail `ok`, each at its path in the syntax's facts (a plain loop: no closure per invoice). */
function failingLines(ctx: RuleContext, ok: (ctx: RuleContext, k: number) => boolean, facts: readonly { path: string }[]): Violation[] | undefined {
  let out: Violation[] | undefined;
  const n = ctx.invoice.lines.length;
  for (let k = 0; k < n; k++) if (!ok(ctx, k)) (out ??= []).push({ path: facts[k]?.path });
  return out;
}

/** Per-line check, one finding per failing line, for both syntaxes. */
function perLine(id: string, appliesTo: string, ok: (ctx: RuleContext, k: number) => boolean): Rule[] {
  return [...en(id, 'UBL', appliesTo, (ctx) => failingLines(ctx, ok, U(ctx).lines)), ...en(id, 'CII', appliesTo, (ctx) => failingLines(ctx, ok, C(ctx).lines))];
}

/** An allowance or charge of UBL with its facts. */
export interface UblAc {
  ac: AllowanceCharge;
  fact: UblAllowanceChargeFact;
}

/*
 * The lists below are made by plain loops: the flatMap/map/filter callbacks closed over the
 * invoice, were made anew for each and lost their optimized code at every full collection
 * (docs/PERFORMANCE.md, thirty-first round).
 */

/** The allowances/charges of `acs` whose parallel fact has ChargeIndicator `charge`, appended to `out`. */
function pushUblAcs(out: UblAc[], acs: readonly AllowanceCharge[], facts: readonly UblAllowanceChargeFact[] | undefined, charge: boolean): void {
  for (let j = 0; j < acs.length; j++) {
    const fact = facts?.[j];
    if (fact?.charge === charge) out.push({ ac: acs[j], fact });
  }
}

function ciiAcsWith(out: CiiAllowanceChargeFact[], acs: readonly CiiAllowanceChargeFact[], indicator: 'true' | 'false'): void {
  for (const a of acs) if (a.indicator === indicator) out.push(a);
}

function ublDocAcOf(ctx: RuleContext, charge: boolean): UblAc[] {
  const out: UblAc[] = [];
  pushUblAcs(out, ctx.invoice.allowanceCharges, U(ctx).allowanceCharges, charge);
  return out;
}

function ublLineAcOf(ctx: RuleContext, charge: boolean): UblAc[] {
  const f = U(ctx);
  const out: UblAc[] = [];
  const lines = ctx.invoice.lines;
  for (let k = 0; k < lines.length; k++) pushUblAcs(out, lines[k].allowanceCharges, f.lines[k]?.allowanceCharges, charge);
  return out;
}

function ciiDocAcOf(f: CiiFacts, indicator: 'true' | 'false'): CiiAllowanceChargeFact[] {
  const out: CiiAllowanceChargeFact[] = [];
  ciiAcsWith(out, f.allowanceCharges, indicator);
  return out;
}

function ciiLineAcOf(f: CiiFacts, indicator: 'true' | 'false'): CiiAllowanceChargeFact[] {
  const out: CiiAllowanceChargeFact[] = [];
  for (const l of f.lines) ciiAcsWith(out, l.allowanceCharges, indicator);
  return out;
}

/** Document-level allowances (charge = false) or charges of UBL, by the ChargeIndicator as xs:boolean. */
export function ublDocAc(ctx: RuleContext, charge: boolean): UblAc[] {
  return memo(U(ctx), charge ? 'docCharges' : 'docAllowances', () => ublDocAcOf(ctx, charge));
}

/** CII header allowances/charges whose udt:Indicator is the string 'false' / 'true' (contexts of BR-31…38). */
export function ciiDocAc(ctx: RuleContext, indicator: 'true' | 'false'): CiiAllowanceChargeFact[] {
  const f = C(ctx);
  return memo(f, indicator === 'true' ? 'docCharges' : 'docAllowances', () => ciiDocAcOf(f, indicator));
}

/** Line allowances (charge = false) or charges of UBL, each with its facts (also read by BR-DEC-24…28). */
export function ublLineAc(ctx: RuleContext, charge: boolean): UblAc[] {
  return memo(U(ctx), charge ? 'lineCharges' : 'lineAllowances', () => ublLineAcOf(ctx, charge));
}

/** CII line allowances/charges whose udt:Indicator is the string 'false' / 'true' (also read by BR-DEC-24…28). */
export function ciiLineAc(ctx: RuleContext, indicator: 'true' | 'false'): CiiAllowanceChargeFact[] {
  const f = C(ctx);
  return memo(f, indicator === 'true' ? 'lineCharges' : 'lineAllowances', () => ciiLineAcOf(f, indicator));
}

const hasReason = (ac: { reason?: string; reasonCode?: string }) => ac.reason !== undefined || ac.reasonCode !== undefined;

/** UBL: both dates present must be in order (xs:date comparison of ISO dates). */
/** `xs:date(EndDate) >= xs:date(StartDate)`: by the dates' values (a year of five digits, a time zone), else as written */
const ublPeriodOk = (start: string | undefined, end: string | undefined) => {
  if (start === undefined || end === undefined) return true;
  const [s, e] = [xsDateInstant(start), xsDateInstant(end)];
  return s !== undefined && e !== undefined ? e >= s : end.trim() >= start.trim();
};

/** CII: (End/DateTimeString[@format='102']) >= (Start/…) or not(EndDateTime) or not(StartDateTime). */
function ciiPeriodOk(p: { hasStart: boolean; hasEnd: boolean; start?: { text: string; format?: string }; end?: { text: string; format?: string } }): boolean {
  if (!p.hasStart || !p.hasEnd) return true;
  const s = p.start?.format === '102' ? p.start.text : undefined;
  const e = p.end?.format === '102' ? p.end.text : undefined;
  return s !== undefined && e !== undefined && e >= s;
}

function ciiMustFill(id: string, appliesTo: string, value: (ctx: RuleContext) => string | undefined, path: string): Rule[] {
  return en(id, 'CII', appliesTo, (ctx) => unless(filled(value(ctx)), path));
}


/*
 * Per-line tests made once at load (eachLine gives them the context): a closure made on every
 * check loses its optimized code at each full collection (docs/PERFORMANCE.md, thirty-first round).
 */
const ublLinePeriodOk = (l: InvoiceLine, k: number, ctx: RuleContext) => U(ctx).lines[k]?.invoicePeriodPath === undefined || ublPeriodOk(l.period?.start, l.period?.end);
const ublLinePeriodPath = (k: number, ctx: RuleContext) => U(ctx).lines[k]?.invoicePeriodPath;
const ciiLinePeriodOk = (l: CiiLineFact) => !l.period || ciiPeriodOk(l.period);
const ciiLinePeriodPath = (l: CiiLineFact) => l.period?.path;
const standardIdHasScheme = (l: InvoiceLine) => l.item.standardId === undefined || l.item.standardId.scheme !== undefined;
const standardIdSchemeFilled = (l: InvoiceLine) => l.item.standardId === undefined || filled(l.item.standardId.scheme);

export const CORE_RULES: Rule[] = [
  // ---------------------------------------------------------------- document level
  ...en('BR-01', 'UBL', 'invoice', (ctx) => unless(filled(ctx.invoice.customizationId), () => `${R(ctx)}/cbc:CustomizationID`)),
  ...ciiMustFill('BR-01', 'invoice', (ctx) => ctx.invoice.customizationId, `${CII}/rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID`),
  ...en('BR-02', 'UBL', 'invoice', (ctx) => unless(filled(ctx.invoice.number), () => `${R(ctx)}/cbc:ID`)),
  ...ciiMustFill('BR-02', 'invoice', (ctx) => ctx.invoice.number, `${CII}/rsm:ExchangedDocument/ram:ID`),
  ...en('BR-03', 'UBL', 'invoice', (ctx) => unless(filled(ctx.invoice.issueDate), () => `${R(ctx)}/cbc:IssueDate`)),
  ...en('BR-03', 'CII', 'invoice', (ctx) => {
    const d = C(ctx).issueDate;
    return unless(d !== undefined && d.format === '102' && filled(d.text), () => `${CII}/rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString`);
  }),
  ...en('BR-04', 'UBL', 'invoice', (ctx) => unless(U(ctx).rootTypeCodes.some(filled), () => `${R(ctx)}/cbc:${U(ctx).root}TypeCode`)),
  ...ciiMustFill('BR-04', 'invoice', (ctx) => ctx.invoice.typeCode, `${CII}/rsm:ExchangedDocument/ram:TypeCode`),
  ...en('BR-05', 'UBL', 'invoice', (ctx) => unless(filled(ctx.invoice.currency), () => `${R(ctx)}/cbc:DocumentCurrencyCode`)),
  ...ciiMustFill('BR-05', 'invoice', (ctx) => ctx.invoice.currency, `${CII_SET}/ram:InvoiceCurrencyCode`),
  ...en('BR-06', 'UBL', 'invoice', (ctx) => unless(filled(ctx.invoice.seller.name), () => `${R(ctx)}/cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName`)),
  ...ciiMustFill('BR-06', 'invoice', (ctx) => ctx.invoice.seller.name, `${CII_AGR}/ram:SellerTradeParty/ram:Name`),
  ...en('BR-07', 'UBL', 'invoice', (ctx) => unless(filled(ctx.invoice.buyer.name), () => `${R(ctx)}/cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName`)),
  ...ciiMustFill('BR-07', 'invoice', (ctx) => ctx.invoice.buyer.name, `${CII_AGR}/ram:BuyerTradeParty/ram:Name`),
  ...en('BR-08', 'UBL', 'invoice', (ctx) => unless(ctx.invoice.seller.address !== undefined, () => `${R(ctx)}/cac:AccountingSupplierParty/cac:Party/cac:PostalAddress`)),
  ...en('BR-08', 'CII', 'invoice', (ctx) => unless(ctx.invoice.seller.address !== undefined, () => `${CII_AGR}/ram:SellerTradeParty/ram:PostalTradeAddress`)),
  ...en('BR-09', 'UBL', 'seller postal address', (ctx) =>
    unless(ctx.invoice.seller.address === undefined || filled(ctx.invoice.seller.address.countryCode), () => `${R(ctx)}/cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode`)),
  ...ciiMustFill('BR-09', 'invoice', (ctx) => ctx.invoice.seller.address?.countryCode, `${CII_AGR}/ram:SellerTradeParty/ram:PostalTradeAddress/ram:CountryID`),
  ...en('BR-10', 'UBL', 'invoice', (ctx) => unless(ctx.invoice.buyer.address !== undefined, () => `${R(ctx)}/cac:AccountingCustomerParty/cac:Party/cac:PostalAddress`)),
  ...en('BR-10', 'CII', 'invoice', (ctx) => unless(ctx.invoice.buyer.address !== undefined, () => `${CII_AGR}/ram:BuyerTradeParty/ram:PostalTradeAddress`)),
  ...en('BR-11', 'UBL', 'buyer postal address', (ctx) =>
    unless(ctx.invoice.buyer.address === undefined || filled(ctx.invoice.buyer.address.countryCode), () => `${R(ctx)}/cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode`)),
  ...ciiMustFill('BR-11', 'invoice', (ctx) => ctx.invoice.buyer.address?.countryCode, `${CII_AGR}/ram:BuyerTradeParty/ram:PostalTradeAddress/ram:CountryID`),

  // totals: UBL cac:LegalMonetaryTotal, CII ram:SpecifiedTradeSettlementHeaderMonetarySummation
  ...totalExists('BR-12', 'lineExtension', 'LineExtensionAmount', 'LineTotalAmount'),
  ...totalExists('BR-13', 'taxExclusive', 'TaxExclusiveAmount', 'TaxBasisTotalAmount'),
  ...totalExists('BR-14', 'taxInclusive', 'TaxInclusiveAmount', 'GrandTotalAmount'),
  ...totalExists('BR-15', 'payable', 'PayableAmount', 'DuePayableAmount'),

  ...en('BR-16', 'UBL', 'invoice', (ctx) => unless(ctx.invoice.lines.length > 0, () => `${R(ctx)}/cac:${U(ctx).root}Line`)),
  ...en('BR-16', 'CII', 'invoice', (ctx) => unless(ctx.invoice.lines.length > 0, () => `${CII}/rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem`)),

  // payee
  ...en('BR-17', 'UBL', 'payee party', (ctx) => {
    const f = U(ctx);
    const p = f.payee;
    if (!p) return undefined;
    const sellerIds = new Set(f.sellerPartyIds.map((i) => i.text));
    const sellerNames = new Set(f.sellerPartyNames);
    const ok = p.names.length > 0 && !p.names.some((n) => sellerNames.has(n)) && !p.ids.some((i) => sellerIds.has(i.text));
    return unless(ok, p.path);
  }),
  ...en('BR-17', 'CII', 'payee party', (ctx) => {
    const f = C(ctx);
    const p = f.payee;
    if (!p) return undefined;
    const inter = (a: string[], b: string[]) => a.some((x) => b.includes(x));
    const ok = p.names.length > 0 && !inter(p.names, f.sellerNames) && !inter(p.ids, f.sellerIds) && !inter(p.legalIds, f.sellerLegalIds);
    return unless(ok, p.path);
  }),

  // seller tax representative
  ...en('BR-18', 'both', 'seller tax representative', (ctx) => {
    const rep = ctx.invoice.taxRepresentative;
    if (!rep) return undefined;
    return unless(filled(rep.name), repPath(ctx));
  }),
  ...en('BR-19', 'both', 'seller tax representative', (ctx) => {
    const rep = ctx.invoice.taxRepresentative;
    if (!rep) return undefined;
    return unless(rep.address !== undefined, repPath(ctx));
  }),
  ...en('BR-20', 'UBL', 'seller tax representative postal address', (ctx) => {
    const rep = ctx.invoice.taxRepresentative;
    if (!rep?.address) return undefined;
    return unless(filled(rep.address.countryCode), () => `${repPath(ctx)}/cac:PostalAddress`);
  }),
  ...en('BR-20', 'CII', 'seller tax representative', (ctx) => {
    const rep = C(ctx).taxRepresentative;
    if (!rep) return undefined;
    return unless(filled(rep.addressCountry), () => `${rep.path}/ram:PostalTradeAddress/ram:CountryID`);
  }),

  // invoice lines
  ...perLine('BR-21', 'each invoice line', (ctx, k) => filled(ctx.invoice.lines[k].id)),
  ...perLine('BR-22', 'each invoice line', (ctx, k) => ctx.invoice.lines[k].quantity !== undefined),
  ...perLine('BR-23', 'each invoice line', (ctx, k) => ctx.invoice.lines[k].unitCode !== undefined),
  ...perLine('BR-24', 'each invoice line', (ctx, k) => ctx.invoice.lines[k].netAmount !== undefined),
  ...perLine('BR-25', 'each invoice line', (ctx, k) => filled(ctx.invoice.lines[k].item.name)),
  ...perLine('BR-26', 'each invoice line', (ctx, k) => ctx.invoice.lines[k].price.net !== undefined),
  ...perLine('BR-27', 'each invoice line', (ctx, k) => cmp(ctx.invoice.lines[k].price.net, '>=', 0)),
  ...perLine('BR-28', 'each invoice line', (ctx, k) => {
    const g = ctx.invoice.lines[k].price.gross;
    return g === undefined || cmp(g, '>=', 0);
  }),

  // periods
  ...en('BR-29', 'UBL', 'invoicing period', (ctx) => each(U(ctx).invoicePeriods, (p) => ublPeriodOk(p.start, p.end), (p) => p.path)),
  ...en('BR-29', 'CII', 'invoicing period', (ctx) => {
    const p = C(ctx).invoicePeriod;
    return p ? unless(ciiPeriodOk(p), p.path) : undefined;
  }),
  ...en('BR-30', 'UBL', 'invoice line period', (ctx) =>
    eachLine(ctx, ublLinePeriodOk, ublLinePeriodPath)),
  ...en('BR-30', 'CII', 'invoice line period', (ctx) => each(C(ctx).lines, ciiLinePeriodOk, ciiLinePeriodPath)),

  // document level allowances (BG-20) and charges (BG-21)
  ...en('BR-31', 'UBL', 'each document level allowance', (ctx) => each(ublDocAc(ctx, false), (x) => x.ac.amount !== undefined, (x) => x.fact.path)),
  ...en('BR-31', 'CII', 'each document level allowance', (ctx) => each(ciiDocAc(ctx, 'false'), (a) => a.actualAmountCount > 0, (a) => a.path)),
  ...en('BR-32', 'UBL', 'each document level allowance', (ctx) => each(ublDocAc(ctx, false), (x) => x.fact.taxCategories.some(isVatWithId), (x) => x.fact.path)),
  ...en('BR-32', 'CII', 'each document level allowance', (ctx) => each(ciiDocAc(ctx, 'false'), (a) => a.taxes.some(isVatWithCategory), (a) => a.path)),
  ...en('BR-33', 'UBL', 'each document level allowance', (ctx) => each(ublDocAc(ctx, false), (x) => hasReason(x.ac), (x) => x.fact.path)),
  ...en('BR-33', 'CII', 'each document level allowance', (ctx) => each(ciiDocAc(ctx, 'false'), (a) => a.hasReason, (a) => a.path)),
  ...en('BR-36', 'UBL', 'each document level charge', (ctx) => each(ublDocAc(ctx, true), (x) => x.ac.amount !== undefined, (x) => x.fact.path)),
  ...en('BR-36', 'CII', 'each document level charge', (ctx) => each(ciiDocAc(ctx, 'true'), (a) => a.actualAmountCount > 0, (a) => a.path)),
  ...en('BR-37', 'UBL', 'each document level charge', (ctx) => each(ublDocAc(ctx, true), (x) => x.fact.taxCategories.some(isVatWithId), (x) => x.fact.path)),
  ...en('BR-37', 'CII', 'each document level charge', (ctx) => each(ciiDocAc(ctx, 'true'), (a) => a.taxes.some(isVatWithCategory), (a) => a.path)),
  ...en('BR-38', 'UBL', 'each document level charge', (ctx) => each(ublDocAc(ctx, true), (x) => hasReason(x.ac), (x) => x.fact.path)),
  ...en('BR-38', 'CII', 'each document level charge', (ctx) => each(ciiDocAc(ctx, 'true'), (a) => a.hasReason, (a) => a.path)),

  // invoice line allowances (BG-27) and charges (BG-28)
  ...en('BR-41', 'UBL', 'each invoice line allowance', (ctx) => each(ublLineAc(ctx, false), (x) => x.ac.amount !== undefined, (x) => x.fact?.path)),
  ...en('BR-41', 'CII', 'each invoice line allowance', (ctx) => each(ciiLineAc(ctx, 'false'), (a) => a.actualAmountCount > 0, (a) => a.path)),
  ...en('BR-42', 'UBL', 'each invoice line allowance', (ctx) => each(ublLineAc(ctx, false), (x) => hasReason(x.ac), (x) => x.fact?.path)),
  ...en('BR-42', 'CII', 'each invoice line allowance', (ctx) => each(ciiLineAc(ctx, 'false'), (a) => a.hasReason, (a) => a.path)),
  ...en('BR-43', 'UBL', 'each invoice line charge', (ctx) => each(ublLineAc(ctx, true), (x) => x.ac.amount !== undefined, (x) => x.fact?.path)),
  ...en('BR-43', 'CII', 'each invoice line charge', (ctx) => each(ciiLineAc(ctx, 'true'), (a) => a.actualAmountCount > 0, (a) => a.path)),
  ...en('BR-44', 'UBL', 'each invoice line charge', (ctx) => each(ublLineAc(ctx, true), (x) => hasReason(x.ac), (x) => x.fact?.path)),
  ...en('BR-44', 'CII', 'each invoice line charge', (ctx) => each(ciiLineAc(ctx, 'true'), (a) => a.hasReason, (a) => a.path)),

  // VAT breakdown (BG-23): UBL every cac:TaxTotal/cac:TaxSubtotal, CII the header ApplicableTradeTax
  ...en('BR-45', 'UBL', 'each VAT breakdown', (ctx) => each(ublSubtotals(ctx), (s) => s.taxableAmount !== undefined, (s) => s.path)),
  ...en('BR-45', 'CII', 'each VAT breakdown', (ctx) => each(ciiGenericHeaderTaxes(ctx), (t) => t.basisAmount !== undefined, (t) => t.path)),
  ...en('BR-46', 'UBL', 'each VAT breakdown', (ctx) => each(ublSubtotals(ctx), (s) => s.taxAmount !== undefined, (s) => s.path)),
  ...en('BR-46', 'CII', 'each VAT breakdown', (ctx) => each(ciiGenericHeaderTaxes(ctx), (t) => t.calculatedAmount !== undefined, (t) => t.path)),
  ...en('BR-47', 'UBL', 'each VAT breakdown', (ctx) => each(ublSubtotals(ctx), (s) => s.category?.vat === true && s.category.id !== undefined, (s) => s.path)),
  ...en('BR-47', 'CII', 'each VAT breakdown', (ctx) => each(ciiGenericHeaderTaxes(ctx), (t) => isVatType(t.typeCode) && t.categoryCode !== undefined, (t) => t.path)),
  ...en('BR-48', 'UBL', 'each VAT breakdown', (ctx) =>
    each(ublSubtotals(ctx), (s) => s.category?.vat === true && (s.category.percent !== undefined || s.category.code === 'O'), (s) => s.path)),
  ...en('BR-48', 'CII', 'each VAT breakdown', (ctx) =>
    each(ciiGenericHeaderTaxes(ctx), (t) => isVatType(t.typeCode) && (t.rate !== undefined || t.categoryCode === 'O'), (t) => t.path)),

  // payment instructions (BG-16)
  ...en('BR-49', 'UBL', 'each payment instruction', (ctx) => each(U(ctx).paymentMeans, (p) => p.codeCount > 0, (p) => p.path)),
  ...en('BR-49', 'CII', 'each payment instruction', (ctx) => each(C(ctx).paymentMeans, (p) => p.hasTypeCode, (p) => p.path)),
  ...en('BR-50', 'UBL', 'each credit transfer account', (ctx) => {
    const f = U(ctx);
    const out: Violation[] = [];
    ctx.invoice.paymentMeans.forEach((pm, k) => {
      if (pm.code !== '30' && pm.code !== '58') return;
      pm.accounts.forEach((a, j) => {
        if (!filled(a.id)) out.push({ path: f.paymentMeans[k]?.accountPaths[j] });
      });
    });
    return out;
  }),
  ...en('BR-50', 'CII', 'each credit transfer account', (ctx) => {
    const out: Violation[] = [];
    for (const pm of C(ctx).paymentMeans) {
      if (pm.typeCode !== '30' && pm.typeCode !== '58') continue;
      for (const a of pm.accounts) if (!filled(a.iban) && !filled(a.proprietary)) out.push({ path: a.path });
    }
    return out;
  }),
  ...en('BR-51', 'both', 'payment card', (ctx) =>
    each(ctx.invoice.paymentMeans, (pm) => pm.card?.pan === undefined || [...ns(pm.card.pan)].length <= 10, (_pm, k) => paymentPath(ctx, k))),
  ...en('BR-52', 'UBL', 'each additional supporting document', (ctx) => each(U(ctx).documentReferences, (r) => filled(r.id), (r) => r.path)),
  ...en('BR-52', 'CII', 'each additional supporting document', (ctx) => each(C(ctx).additionalDocuments, (r) => filled(r.issuerAssignedId), (r) => r.path)),
  ...en('BR-53', 'UBL', 'invoice', (ctx) => {
    const f = U(ctx);
    const currencies = new Set(f.taxTotals.map((t) => t.currencyID));
    return unless(f.rootTaxCurrencyCodes.every((c) => currencies.has(c)), () => `${R(ctx)}/cbc:TaxCurrencyCode`);
  }),
  ...en('BR-53', 'CII', 'monetary summation', (ctx) => {
    const f = C(ctx);
    if (!f.hasMonetarySummation) return undefined;
    const tax = ctx.invoice.taxCurrency;
    if (tax === undefined) return undefined;
    const ok = f.taxTotalAmounts.some((t) => t.attr === tax) && tax !== ctx.invoice.currency;
    return unless(ok, f.summationPath);
  }),
  ...en('BR-54', 'UBL', 'each item attribute', (ctx) => {
    const out: Violation[] = [];
    const lines = ctx.invoice.lines;
    for (let k = 0; k < lines.length; k++) {
      for (const a of lines[k].item.attributes) if (a.name === undefined || a.value === undefined) out.push({ path: `${linePathU(ctx, k)}/cac:Item/cac:AdditionalItemProperty` });
    }
    return out;
  }),
  ...en('BR-54', 'CII', 'each item attribute', (ctx) => each(C(ctx).characteristics, (c) => c.descriptionCount > 0 && c.valueCount > 0, (c) => c.path)),
  ...en('BR-55', 'UBL', 'each preceding invoice reference', (ctx) => each(U(ctx).billingReferences, (b) => b.hasId, (b) => b.path)),
  ...en('BR-55', 'CII', 'each preceding invoice reference', (ctx) => each(C(ctx).precedingInvoices, (p) => filled(p.issuerAssignedId), (p) => p.path)),
  ...en('BR-56', 'UBL', 'seller tax representative', (ctx) => {
    const rep = U(ctx).taxRepresentative;
    if (!rep) return undefined;
    return unless(U(ctx).taxRepTaxSchemes.some((t) => t.vat && t.companyIdCount > 0), rep.path);
  }),
  ...en('BR-56', 'CII', 'seller tax representative', (ctx) => {
    const f = C(ctx);
    if (!f.taxRepresentative) return undefined;
    return unless(filled(f.taxRepTaxIds.find((t) => t.attr === 'VA')?.text), f.taxRepresentative.path);
  }),
  ...en('BR-57', 'UBL', 'deliver to address', (ctx) => {
    const a = ctx.invoice.delivery?.address;
    if (!a) return undefined;
    return unless(a.countryCode !== undefined, () => `${R(ctx)}/cac:Delivery/cac:DeliveryLocation/cac:Address`);
  }),
  ...en('BR-57', 'CII', 'deliver to information', (ctx) => {
    const f = C(ctx);
    if (!f.hasDelivery || !f.shipToAddress) return undefined;
    return unless(filled(f.shipToAddress.countryId), f.shipToAddress.path);
  }),
  ...en('BR-61', 'UBL', 'each payment instruction', (ctx) =>
    each(
      ctx.invoice.paymentMeans,
      (pm) => {
        const code = ns(pm.code);
        const transfer = code === '30' || code === '58';
        return !transfer || pm.accounts.some((a) => a.id !== undefined);
      },
      (_pm, k) => U(ctx).paymentMeans[k]?.path,
    )),
  ...en('BR-61', 'CII', 'each credit transfer account', (ctx) => {
    const out: Violation[] = [];
    for (const pm of C(ctx).paymentMeans) {
      if (pm.typeCode !== '30' && pm.typeCode !== '58') continue;
      for (const a of pm.accounts) if (a.iban === undefined && a.proprietary === undefined) out.push({ path: a.path });
    }
    return out;
  }),
  ...en('BR-62', 'UBL', 'seller electronic address', (ctx) => {
    const e = ctx.invoice.seller.electronicAddress;
    return e === undefined ? undefined : unless(e.scheme !== undefined, () => `${R(ctx)}/cac:AccountingSupplierParty/cac:Party/cbc:EndpointID`);
  }),
  ...en('BR-62', 'CII', 'invoice', (ctx) => {
    const f = C(ctx);
    return unless(!f.sellerHasUri || filled(f.sellerUriScheme), () => `${CII_AGR}/ram:SellerTradeParty/ram:URIUniversalCommunication/ram:URIID`);
  }),
  ...en('BR-63', 'UBL', 'buyer electronic address', (ctx) => {
    const e = ctx.invoice.buyer.electronicAddress;
    return e === undefined ? undefined : unless(e.scheme !== undefined, () => `${R(ctx)}/cac:AccountingCustomerParty/cac:Party/cbc:EndpointID`);
  }),
  ...en('BR-63', 'CII', 'invoice', (ctx) => {
    const f = C(ctx);
    return unless(!f.buyerHasUri || filled(f.buyerUriScheme), () => `${CII_AGR}/ram:BuyerTradeParty/ram:URIUniversalCommunication/ram:URIID`);
  }),
  ...en('BR-64', 'UBL', 'each item standard identifier', (ctx) =>
    eachLine(ctx, standardIdHasScheme, (k, c) => `${linePathU(c, k)}/cac:Item/cac:StandardItemIdentification/cbc:ID`)),
  ...en('BR-64', 'CII', 'each invoice line', (ctx) =>
    eachLine(ctx, standardIdSchemeFilled, (k, c) => `${linePathC(c, k)}/ram:SpecifiedTradeProduct/ram:GlobalID`)),
  ...en('BR-65', 'UBL', 'each item classification identifier', (ctx) => {
    const out: Violation[] = [];
    const lines = ctx.invoice.lines;
    for (let k = 0; k < lines.length; k++) {
      for (const c of lines[k].item.classifications) if (c.scheme === undefined) out.push({ path: `${linePathU(ctx, k)}/cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode` });
    }
    return out;
  }),
  ...en('BR-65', 'CII', 'each item classification', (ctx) => each(C(ctx).classifications, (c) => !c.hasClassCode || filled(c.listId), (c) => c.path)),
];

function totalExists(id: string, field: 'lineExtension' | 'taxExclusive' | 'taxInclusive' | 'payable', ubl: string, cii: string): Rule[] {
  return [
    ...en(id, 'UBL', 'document totals', (ctx) => (U(ctx).hasLegalMonetaryTotal ? unless(ctx.invoice.totals[field] !== undefined, () => `${R(ctx)}/cac:LegalMonetaryTotal/cbc:${ubl}`) : undefined)),
    ...en(id, 'CII', 'document totals', (ctx) => (C(ctx).hasMonetarySummation ? unless(ctx.invoice.totals[field] !== undefined, () => `${C(ctx).summationPath}/ram:${cii}`) : undefined)),
  ];
}

function repPath(ctx: RuleContext): string | undefined {
  return ctx.invoice.syntax === 'UBL' ? U(ctx).taxRepresentative?.path : C(ctx).taxRepresentative?.path;
}

function paymentPath(ctx: RuleContext, k: number): string | undefined {
  return ctx.invoice.syntax === 'UBL' ? U(ctx).paymentMeans[k]?.path : C(ctx).paymentMeans[k]?.path;
}

/** Every cac:TaxTotal/cac:TaxSubtotal of a UBL invoice (the model drops those in the accounting currency). */
export function ublSubtotals(ctx: RuleContext) {
  const f = U(ctx);
  return memo(f, 'subtotals', () => f.taxTotals.flatMap((t) => t.subtotals));
}

/**
 * CII header ApplicableTradeTax the generic BG-23 template applies to: in the official XSLT a
 * node of category L, M or O with TypeCode VAT is taken by that category's template instead.
 */
export function ciiGenericHeaderTaxes(ctx: RuleContext) {
  const f = C(ctx);
  return memo(f, 'genericHeaderTaxes', () => f.headerTaxes.filter((t) => !(isVatType(t.typeCode) && (t.categoryCode === 'L' || t.categoryCode === 'M' || t.categoryCode === 'O'))));
}
