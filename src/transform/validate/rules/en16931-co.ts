/**
 * EN 16931 conditions and calculations BR-CO-* for UBL and CII, following each syntax's
 * official schematron (roundings are XPath round(x * 100) div 100 over decimals).
 */
import { CODES, VAT_PREFIX_STRING_UBL } from '../codelists';
import type { Rule, RuleContext, Violation } from '../rule';
import { d, dsum, eq, exactDecimal, ns, percentOf, xdouble, xround, xround0, xround2Double, xsumDouble, type D } from '../xpath';
import type { InvoiceLine } from '../../../model/invoice';
import type { CiiAllowanceChargeFact, CiiLineFact, UblLineFact } from '../../../model/syntax-facts';
import { C, each, eachIf, eachLine, en, pathOf, HOLDS, isVatType, isVatWithCategory, isVatWithId, U, unless } from './define';
import { ciiDocAc, ciiGenericHeaderTaxes, ciiLineAc, ublDocAc, ublLineAc, ublSubtotals, type UblAc } from './en16931-core';

const R = (ctx: RuleContext) => (U(ctx).root === 'Invoice' ? '/Invoice' : '/CreditNote');
const lmt = (ctx: RuleContext) => `${R(ctx)}/cac:LegalMonetaryTotal`;

function ublDocAcSum(ctx: RuleContext, charge: boolean): { any: boolean; sum: D } {
  const f = U(ctx);
  const amounts: (string | undefined)[] = [];
  ctx.invoice.allowanceCharges.forEach((ac, k) => {
    if (f.allowanceCharges[k]?.charge === charge) amounts.push(ac.amount);
  });
  return { any: amounts.length > 0, sum: dsum(amounts) };
}

/**
 * CII BR-CO-11 / -12: `ram:AllowanceTotalAmount = round(sum(…/ram:ActualAmount[1]) * 10 * 10) div 100`
 * sums untyped amounts, so in xs:double, and compares the total as a double too: an amount of
 * more than 15 significant digits lands on another cent than in decimals (UBL casts each amount
 * to xs:decimal: exact).
 */
function ciiDocAcSum(ctx: RuleContext, charge: boolean): { any: boolean; sum: number } {
  const acs = C(ctx).allowanceCharges.filter((a) => a.charge === charge);
  return { any: acs.length > 0, sum: xround2Double(xsumDouble(acs.map((a) => a.actualAmount))) };
}

/** `untyped = double`: the untyped value cast to xs:double (false when it is none) */
const eqDouble = (s: string | undefined, x: number) => s !== undefined && xdouble(s) === x;

const abs = (x: D) => x.abs();

/*
 * Tests made once at load: a closure made on every check loses its optimized code at each full
 * collection (docs/PERFORMANCE.md, thirty-first round).
 */
const ublLineHasVatId = (l: UblLineFact) => l.classified.some(isVatWithId);
const ciiLineHasVatCategory = (l: CiiLineFact) => l.taxes.some(isVatWithCategory);
const ublLinePeriodBound = (l: InvoiceLine, k: number, ctx: RuleContext) => U(ctx).lines[k]?.invoicePeriodPath === undefined || l.period?.start !== undefined || l.period?.end !== undefined;
const ublLinePeriodPath = (k: number, ctx: RuleContext) => U(ctx).lines[k]?.invoicePeriodPath;

