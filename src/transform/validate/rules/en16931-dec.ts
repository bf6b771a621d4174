/**
 * EN 16931 decimal rules BR-DEC-*: amounts have at most two fraction digits (the schematron
 * tests `string-length(substring-after(x, '.')) <= 2` on the value as written).
 */
import type { Rule, RuleContext, Violation } from '../rule';
import { decimalsWritten, xdouble } from '../xpath';
import type { InvoiceLine } from '../../../model/invoice';
import { C, each, eachIf, eachLine, en, HOLDS, U, unless } from './define';
import { ciiGenericHeaderTaxes, ciiLineAc, ublLineAc, ublSubtotals } from './en16931-core';

const ok2 = (s: string | undefined) => decimalsWritten(s) <= 2;
// BR-DEC-23's test and paths, made once at load (docs/PERFORMANCE.md, thirty-first round)
const netAmountOk2 = (l: InvoiceLine) => ok2(l.netAmount);
const ublLinePath = (k: number, ctx: RuleContext) => U(ctx).lines[k]?.path;
const ciiLinePath = (k: number, ctx: RuleContext) => C(ctx).lines[k]?.path;

type TotalField = 'lineExtension' | 'allowanceTotal' | 'chargeTotal' | 'taxExclusive' | 'taxInclusive' | 'prepaid' | 'rounding' | 'payable';

function total(id: string, field: TotalField, ubl: string, cii: string): Rule[] {
  return [
    ...en(id, 'UBL', 'document totals', (ctx) =>
      U(ctx).hasLegalMonetaryTotal ? unless(ok2(ctx.invoice.totals[field]), () => `/${U(ctx).root}/cac:LegalMonetaryTotal/cbc:${ubl}`) : undefined),
    ...en(id, 'CII', 'document totals', (ctx) => (C(ctx).hasMonetarySummation ? unless(ok2(ctx.invoice.totals[field]), () => `${C(ctx).summationPath}/ram:${cii}`) : undefined)),
  ];
}

function ublDoc(ctx: RuleContext, charge: boolean, field: 'amount' | 'baseAmount') {
  const f = U(ctx);
  const acs = ctx.invoice.allowanceCharges;
  let out: Violation[] | undefined;
  for (let k = 0; k < acs.length; k++) {
    const fact = f.allowanceCharges[k];
    if (fact?.charge === charge && !ok2(acs[k][field])) (out ??= []).push({ path: fact.path });
  }
  return out;
}

function ublLine(ctx: RuleContext, charge: boolean, field: 'amount' | 'baseAmount') {
  const list = ublLineAc(ctx, charge);
  let out: Violation[] | undefined;
  for (const x of list) if (!ok2(x.ac[field])) (out ??= []).push({ path: x.fact?.path });
  return out;
}

function ciiDoc(ctx: RuleContext, indicator: string, field: 'actualAmount' | 'basisAmount') {
  return eachIf(C(ctx).allowanceCharges, (a) => a.indicator === indicator, (a) => ok2(a[field]), (a) => a.path);
}

function ciiLine(ctx: RuleContext, indicator: 'true' | 'false', field: 'actualAmount' | 'basisAmount') {
  let out: Violation[] | undefined;
  for (const a of ciiLineAc(ctx, indicator)) if (!ok2(a[field])) (out ??= []).push({ path: a.path });
  return out;
}

/** CII BR-DEC-13: TaxTotalAmount[(@currencyID = InvoiceCurrencyCode and . = round(. * 100) div 100) or not(@currencyID = InvoiceCurrencyCode)] */
function ciiDec13(ctx: RuleContext) {
  const f = C(ctx);
  if (!f.hasMonetarySummation || f.taxTotalAmounts.length === 0) return undefined;
  const cur = ctx.invoice.currency;
  const ok = f.taxTotalAmounts.some((t) => (cur !== undefined && t.attr === cur ? rounded(t.text) : true));
  return unless(ok, () => `${f.summationPath}/ram:TaxTotalAmount`);
}

/** CII BR-DEC-15: TaxTotalAmount[(@currencyID = TaxCurrencyCode and . = round(. * 100) div 100) or not(TaxCurrencyCode)] */
function ciiDec15(ctx: RuleContext) {
  const f = C(ctx);
  if (!f.hasMonetarySummation || f.taxTotalAmounts.length === 0) return undefined;
  const cur = ctx.invoice.taxCurrency;
  const ok = cur === undefined || f.taxTotalAmounts.some((t) => t.attr === cur && rounded(t.text));
  return unless(ok, () => `${f.summationPath}/ram:TaxTotalAmount`);
}

/**
 * `. = round(. * 100) div 100` of an untyped amount: xs:double arithmetic, so an amount of more
 * than 15 significant digits (no double holds it to the cent) is not rounded to the cent there.
 */
function rounded(s: string): boolean {
  const x = xdouble(s);
  return x === Math.round(x * 100) / 100;
}

