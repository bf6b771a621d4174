/**
 * Recomputes the totals of a UBL or CII document from its lines, document allowances and
 * charges and VAT breakdowns (BT-106…BT-115, BT-116/117 per category and rate), so that a
 * semantic mutation (coherent-mutants.ts) breaks only what it aims at. Undefined when the
 * document is not one it can read (an amount or indicator that is no decimal or boolean).
 */
import { Big } from '../../../src/model/decimal';

export type Syntax = 'UBL' | 'CII';
type Range = [number, number];

function blocks(xml: string, name: string): Range[] {
  const out: Range[] = [];
  const re = new RegExp(`<${name}(?:\\s[^>]*)?>[\\s\\S]*?</${name}>`, 'g');
  for (let m = re.exec(xml); m; m = re.exec(xml)) out.push([m.index, m.index + m[0].length]);
  return out;
}
const inside = (r: Range, rs: Range[]) => rs.some((x) => r[0] >= x[0] && r[1] <= x[1]);
const val = (s: string, re: RegExp): string | undefined => re.exec(s)?.[1];
const big = (s: string | undefined): Big | undefined => {
  if (s === undefined) return undefined;
  try {
    return new Big(s.trim());
  } catch {
    return undefined;
  }
};
const r2 = (b: Big) => b.round(2, 1 /* half up */).toFixed(2);
const key = (cat: string | undefined, rate: string | undefined) => `${(cat ?? '').trim()}|${big(rate)?.toString() ?? '0'}`;

function splice(xml: string, edits: { at: Range; text: string }[]): string {
  edits.sort((a, b) => b.at[0] - a.at[0]);
  for (const e of edits) xml = xml.slice(0, e.at[0]) + e.text + xml.slice(e.at[1]);
  return xml;
}
function setLeaf(block: string, name: string, value: string, first = true): string {
  const re = new RegExp(`(<${name}(?:\\s[^>]*)?>)[^<]*(</${name}>)`, first ? '' : 'g');
  return block.replace(re, `$1${value}$2`);
}

export interface Options {
  /** recompute each breakdown's tax amount from its base and rate */
  tax: boolean;
}

export function recompute(xml: string, syntax: Syntax, o: Options = { tax: true }): string | undefined {
  return syntax === 'UBL' ? ubl(xml, o) : cii(xml, o);
}