export const CO_RULES: Rule[] = [
  ...en('BR-CO-03', 'UBL', 'invoice', (ctx) =>
    unless(!(ctx.invoice.taxPointDate !== undefined && U(ctx).counts['InvoicePeriod/DescriptionCode'] > 0), () => `${R(ctx)}/cbc:TaxPointDate`)),
  ...en('BR-CO-03', 'CII', 'each VAT breakdown', (ctx) => {
    const f = C(ctx);
    const both = f.taxPointDateCount > 0 && f.dueDateTypeCodes.length > 0;
    return both ? ciiGenericHeaderTaxes(ctx).map((t) => ({ path: t.path })) : undefined;
  }),
  ...en('BR-CO-04', 'UBL', 'each invoice line', (ctx) => each(U(ctx).lines, ublLineHasVatId, pathOf)),
  ...en('BR-CO-04', 'CII', 'each invoice line', (ctx) => each(C(ctx).lines, ciiLineHasVatCategory, pathOf)),
  // BR-CO-05…08 (reason code and reason text agree) are asserted true() by the official schematron
  ...en('BR-CO-05', 'both', 'each document level allowance', HOLDS),
  ...en('BR-CO-06', 'both', 'each document level charge', HOLDS),
  ...en('BR-CO-07', 'both', 'each invoice line allowance', HOLDS),
  ...en('BR-CO-08', 'both', 'each invoice line charge', HOLDS),
  ...en('BR-CO-09', 'UBL', 'each VAT identifier', (ctx) =>
    // contains(' 1A AD … ', substring(cbc:CompanyID, 1, 2)): a substring match, as the schematron writes it
    eachIf(U(ctx).partyTaxSchemes, (t) => t.vat, (t) => VAT_PREFIX_STRING_UBL.includes((t.companyId ?? '').slice(0, 2)), (t) => `${t.path}/cbc:CompanyID`)),
  ...en('BR-CO-09', 'CII', 'each VAT identifier', (ctx) =>
    eachIf(C(ctx).idSchemes, (i) => i.inTaxRegistration && i.attr === 'VA', (i) => CODES.vatPrefixCii.has(i.text.slice(0, 2)), (i) => i.path)),
  ...en('BR-CO-10', 'UBL', 'document totals', (ctx) => {
    if (!U(ctx).hasLegalMonetaryTotal) return undefined;
    return unless(eq(d(ctx.invoice.totals.lineExtension), xround(dsum(ctx.invoice.lines.map((l) => l.netAmount)))), () => `${lmt(ctx)}/cbc:LineExtensionAmount`);
  }),
  ...en('BR-CO-10', 'CII', 'document totals', (ctx) => {
    const f = C(ctx);
    if (!f.hasMonetarySummation) return undefined;
    // xs:decimal(sum(untyped)): the xs:double sum (not exact beyond 15 significant digits) cast to its exact binary value
    const sum = exactDecimal(xsumDouble(ctx.invoice.lines.map((l) => l.netAmount)));
    return unless(sum !== undefined && eq(d(ctx.invoice.totals.lineExtension), xround(sum)), () => `${f.summationPath}/ram:LineTotalAmount`);
  }),
  ...en('BR-CO-11', 'UBL', 'document totals', (ctx) => {
    if (!U(ctx).hasLegalMonetaryTotal) return undefined;
    const t = ctx.invoice.totals.allowanceTotal;
    const { any, sum } = ublDocAcSum(ctx, false);
    return unless(eq(d(t), xround(sum)) || (t === undefined && !any), () => `${lmt(ctx)}/cbc:AllowanceTotalAmount`);
  }),
  ...en('BR-CO-11', 'CII', 'document totals', (ctx) => {
    const f = C(ctx);
    if (!f.hasMonetarySummation) return undefined;
    const t = ctx.invoice.totals.allowanceTotal;
    const { any, sum } = ciiDocAcSum(ctx, false);
    return unless((!any && t === undefined) || eqDouble(t, sum), () => `${f.summationPath}/ram:AllowanceTotalAmount`);
  }),
  ...en('BR-CO-12', 'UBL', 'document totals', (ctx) => {
    if (!U(ctx).hasLegalMonetaryTotal) return undefined;
    const t = ctx.invoice.totals.chargeTotal;
    const { any, sum } = ublDocAcSum(ctx, true);
    return unless(eq(d(t), xround(sum)) || (t === undefined && !any), () => `${lmt(ctx)}/cbc:ChargeTotalAmount`);
  }),
  ...en('BR-CO-12', 'CII', 'document totals', (ctx) => {
    const f = C(ctx);
    if (!f.hasMonetarySummation) return undefined;
    const t = ctx.invoice.totals.chargeTotal;
    const { any, sum } = ciiDocAcSum(ctx, true);
    return unless((!any && t === undefined) || eqDouble(t, sum), () => `${f.summationPath}/ram:ChargeTotalAmount`);
  }),
  ...en('BR-CO-13', 'UBL', 'document totals', (ctx) => {
    if (!U(ctx).hasLegalMonetaryTotal) return undefined;
    const t = ctx.invoice.totals;
    const te = d(t.taxExclusive);
    const le = d(t.lineExtension);
    const ch = d(t.chargeTotal);
    const al = d(t.allowanceTotal);
    const hasC = t.chargeTotal !== undefined;
    const hasA = t.allowanceTotal !== undefined;
    const ok =
      (hasC && hasA && le && ch && al && eq(te, xround(le.plus(ch).minus(al)))) ||
      (!hasC && hasA && le && al && eq(te, xround(le.minus(al)))) ||
      (hasC && !hasA && le && ch && eq(te, xround(le.plus(ch)))) ||
      (!hasC && !hasA && eq(te, le));
    return unless(Boolean(ok), () => `${lmt(ctx)}/cbc:TaxExclusiveAmount`);
  }),
  ...en('BR-CO-13', 'CII', 'document totals', (ctx) => {
    const f = C(ctx);
    if (!f.hasMonetarySummation) return undefined;
    const t = ctx.invoice.totals;
    const tb = d(t.taxExclusive);
    const lt = d(t.lineExtension);
    const at = d(t.allowanceTotal);
    const ct = d(t.chargeTotal);
    const hasC = t.chargeTotal !== undefined;
    const hasA = t.allowanceTotal !== undefined;
    const ok =
      (lt && at && ct && eq(tb, xround(lt.minus(at).plus(ct)))) ||
      (lt && at && !hasC && eq(tb, xround(lt.minus(at)))) ||
      (lt && ct && !hasA && eq(tb, xround(lt.plus(ct)))) ||
      (lt && !hasC && !hasA && eq(tb, xround(lt)));
    return unless(Boolean(ok), () => `${f.summationPath}/ram:TaxBasisTotalAmount`);
  }),
  ...en('BR-CO-14', 'UBL', 'each VAT total', (ctx) =>
    each(U(ctx).taxTotals, (t) => t.subtotals.length === 0 || eq(d(t.amount), xround(dsum(t.subtotals.map((s) => s.taxAmount)))), (t) => t.path)),
  ...en('BR-CO-14', 'CII', 'invoice total VAT amount', (ctx) => {
    const f = C(ctx);
    const cur = ctx.invoice.currency;
    // `. = round(sum(…/ram:CalculatedAmount) * 10 * 10) div 100`: untyped, so in xs:double, as BR-CO-11
    const sum = xround2Double(xsumDouble(f.headerTaxes.map((t) => t.calculatedAmount)));
    return eachIf(f.taxTotalAmounts, (t) => t.attr !== undefined && t.attr === cur, (t) => eqDouble(t.text, sum), (t) => t.path);
  }),
  ...en('BR-CO-15', 'UBL', 'invoice', (ctx) => {
    const cur = ctx.invoice.currency;
    if (cur === undefined) return undefined;
    const f = U(ctx);
    const inCur = f.taxTotals.filter((t) => t.currencyID === cur && t.amount !== undefined);
    const t = ctx.invoice.totals;
    const te = d(t.taxExclusive);
    const tax = inCur.length === 1 ? d(inCur[0].amount) : undefined;
    const ok = inCur.length === 1 && f.hasLegalMonetaryTotal && te !== undefined && tax !== undefined && eq(d(t.taxInclusive), xround(te.plus(tax)));
    return unless(ok, () => `${lmt(ctx)}/cbc:TaxInclusiveAmount`);
  }),
  ...en('BR-CO-15', 'CII', 'invoice', (ctx) => {
    const f = C(ctx);
    const cur = ctx.invoice.currency;
    if (cur === undefined) return undefined;
    const inCur = f.taxTotalAmounts.filter((t) => t.attr === cur);
    const t = ctx.invoice.totals;
    const gt = d(t.taxInclusive);
    const tb = d(t.taxExclusive);
    const tax = inCur.length > 0 ? d(inCur[0].text) : undefined;
    const ok = (inCur.length === 1 && tb !== undefined && tax !== undefined && eq(gt, xround(tb.plus(tax)))) || eq(gt, tb);
    return unless(ok, () => `${f.summationPath ?? '/rsm:CrossIndustryInvoice'}/ram:GrandTotalAmount`);
  }),
  ...en('BR-CO-16', 'UBL', 'document totals', (ctx) => {
    if (!U(ctx).hasLegalMonetaryTotal) return undefined;
    const t = ctx.invoice.totals;
    const pay = d(t.payable);
    const inc = d(t.taxInclusive);
    const pre = d(t.prepaid);
    const rnd = d(t.rounding);
    const hasP = t.prepaid !== undefined;
    const hasR = t.rounding !== undefined;
    const ok =
      (hasP && !hasR && inc && pre && eq(pay, xround(inc.minus(pre)))) ||
      (!hasP && !hasR && eq(pay, inc)) ||
      (hasP && hasR && pay && rnd && inc && pre && xround(pay.minus(rnd)).eq(xround(inc.minus(pre)))) ||
      (!hasP && hasR && pay && rnd && eq(xround(pay.minus(rnd)), inc));
    return unless(Boolean(ok), () => `${lmt(ctx)}/cbc:PayableAmount`);
  }),
  ...en('BR-CO-16', 'CII', 'document totals', (ctx) => {
    const f = C(ctx);
    if (!f.hasMonetarySummation) return undefined;
    const t = ctx.invoice.totals;
    const due = d(t.payable);
    const gt = d(t.taxInclusive);
    const pre = d(t.prepaid);
    const rnd = d(t.rounding);
    const hasP = t.prepaid !== undefined;
    const hasR = t.rounding !== undefined;
    const ok =
      (gt && pre && rnd && eq(due, gt.minus(pre).plus(rnd))) ||
      (gt && rnd && !hasP && eq(due, gt.plus(rnd))) ||
      (gt && pre && !hasR && eq(due, gt.minus(pre))) ||
      (!hasP && !hasR && eq(due, gt));
    return unless(Boolean(ok), () => `${f.summationPath}/ram:DuePayableAmount`);
  }),
  ...en('BR-CO-17', 'UBL', 'each VAT breakdown', (ctx) =>
    each(
      ublSubtotals(ctx),
      (s) => {
        const rate = s.category?.vat ? d(s.category.percent) : undefined;
        const tax = d(s.taxAmount);
        const base = d(s.taxableAmount);
        if (rate !== undefined && xround0(rate).eq(0)) return tax !== undefined && xround0(tax).eq(0);
        if (rate !== undefined) {
          if (tax === undefined || base === undefined) return false;
          const exp = xround(abs(base).times(percentOf(rate)));
          return abs(tax).minus(1).lt(exp) && abs(tax).plus(1).gt(exp);
        }
        return tax !== undefined && xround0(tax).eq(0);
      },
      (s) => s.path,
    )),
  ...en('BR-CO-17', 'CII', 'each VAT breakdown', (ctx) =>
    each(
      ciiGenericHeaderTaxes(ctx),
      (t) => {
        const vat = ns(t.typeCode).toUpperCase() === 'VAT';
        const rate = vat ? d(t.rate) : undefined;
        const tax = d(t.calculatedAmount);
        const base = d(t.basisAmount);
        if (rate !== undefined && xround0(rate).eq(0)) return tax !== undefined && xround0(tax).eq(0);
        if (rate !== undefined) {
          if (tax === undefined || base === undefined) return false;
          const exp = xround(abs(base).times(percentOf(rate)));
          return abs(tax).minus(1).lte(exp) && abs(tax).plus(1).gte(exp);
        }
        return tax !== undefined && xround0(tax).eq(0);
      },
      (t) => t.path,
    )),
  ...en('BR-CO-18', 'UBL', 'invoice', (ctx) => unless(U(ctx).taxTotals.some((t) => t.subtotals.length > 0), () => `${R(ctx)}/cac:TaxTotal`)),
  ...en('BR-CO-18', 'CII', 'each invoice line', (ctx) => (C(ctx).headerTaxes.length > 0 ? undefined : C(ctx).lines.map((l) => ({ path: l.path })))),
  ...en('BR-CO-19', 'UBL', 'invoicing period', (ctx) => each(U(ctx).invoicePeriods, (p) => p.hasStart || p.hasEnd || p.descriptionCode !== undefined, (p) => p.path)),
  ...en('BR-CO-19', 'CII', 'invoicing period', (ctx) => {
    const p = C(ctx).invoicePeriod;
    return p ? unless(p.hasStart || p.hasEnd, p.path) : undefined;
  }),
  ...en('BR-CO-20', 'UBL', 'invoice line period', (ctx) => eachLine(ctx, ublLinePeriodBound, ublLinePeriodPath)),
  ...en('BR-CO-20', 'CII', 'invoice line period', (ctx) => each(C(ctx).lines, (l) => !l.period || l.period.hasStart || l.period.hasEnd, (l) => l.period?.path)),
  ...reasonRules(),
  ...en('BR-CO-26', 'UBL', 'seller', (ctx) => {
    const f = U(ctx);
    if (!f.hasSupplierParty) return undefined;
    const ok = f.sellerTaxSchemes.some((t) => t.vat && t.companyIdCount > 0) || f.sellerPartyIds.some((i) => i.attr !== 'SEPA') || ctx.invoice.seller.legalId !== undefined;
    return unless(ok, () => `${R(ctx)}/cac:AccountingSupplierParty`);
  }),
  ...en('BR-CO-26', 'CII', 'seller', (ctx) => {
    const f = C(ctx);
    if (!f.hasSeller) return undefined;
    const ok = f.sellerIds.length > 0 || f.sellerGlobalIdCount > 0 || f.sellerLegalIds.length > 0 || f.sellerTaxIds.some((t) => t.attr === 'VA');
    return unless(ok, f.sellerPath);
  }),
];