export const DEC_RULES: Rule[] = [
  ...en('BR-DEC-01', 'UBL', 'each document level allowance', (ctx) => ublDoc(ctx, false, 'amount')),
  ...en('BR-DEC-01', 'CII', 'each document level allowance', (ctx) => ciiDoc(ctx, 'false', 'actualAmount')),
  ...en('BR-DEC-02', 'UBL', 'each document level allowance', (ctx) => ublDoc(ctx, false, 'baseAmount')),
  ...en('BR-DEC-02', 'CII', 'each document level allowance', (ctx) => ciiDoc(ctx, 'false', 'basisAmount')),
  ...en('BR-DEC-05', 'UBL', 'each document level charge', (ctx) => ublDoc(ctx, true, 'amount')),
  ...en('BR-DEC-05', 'CII', 'each document level charge', (ctx) => ciiDoc(ctx, 'true', 'actualAmount')),
  ...en('BR-DEC-06', 'UBL', 'each document level charge', (ctx) => ublDoc(ctx, true, 'baseAmount')),
  ...en('BR-DEC-06', 'CII', 'each document level charge', (ctx) => ciiDoc(ctx, 'true', 'basisAmount')),
  ...total('BR-DEC-09', 'lineExtension', 'LineExtensionAmount', 'LineTotalAmount'),
  ...total('BR-DEC-10', 'allowanceTotal', 'AllowanceTotalAmount', 'AllowanceTotalAmount'),
  ...total('BR-DEC-11', 'chargeTotal', 'ChargeTotalAmount', 'ChargeTotalAmount'),
  ...total('BR-DEC-12', 'taxExclusive', 'TaxExclusiveAmount', 'TaxBasisTotalAmount'),
  // UBL: the official test compares @currencyID with a cbc:DocumentCurrencyCode child of cbc:TaxAmount,
  // which never exists, so the assertion always holds; UBL-DT-01 bounds the decimals instead.
  ...en('BR-DEC-13', 'UBL', 'invoice', HOLDS),
  ...en('BR-DEC-13', 'CII', 'document totals', ciiDec13),
  ...total('BR-DEC-14', 'taxInclusive', 'TaxInclusiveAmount', 'GrandTotalAmount'),
  // UBL: same construction as BR-DEC-13 (cbc:TaxCurrencyCode read under cbc:TaxAmount): always holds
  ...en('BR-DEC-15', 'UBL', 'invoice', HOLDS),
  ...en('BR-DEC-15', 'CII', 'document totals', ciiDec15),
  ...total('BR-DEC-16', 'prepaid', 'PrepaidAmount', 'TotalPrepaidAmount'),
  ...total('BR-DEC-17', 'rounding', 'PayableRoundingAmount', 'RoundingAmount'),
  ...total('BR-DEC-18', 'payable', 'PayableAmount', 'DuePayableAmount'),
  ...en('BR-DEC-19', 'UBL', 'each VAT breakdown', (ctx) => each(ublSubtotals(ctx), (s) => ok2(s.taxableAmount), (s) => s.path)),
  ...en('BR-DEC-19', 'CII', 'each VAT breakdown', (ctx) => each(ciiGenericHeaderTaxes(ctx), (t) => ok2(t.basisAmount), (t) => t.path)),
  ...en('BR-DEC-20', 'UBL', 'each VAT breakdown', (ctx) => each(ublSubtotals(ctx), (s) => ok2(s.taxAmount), (s) => s.path)),
  ...en('BR-DEC-20', 'CII', 'each VAT breakdown', (ctx) => each(ciiGenericHeaderTaxes(ctx), (t) => ok2(t.calculatedAmount), (t) => t.path)),
  ...en('BR-DEC-23', 'UBL', 'each invoice line', (ctx) => eachLine(ctx, netAmountOk2, ublLinePath)),
  ...en('BR-DEC-23', 'CII', 'each invoice line', (ctx) => eachLine(ctx, netAmountOk2, ciiLinePath)),
  ...en('BR-DEC-24', 'UBL', 'each invoice line allowance', (ctx) => ublLine(ctx, false, 'amount')),
  ...en('BR-DEC-24', 'CII', 'each invoice line allowance', (ctx) => ciiLine(ctx, 'false', 'actualAmount')),
  ...en('BR-DEC-25', 'UBL', 'each invoice line allowance', (ctx) => ublLine(ctx, false, 'baseAmount')),
  ...en('BR-DEC-25', 'CII', 'each invoice line allowance', (ctx) => ciiLine(ctx, 'false', 'basisAmount')),
  ...en('BR-DEC-27', 'UBL', 'each invoice line charge', (ctx) => ublLine(ctx, true, 'amount')),
  ...en('BR-DEC-27', 'CII', 'each invoice line charge', (ctx) => ciiLine(ctx, 'true', 'actualAmount')),
  ...en('BR-DEC-28', 'UBL', 'each invoice line charge', (ctx) => ublLine(ctx, true, 'baseAmount')),
  ...en('BR-DEC-28', 'CII', 'each invoice line charge', (ctx) => ciiLine(ctx, 'true', 'basisAmount')),
];