function ubl(xml: string, o: Options): string | undefined {
  const lineName = /<cac:CreditNoteLine>/.test(xml) ? 'cac:CreditNoteLine' : 'cac:InvoiceLine';
  const lines = blocks(xml, lineName);
  if (lines.length === 0) return undefined;
  const perCat = new Map<string, Big>();
  let lineSum = new Big(0);
  for (const [a, b] of lines) {
    const s = xml.slice(a, b);
    const amt = big(val(s, /<cbc:LineExtensionAmount[^>]*>([^<]*)</));
    if (!amt) return undefined;
    const c = /<cac:ClassifiedTaxCategory>\s*<cbc:ID>([^<]*)<\/cbc:ID>\s*(?:<cbc:Percent>([^<]*)<\/cbc:Percent>)?/.exec(s);
    const k = key(c?.[1], c?.[2]);
    perCat.set(k, (perCat.get(k) ?? new Big(0)).plus(amt));
    lineSum = lineSum.plus(amt);
  }
  let allow = new Big(0);
  let charge = new Big(0);
  for (const r of blocks(xml, 'cac:AllowanceCharge')) {
    if (inside(r, lines)) continue;
    const s = xml.slice(r[0], r[1]);
    const amt = big(val(s, /<cbc:Amount[^>]*>([^<]*)</));
    const raw = val(s, /<cbc:ChargeIndicator>([^<]*)</)?.trim();
    const ind = raw === '1' ? 'true' : raw === '0' ? 'false' : raw;
    if (!amt || !['true', 'false'].includes(ind ?? '')) return undefined;
    const c = /<cac:TaxCategory>\s*<cbc:ID>([^<]*)<\/cbc:ID>\s*(?:<cbc:Percent>([^<]*)<\/cbc:Percent>)?/.exec(s);
    const k = key(c?.[1], c?.[2]);
    const signed = ind === 'true' ? amt : amt.times(-1);
    perCat.set(k, (perCat.get(k) ?? new Big(0)).plus(signed));
    if (ind === 'true') charge = charge.plus(amt);
    else allow = allow.plus(amt);
  }
  const edits: { at: Range; text: string }[] = [];
  let taxSum = new Big(0);
  const taxTotals = blocks(xml, 'cac:TaxTotal');
  const withSubs = taxTotals.filter((r) => xml.slice(r[0], r[1]).includes('<cac:TaxSubtotal>'));
  if (withSubs.length !== 1) return undefined;
  const tt = withSubs[0];
  let ttXml = xml.slice(tt[0], tt[1]);
  const subs = blocks(ttXml, 'cac:TaxSubtotal');
  const subEdits: { at: Range; text: string }[] = [];
  for (const r of subs) {
    let s = ttXml.slice(r[0], r[1]);
    const c = /<cac:TaxCategory>\s*<cbc:ID>([^<]*)<\/cbc:ID>\s*(?:<cbc:Percent>([^<]*)<\/cbc:Percent>)?/.exec(s);
    const rate = big(c?.[2]) ?? new Big(0);
    const base = perCat.get(key(c?.[1], c?.[2])) ?? new Big(0);
    s = setLeaf(s, 'cbc:TaxableAmount', r2(base));
    let tax = big(val(s, /<cbc:TaxAmount[^>]*>([^<]*)</)) ?? new Big(0);
    if (o.tax) {
      tax = base.times(rate).div(100).round(2, 1);
      s = setLeaf(s, 'cbc:TaxAmount', r2(tax));
    }
    taxSum = taxSum.plus(tax);
    subEdits.push({ at: r, text: s });
  }
  ttXml = splice(ttXml, subEdits);
  // the TaxTotal's own TaxAmount is its first
  ttXml = setLeaf(ttXml, 'cbc:TaxAmount', r2(taxSum));
  edits.push({ at: tt, text: ttXml });
  const lmt = blocks(xml, 'cac:LegalMonetaryTotal')[0] ?? blocks(xml, 'cac:RequestedMonetaryTotal')[0];
  if (!lmt) return undefined;
  let m = xml.slice(lmt[0], lmt[1]);
  const excl = lineSum.minus(allow).plus(charge);
  const incl = excl.plus(taxSum);
  const prepaid = big(val(m, /<cbc:PrepaidAmount[^>]*>([^<]*)</)) ?? new Big(0);
  const rounding = big(val(m, /<cbc:PayableRoundingAmount[^>]*>([^<]*)</)) ?? new Big(0);
  m = setLeaf(m, 'cbc:LineExtensionAmount', r2(lineSum));
  m = setLeaf(m, 'cbc:TaxExclusiveAmount', r2(excl));
  m = setLeaf(m, 'cbc:TaxInclusiveAmount', r2(incl));
  m = setLeaf(m, 'cbc:AllowanceTotalAmount', r2(allow));
  m = setLeaf(m, 'cbc:ChargeTotalAmount', r2(charge));
  if (!/AllowanceTotalAmount/.test(m) && allow.gt(0)) {
    const cur = val(m, /currencyID="([^"]*)"/) ?? 'EUR';
    m = m.replace(/(<\/cbc:TaxInclusiveAmount>)/, `$1<cbc:AllowanceTotalAmount currencyID="${cur}">${r2(allow)}</cbc:AllowanceTotalAmount>`);
  }
  if (!/ChargeTotalAmount/.test(m) && charge.gt(0)) {
    const cur = val(m, /currencyID="([^"]*)"/) ?? 'EUR';
    m = m.replace(/(<\/cbc:(?:AllowanceTotalAmount|TaxInclusiveAmount)>)(?![\s\S]*<\/cbc:AllowanceTotalAmount>)/, `$1<cbc:ChargeTotalAmount currencyID="${cur}">${r2(charge)}</cbc:ChargeTotalAmount>`);
  }
  m = setLeaf(m, 'cbc:PayableAmount', r2(incl.minus(prepaid).plus(rounding)));
  edits.push({ at: lmt, text: m });
  return splice(xml, edits);
}