const hasReason = (ac: { reason?: string; reasonCode?: string }) => ac.reason !== undefined || ac.reasonCode !== undefined;
const ciiHasReason = (a: CiiAllowanceChargeFact) => a.hasReason;

/** The allowances/charges of a UBL list without a reason or reason code. */
function unreasoned(list: readonly UblAc[]): Violation[] {
  const out: Violation[] = [];
  for (const x of list) if (!hasReason(x.ac)) out.push({ path: x.fact.path });
  return out;
}

/** BR-CO-21…24: a reason or a reason code on every allowance and charge (same tests as BR-33/38/42/44). */
function reasonRules(): Rule[] {
  // UBL: every failing one listed (an empty list when none fails)
  const ublDoc = (charge: boolean) => (ctx: RuleContext) => unreasoned(ublDocAc(ctx, charge));
  const ublLine = (charge: boolean) => (ctx: RuleContext) => unreasoned(ublLineAc(ctx, charge));
  const ciiDoc = (indicator: 'true' | 'false') => (ctx: RuleContext) => each(ciiDocAc(ctx, indicator), ciiHasReason, pathOf);
  const ciiLine = (indicator: 'true' | 'false') => (ctx: RuleContext) => each(ciiLineAc(ctx, indicator), ciiHasReason, pathOf);
  return [
    ...en('BR-CO-21', 'UBL', 'each document level allowance', ublDoc(false)),
    ...en('BR-CO-21', 'CII', 'each document level allowance', ciiDoc('false')),
    ...en('BR-CO-22', 'UBL', 'each document level charge', ublDoc(true)),
    ...en('BR-CO-22', 'CII', 'each document level charge', ciiDoc('true')),
    ...en('BR-CO-23', 'UBL', 'each invoice line allowance', ublLine(false)),
    ...en('BR-CO-23', 'CII', 'each invoice line allowance', ciiLine('false')),
    ...en('BR-CO-24', 'UBL', 'each invoice line charge', ublLine(true)),
    ...en('BR-CO-24', 'CII', 'each invoice line charge', ciiLine('true')),
  ];
}