function cii(xml: string, o: Options): string | undefined {
  const lines = blocks(xml, 'ram:IncludedSupplyChainTradeLineItem');
  if (lines.length === 0) return undefined;
  const perCat = new Map<string, Big>();
  let lineSum = new Big(0);
  for (const [a, b] of lines) {
    const s = xml.slice(a, b);
    const amt = big(val(s, /<ram:SpecifiedTradeSettlementLineMonetarySummation>\s*<ram:LineTotalAmount[^>]*>([^<]*)</));
    if (!amt) return undefined;
    const c = /<ram:ApplicableTradeTax>\s*<ram:TypeCode>[^<]*<\/ram:TypeCode>\s*(?:<ram:ExemptionReason>[^<]*<\/ram:ExemptionReason>\s*)?<ram:CategoryCode>([^<]*)<\/ram:CategoryCode>\s*(?:<ram:ExemptionReasonCode>[^<]*<\/ram:ExemptionReasonCode>\s*)?(?:<ram:RateApplicablePercent>([^<]*)<\/ram:RateApplicablePercent>)?/.exec(s);
    const k = key(c?.[1], c?.[2]);
    perCat.set(k, (perCat.get(k) ?? new Big(0)).plus(amt));
    lineSum = lineSum.plus(amt);
  }
  let allow = new Big(0);
  let charge = new Big(0);
  for (const r of blocks(xml, 'ram:SpecifiedTradeAllowanceCharge')) {
    if (inside(r, lines)) continue;
    const s = xml.slice(r[0], r[1]);
    const amt = big(val(s, /<ram:ActualAmount[^>]*>([^<]*)</));
    const ind = val(s, /<udt:Indicator>([^<]*)</)?.trim();
    if (!amt || !['true', 'false'].includes(ind ?? '')) return undefined;
    const c = /<ram:CategoryTradeTax>[\s\S]*?<ram:CategoryCode>([^<]*)<\/ram:CategoryCode>\s*(?:<ram:RateApplicablePercent>([^<]*)<\/ram:RateApplicablePercent>)?/.exec(s);
    const k = key(c?.[1], c?.[2]);
    perCat.set(k, (perCat.get(k) ?? new Big(0)).plus(ind === 'true' ? amt : amt.times(-1)));
    if (ind === 'true') charge = charge.plus(amt);
    else allow = allow.plus(amt);
  }
  const edits: { at: Range; text: string }[] = [];
  let taxSum = new Big(0);
  for (const r of blocks(xml, 'ram:ApplicableTradeTax')) {
    if (inside(r, lines)) continue;
    let s = xml.slice(r[0], r[1]);
    const cat = val(s, /<ram:CategoryCode>([^<]*)</);
    const rateS = val(s, /<ram:RateApplicablePercent>([^<]*)</);
    const rate = big(rateS) ?? new Big(0);
    const base = perCat.get(key(cat, rateS)) ?? new Big(0);
    s = setLeaf(s, 'ram:BasisAmount', r2(base));
    let tax = big(val(s, /<ram:CalculatedAmount[^>]*>([^<]*)</)) ?? new Big(0);
    if (o.tax) {
      tax = base.times(rate).div(100).round(2, 1);
      s = setLeaf(s, 'ram:CalculatedAmount', r2(tax));
    }
    taxSum = taxSum.plus(tax);
    edits.push({ at: r, text: s });
  }
  const sum = blocks(xml, 'ram:SpecifiedTradeSettlementHeaderMonetarySummation')[0];
  if (!sum) return undefined;
  let m = xml.slice(sum[0], sum[1]);
  const excl = lineSum.minus(allow).plus(charge);
  const incl = excl.plus(taxSum);
  const prepaid = big(val(m, /<ram:TotalPrepaidAmount[^>]*>([^<]*)</)) ?? new Big(0);
  const rounding = big(val(m, /<ram:RoundingAmount[^>]*>([^<]*)</)) ?? new Big(0);
  m = setLeaf(m, 'ram:LineTotalAmount', r2(lineSum));
  m = setLeaf(m, 'ram:ChargeTotalAmount', r2(charge));
  m = setLeaf(m, 'ram:AllowanceTotalAmount', r2(allow));
  m = setLeaf(m, 'ram:TaxBasisTotalAmount', r2(excl));
  m = setLeaf(m, 'ram:TaxTotalAmount', r2(taxSum)); // the first: in the invoice currency in the examples
  m = setLeaf(m, 'ram:GrandTotalAmount', r2(incl));
  m = setLeaf(m, 'ram:DuePayableAmount', r2(incl.minus(prepaid).plus(rounding)));
  if (!/ChargeTotalAmount/.test(m) && charge.gt(0)) m = m.replace(/(<\/ram:LineTotalAmount>)/, `$1<ram:ChargeTotalAmount>${r2(charge)}</ram:ChargeTotalAmount>`);
  if (!/AllowanceTotalAmount/.test(m) && allow.gt(0)) m = m.replace(/(<\/ram:(?:ChargeTotalAmount|LineTotalAmount)>)(?![\s\S]*<\/ram:ChargeTotalAmount>)/, `$1<ram:AllowanceTotalAmount>${r2(allow)}</ram:AllowanceTotalAmount>`);
  edits.push({ at: sum, text: m });
  return splice(xml, edits);
}
