/**
 * Coherent semantic mutations of the official examples, for the differential test against the
 * official schematron (coherent-mutations-oracle.test.ts). Where seeded-mutants.ts changes one
 * value and lets every total it feeds break, these change what a supplier's software gets wrong
 * on purpose and recompute the totals (recompute-totals.ts), so that the deeper conditions of
 * the rules are reached: a VAT category switched everywhere with or without its exemption
 * reason (text, VATEX code) and the party VAT ids it needs, one line's category alone, a tax
 * amount on a half cent and ±1 around it, a breakdown's base moved to the edge of the ±1
 * tolerance, document and line allowances and charges with percent / base / amount
 * combinations and reason codes from the wrong list, quantities of 0 or negative, a currency
 * switched or a tax currency added, payment means, prepaid and rounding amounts, gross prices
 * with discounts, periods, VAT ids and tax schemes written otherwise, a breakdown split in two.
 *
 * By hand: `node -r ./test/helpers/ts-register.js test/validation/support/mutant-diff.ts <seed> <count> <out> coherent`.
 */
import { prng } from '../../helpers/hostile';
import { Big } from '../../../src/model/decimal';
import { recompute, type Syntax } from './recompute-totals';
import type { Mutant } from './seeded-mutants';

type Rnd = () => number;
const pick = <T>(rnd: Rnd, a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
type Out = { xml: string; what: string } | undefined;
type Op = (xml: string, s: Syntax, rnd: Rnd) => Out;

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const CATS = ['S', 'Z', 'E', 'AE', 'K', 'G', 'O', 'L', 'M'];
const VATEX: Record<string, string[]> = {
  E: ['VATEX-EU-132', 'VATEX-EU-143', 'VATEX-EU-309', 'VATEX-EU-79-C', 'VATEX-FR-FRANCHISE'],
  AE: ['VATEX-EU-AE'],
  K: ['VATEX-EU-IC'],
  G: ['VATEX-EU-G'],
  O: ['VATEX-EU-O'],
};
const ALL_VATEX = ['VATEX-EU-AE', 'VATEX-EU-IC', 'VATEX-EU-G', 'VATEX-EU-O', 'VATEX-EU-132', 'VATEX-EU-79-C', 'VATEX-EU-D', 'VATEX-EU-F', 'VATEX-EU-I', 'VATEX-EU-J', 'VATEX-FR-FRANCHISE', 'VATEX-FR-CNWVAT', 'VATEX-EU-132-1A', 'VATEX-EU-148', 'VATEX-EU-151-1A', 'VATEX-EU-309', 'vatex-eu-ae', 'VATEX-EU-AE ', 'VATEX-EU-XX', 'VATEX-EU'];

function categoriesOf(xml: string, s: Syntax): string[] {
  const re = s === 'UBL' ? /<cac:TaxSubtotal>[\s\S]*?<cac:TaxCategory>\s*<cbc:ID>([^<]*)</g : /<ram:CategoryCode>([^<]*)</g;
  return [...new Set([...xml.matchAll(re)].map((m) => m[1]))];
}

/** Renames category `from` to `to` everywhere (lines, breakdown, allowances), with rate and reasons as asked. */
function switchCategory(xml: string, s: Syntax, from: string, to: string, rate: string | null | undefined, reason: 'none' | 'text' | 'code' | 'both' | 'keep', rnd: Rnd): string {
  if (s === 'UBL') {
    const re = new RegExp(`(<cac:(?:ClassifiedTaxCategory|TaxCategory)>\\s*<cbc:ID(?:\\s[^>]*)?>)${esc(from)}(</cbc:ID>)([\\s\\S]*?)(</cac:(?:ClassifiedTaxCategory|TaxCategory)>)`, 'g');
    return xml.replace(re, (_m, a: string, b: string, body: string, end: string, off: number) => {
      let inner = body;
      if (rate === null) inner = inner.replace(/\s*<cbc:Percent>[^<]*<\/cbc:Percent>/, '');
      else if (rate !== undefined) inner = /<cbc:Percent>/.test(inner) ? inner.replace(/<cbc:Percent>[^<]*<\/cbc:Percent>/, `<cbc:Percent>${rate}</cbc:Percent>`) : `<cbc:Percent>${rate}</cbc:Percent>${inner}`;
      // reasons only on the breakdown's TaxCategory (inside TaxSubtotal)
      const isBreakdown = a.startsWith('<cac:TaxCategory>') && /<cac:TaxSubtotal>(?![\s\S]*<\/cac:TaxSubtotal>[\s\S]*$)/.test(xml.slice(Math.max(0, off - 600), off));
      if (reason !== 'keep' && a.startsWith('<cac:TaxCategory>')) {
        inner = inner.replace(/\s*<cbc:TaxExemptionReasonCode>[^<]*<\/cbc:TaxExemptionReasonCode>/g, '').replace(/\s*<cbc:TaxExemptionReason>[^<]*<\/cbc:TaxExemptionReason>/g, '');
        if (isBreakdown && reason !== 'none') {
          const code = reason === 'code' || reason === 'both' ? `<cbc:TaxExemptionReasonCode>${pick(rnd, rnd() < 0.8 ? VATEX[to] ?? ALL_VATEX : ALL_VATEX)}</cbc:TaxExemptionReasonCode>` : '';
          const text = reason === 'text' || reason === 'both' ? '<cbc:TaxExemptionReason>Exempt</cbc:TaxExemptionReason>' : '';
          inner = inner.replace(/(<cac:TaxScheme>)/, `${code}${text}$1`);
        }
      }
      return `${a}${to}${b}${inner}${end}`;
    });
  }
  // CII: ApplicableTradeTax (line, header) and CategoryTradeTax (allowances)
  const re = new RegExp(`<ram:(ApplicableTradeTax|CategoryTradeTax)>([\\s\\S]*?)</ram:\\1>`, 'g');
  return xml.replace(re, (m, tag: string, body: string) => {
    if (!new RegExp(`<ram:CategoryCode>${esc(from)}</ram:CategoryCode>`).test(body)) return m;
    let inner = body.replace(`<ram:CategoryCode>${from}</ram:CategoryCode>`, `<ram:CategoryCode>${to}</ram:CategoryCode>`);
    if (rate === null) inner = inner.replace(/\s*<ram:RateApplicablePercent>[^<]*<\/ram:RateApplicablePercent>/, '');
    else if (rate !== undefined) inner = /<ram:RateApplicablePercent>/.test(inner) ? inner.replace(/<ram:RateApplicablePercent>[^<]*</, `<ram:RateApplicablePercent>${rate}<`) : inner.replace(/(<\/ram:CategoryCode>(?:\s*<ram:ExemptionReasonCode>[^<]*<\/ram:ExemptionReasonCode>)?)/, `$1<ram:RateApplicablePercent>${rate}</ram:RateApplicablePercent>`);
    const isHeader = tag === 'ApplicableTradeTax' && /<ram:BasisAmount>/.test(inner);
    if (reason !== 'keep' && isHeader) {
      inner = inner.replace(/\s*<ram:ExemptionReasonCode>[^<]*<\/ram:ExemptionReasonCode>/g, '').replace(/\s*<ram:ExemptionReason>[^<]*<\/ram:ExemptionReason>/g, '');
      if (reason === 'text' || reason === 'both') inner = inner.replace(/(<ram:CategoryCode>)/, '<ram:ExemptionReason>Exempt</ram:ExemptionReason>$1');
      if (reason === 'code' || reason === 'both') inner = inner.replace(/(<\/ram:CategoryCode>)/, `$1<ram:ExemptionReasonCode>${pick(rnd, rnd() < 0.8 ? VATEX[to] ?? ALL_VATEX : ALL_VATEX)}</ram:ExemptionReasonCode>`);
    }
    return `<ram:${tag}>${inner}</ram:${tag}>`;
  });
}

const SELLER_VAT: Record<Syntax, RegExp> = {
  UBL: /<cac:AccountingSupplierParty>[\s\S]*?<\/cac:AccountingSupplierParty>/,
  CII: /<ram:SellerTradeParty>[\s\S]*?<\/ram:SellerTradeParty>/,
};
const BUYER: Record<Syntax, RegExp> = {
  UBL: /<cac:AccountingCustomerParty>[\s\S]*?<\/cac:AccountingCustomerParty>/,
  CII: /<ram:BuyerTradeParty>[\s\S]*?<\/ram:BuyerTradeParty>/,
};
function dropVatId(xml: string, s: Syntax, who: RegExp): string {
  return xml.replace(who, (p) =>
    s === 'UBL'
      ? p.replace(/<cac:PartyTaxScheme>(?:(?!<\/cac:PartyTaxScheme>)[\s\S])*?<cbc:ID>VAT<\/cbc:ID>[\s\S]*?<\/cac:PartyTaxScheme>/g, '')
      : p.replace(/<ram:SpecifiedTaxRegistration>\s*<ram:ID schemeID="VA">[^<]*<\/ram:ID>\s*<\/ram:SpecifiedTaxRegistration>/g, ''),
  );
}
function addVatId(xml: string, s: Syntax, who: RegExp, id: string): string {
  return xml.replace(who, (p) => {
    if (s === 'UBL') {
      if (/<cbc:ID>VAT<\/cbc:ID>\s*<\/cac:TaxScheme>/.test(p)) return p;
      return p.replace(/(<\/cac:PostalAddress>)/, `$1<cac:PartyTaxScheme><cbc:CompanyID>${id}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>`);
    }
    if (/schemeID="VA"/.test(p)) return p;
    const at = p.lastIndexOf('</ram:');
    const closing = p.slice(at);
    return `${p.slice(0, at)}<ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">${id}</ram:ID></ram:SpecifiedTaxRegistration>${closing}`;
  });
}

const catSwitch: Op = (xml, s, rnd) => {
  const cats = categoriesOf(xml, s);
  if (cats.length === 0) return undefined;
  const from = pick(rnd, cats);
  const to = pick(rnd, CATS.filter((c) => c !== from));
  const zero = ['Z', 'E', 'AE', 'K', 'G', 'O'].includes(to);
  const rate = to === 'O' ? pick(rnd, [null, null, '0', '0.00']) : zero ? pick(rnd, ['0', '0.00', '0', undefined]) : pick(rnd, [undefined, '7', '20', '0', '5.5']);
  const reason = pick(rnd, ['none', 'text', 'code', 'both', 'keep', 'code', 'text'] as const);
  let out = switchCategory(xml, s, from, to, rate, reason, rnd);
  const what = [`cat ${from}→${to} rate=${rate} reason=${reason}`];
  const r = rnd();
  if (r < 0.15) {
    out = dropVatId(out, s, SELLER_VAT[s]);
    what.push('seller vat dropped');
  } else if (r < 0.3) {
    out = dropVatId(out, s, BUYER[s]);
    what.push('buyer vat dropped');
  } else if (r < 0.4) {
    out = addVatId(out, s, BUYER[s], pick(rnd, ['DE123456789', 'FR12345678901', 'NO999999999']));
    what.push('buyer vat added');
  }
  const fixed = recompute(out, s, { tax: rnd() < 0.9 });
  return { xml: fixed ?? out, what: `${what.join(', ')}${fixed ? ' (recomputed)' : ''}` };
};

/** A category on one line only (a second breakdown needed, made or not). */
const lineCatOnly: Op = (xml, s, rnd) => {
  const to = pick(rnd, CATS);
  const lineRe = s === 'UBL' ? /<cac:ClassifiedTaxCategory>\s*<cbc:ID>([^<]*)<\/cbc:ID>/g : /<ram:SpecifiedLineTradeSettlement>\s*<ram:ApplicableTradeTax>\s*<ram:TypeCode>VAT<\/ram:TypeCode>\s*<ram:CategoryCode>([^<]*)<\/ram:CategoryCode>/g;
  const ms = [...xml.matchAll(lineRe)];
  if (ms.length === 0) return undefined;
  const m = pick(rnd, ms);
  const idx = m.index as number;
  const repl = m[0].replace(`>${m[1]}<`, `>${to}<`);
  let out = xml.slice(0, idx) + repl + xml.slice(idx + m[0].length);
  // rate on the changed line
  const rate = ['Z', 'E', 'AE', 'K', 'G'].includes(to) ? '0' : to === 'O' ? null : undefined;
  const after = idx + repl.length;
  if (s === 'UBL') {
    const seg = out.slice(after, after + 200);
    let nseg = seg;
    if (rate === null) nseg = seg.replace(/^\s*<cbc:Percent>[^<]*<\/cbc:Percent>/, '');
    else if (rate !== undefined) nseg = seg.replace(/^(\s*<cbc:Percent>)[^<]*/, `$1${rate}`);
    out = out.slice(0, after) + nseg + out.slice(after + 200);
  } else {
    const seg = out.slice(after, after + 200);
    let nseg = seg;
    if (rate === null) nseg = seg.replace(/^\s*<ram:RateApplicablePercent>[^<]*<\/ram:RateApplicablePercent>/, '');
    else if (rate !== undefined) nseg = seg.replace(/^(\s*<ram:RateApplicablePercent>)[^<]*/, `$1${rate}`);
    out = out.slice(0, after) + nseg + out.slice(after + 200);
  }
  // add the matching breakdown, sometimes
  let added = '';
  if (rnd() < 0.6) {
    const reasonCode = VATEX[to] ? pick(rnd, [...VATEX[to], '']) : '';
    if (s === 'UBL') {
      const cur = /<cbc:DocumentCurrencyCode[^>]*>([^<]*)</.exec(out)?.[1] ?? 'EUR';
      const sub = `<cac:TaxSubtotal><cbc:TaxableAmount currencyID="${cur}">0.00</cbc:TaxableAmount><cbc:TaxAmount currencyID="${cur}">0.00</cbc:TaxAmount><cac:TaxCategory><cbc:ID>${to}</cbc:ID>${rate === null ? '' : `<cbc:Percent>${rate ?? '20'}</cbc:Percent>`}${reasonCode ? `<cbc:TaxExemptionReasonCode>${reasonCode}</cbc:TaxExemptionReasonCode>` : ''}<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:TaxSubtotal>`;
      out = out.replace(/(<\/cac:TaxSubtotal>)(?![\s\S]*<\/cac:TaxSubtotal>)/, `$1${sub}`);
    } else {
      const tax = `<ram:ApplicableTradeTax><ram:CalculatedAmount>0.00</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>${reasonCode ? '<ram:ExemptionReason>Exempt</ram:ExemptionReason>' : ''}<ram:BasisAmount>0.00</ram:BasisAmount><ram:CategoryCode>${to}</ram:CategoryCode>${reasonCode ? `<ram:ExemptionReasonCode>${reasonCode}</ram:ExemptionReasonCode>` : ''}${rate === null ? '' : `<ram:RateApplicablePercent>${rate ?? '20'}</ram:RateApplicablePercent>`}</ram:ApplicableTradeTax>`;
      // after the last header ApplicableTradeTax
      const hs = xml.indexOf('<ram:ApplicableHeaderTradeSettlement');
      const lastEnd = out.lastIndexOf('</ram:ApplicableTradeTax>');
      if (lastEnd > hs) out = out.slice(0, lastEnd + 25) + tax + out.slice(lastEnd + 25);
    }
    added = ' +breakdown';
  }
  const fixed = recompute(out, s);
  return { xml: fixed ?? out, what: `line cat ${m[1]}→${to}${added}${fixed ? ' (recomputed)' : ''}` };
};

/** Moves a line amount so a breakdown's tax ends in a half cent, then sets the tax otherwise. */
const halfCent: Op = (xml, s, rnd) => {
  const lineAmt = s === 'UBL' ? /(<cac:(?:Invoice|CreditNote)Line>[\s\S]*?<cbc:LineExtensionAmount[^>]*>)([^<]*)(<)/g : /(<ram:SpecifiedTradeSettlementLineMonetarySummation>\s*<ram:LineTotalAmount[^>]*>)([^<]*)(<)/g;
  const ms = [...xml.matchAll(lineAmt)];
  if (ms.length === 0) return undefined;
  const m = pick(rnd, ms);
  const base = recompute(xml, s);
  if (!base) return undefined;
  let amt: Big;
  try {
    amt = new Big(m[2]);
  } catch {
    return undefined;
  }
  // find a cent offset making some breakdown base * rate / 100 end in 5 at the third decimal
  for (let d = 1; d < 400; d++) {
    const na = amt.plus(new Big(d).div(100));
    const cand = xml.slice(0, (m.index as number) + m[1].length) + na.toFixed(2) + xml.slice((m.index as number) + m[1].length + m[2].length);
    const rec = recompute(cand, s);
    if (!rec) return undefined;
    const re = s === 'UBL' ? /<cac:TaxSubtotal>\s*<cbc:TaxableAmount[^>]*>([^<]*)<\/cbc:TaxableAmount>\s*<cbc:TaxAmount[^>]*>([^<]*)<\/cbc:TaxAmount>\s*<cac:TaxCategory>\s*<cbc:ID>[^<]*<\/cbc:ID>\s*<cbc:Percent>([^<]*)</g : /<ram:CalculatedAmount>([^<]*)<\/ram:CalculatedAmount>[\s\S]*?<ram:BasisAmount>([^<]*)<\/ram:BasisAmount>[\s\S]*?<ram:RateApplicablePercent>([^<]*)</g;
    for (const t of rec.matchAll(re)) {
      const [taxable, taxS, rate] = s === 'UBL' ? [t[1], t[2], t[3]] : [t[2], t[1], t[3]];
      let exact: Big;
      try {
        exact = new Big(taxable).times(new Big(rate)).div(100);
      } catch {
        continue;
      }
      if (exact.eq(0)) continue;
      const frac = exact.times(1000).mod(10);
      if (!frac.eq(5) || !exact.times(1000).mod(1).eq(0)) continue;
      const down = exact.round(2, 0).toFixed(2);
      const choice = pick(rnd, ['down', 'up', 'up', '-0.01', '+0.01', '+1.00', '-1.00', '+0.99', '-0.99', '+1.01']);
      const up = new Big(taxS);
      const v = choice === 'down' ? down : choice === 'up' ? up.toFixed(2) : up.plus(new Big(choice)).toFixed(2);
      const at = (t.index as number) + t[0].indexOf(`>${taxS}<`) + 1;
      // only the first occurrence in this block
      const out = rec.slice(0, at) + v + rec.slice(at + taxS.length);
      const fixed = recompute(out, s, { tax: false });
      return { xml: fixed ?? out, what: `half-cent: line ${m[2]}→${na.toFixed(2)}, tax ${taxable}×${rate}%=${exact.toString()} set ${choice} (${v})` };
    }
  }
  return undefined;
};

/** Document allowance or charge with a percent/base/amount combination. */
const acCombo = (level: 'doc' | 'line'): Op => (xml, s, rnd) => {
  const charge = rnd() < 0.5;
  const base = pick(rnd, ['100.00', '1000', '33.33', '0.00', '-100.00', undefined, '12.345']);
  const pct = pick(rnd, ['10', '2.5', '0', '100', '-5', '33.333', undefined, '110']);
  let amount = '5.00';
  if (base !== undefined && pct !== undefined) {
    const exact = new Big(base).times(pct).div(100);
    amount = pick(rnd, [exact.round(2, 1).toFixed(2), exact.round(2, 1).plus(0.01).toFixed(2), exact.round(2, 0).toFixed(2), exact.toFixed(3), exact.round(2, 1).minus(0.01).toFixed(2)]);
  } else amount = pick(rnd, ['5.00', '0.00', '0.01', '-5.00', '12.345']);
  const reasons = charge ? ['FC', 'ABL', 'AAA', 'ZZZ', '95', 'XX'] : ['95', '100', '41', '65', '66', 'FC', '999'];
  const code = rnd() < 0.5 ? pick(rnd, reasons) : undefined;
  const text = rnd() < 0.7 ? (charge ? 'Freight' : 'Discount') : rnd() < 0.5 ? '' : undefined;
  if (s === 'UBL') {
    const cur = /<cbc:DocumentCurrencyCode[^>]*>([^<]*)</.exec(xml)?.[1] ?? 'EUR';
    const catm = /<cac:TaxSubtotal>[\s\S]*?<cac:TaxCategory>\s*<cbc:ID>([^<]*)<\/cbc:ID>\s*(?:<cbc:Percent>([^<]*)<\/cbc:Percent>)?/.exec(xml);
    const body =
      `<cbc:ChargeIndicator>${charge}</cbc:ChargeIndicator>` +
      (code !== undefined ? `<cbc:AllowanceChargeReasonCode>${code}</cbc:AllowanceChargeReasonCode>` : '') +
      (text !== undefined ? `<cbc:AllowanceChargeReason>${text}</cbc:AllowanceChargeReason>` : '') +
      (pct !== undefined ? `<cbc:MultiplierFactorNumeric>${pct}</cbc:MultiplierFactorNumeric>` : '') +
      `<cbc:Amount currencyID="${cur}">${amount}</cbc:Amount>` +
      (base !== undefined ? `<cbc:BaseAmount currencyID="${cur}">${base}</cbc:BaseAmount>` : '');
    if (level === 'line') {
      const ls = [...xml.matchAll(/<cac:(?:Invoice|CreditNote)Line>[\s\S]*?(?=<cac:Item>)/g)];
      if (ls.length === 0) return undefined;
      const l = pick(rnd, ls);
      const at = (l.index as number) + l[0].length;
      let out = xml.slice(0, at) + `<cac:AllowanceCharge>${body}</cac:AllowanceCharge>` + xml.slice(at);
      // the line's net amount follows, or not
      if (rnd() < 0.7) {
        const la = /(<cbc:LineExtensionAmount[^>]*>)([^<]*)</.exec(out.slice(l.index as number));
        if (la) {
          try {
            const nv = new Big(la[2]).plus(new Big(amount).times(charge ? 1 : -1)).toFixed(2);
            const p = (l.index as number) + la.index + la[1].length;
            out = out.slice(0, p) + nv + out.slice(p + la[2].length);
          } catch {
            /* junk */
          }
        }
      }
      const fixed = recompute(out, s);
      return { xml: fixed ?? out, what: `line ${charge ? 'charge' : 'allowance'} pct=${pct} base=${base} amount=${amount} code=${code} text=${text}${fixed ? ' (recomputed)' : ''}` };
    }
    const catXml = catm && rnd() < 0.9 ? `<cac:TaxCategory><cbc:ID>${catm[1]}</cbc:ID>${catm[2] !== undefined ? `<cbc:Percent>${catm[2]}</cbc:Percent>` : ''}<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>` : '';
    const m = /<cac:TaxTotal>/.exec(xml);
    if (!m) return undefined;
    const out = xml.slice(0, m.index) + `<cac:AllowanceCharge>${body}${catXml}</cac:AllowanceCharge>` + xml.slice(m.index);
    const fixed = recompute(out, s);
    return { xml: fixed ?? out, what: `doc ${charge ? 'charge' : 'allowance'} pct=${pct} base=${base} amount=${amount} code=${code} text=${text} cat=${catXml ? catm?.[1] : '-'}${fixed ? ' (recomputed)' : ''}` };
  }
  const catm = /<ram:ApplicableHeaderTradeSettlement>[\s\S]*?<ram:ApplicableTradeTax>[\s\S]*?<ram:CategoryCode>([^<]*)<\/ram:CategoryCode>\s*(?:<ram:ExemptionReasonCode>[^<]*<\/ram:ExemptionReasonCode>\s*)?(?:<ram:RateApplicablePercent>([^<]*)<\/ram:RateApplicablePercent>)?/.exec(xml);
  const body =
    `<ram:ChargeIndicator><udt:Indicator>${charge}</udt:Indicator></ram:ChargeIndicator>` +
    (pct !== undefined ? `<ram:CalculationPercent>${pct}</ram:CalculationPercent>` : '') +
    (base !== undefined ? `<ram:BasisAmount>${base}</ram:BasisAmount>` : '') +
    `<ram:ActualAmount>${amount}</ram:ActualAmount>` +
    (code !== undefined ? `<ram:ReasonCode>${code}</ram:ReasonCode>` : '') +
    (text !== undefined ? `<ram:Reason>${text}</ram:Reason>` : '');
  if (level === 'line') {
    const ls = [...xml.matchAll(/<ram:SpecifiedLineTradeSettlement>[\s\S]*?(?=<ram:SpecifiedTradeSettlementLineMonetarySummation>)/g)];
    if (ls.length === 0) return undefined;
    const l = pick(rnd, ls);
    const at = (l.index as number) + l[0].length;
    let out = xml.slice(0, at) + `<ram:SpecifiedTradeAllowanceCharge>${body}</ram:SpecifiedTradeAllowanceCharge>` + xml.slice(at);
    if (rnd() < 0.7) {
      const la = /(<ram:SpecifiedTradeSettlementLineMonetarySummation>\s*<ram:LineTotalAmount[^>]*>)([^<]*)</.exec(out.slice(at));
      if (la) {
        try {
          const nv = new Big(la[2]).plus(new Big(amount).times(charge ? 1 : -1)).toFixed(2);
          const p = at + la.index + la[1].length;
          out = out.slice(0, p) + nv + out.slice(p + la[2].length);
        } catch {
          /* junk */
        }
      }
    }
    const fixed = recompute(out, s);
    return { xml: fixed ?? out, what: `line ${charge ? 'charge' : 'allowance'} pct=${pct} base=${base} amount=${amount} code=${code} text=${text}${fixed ? ' (recomputed)' : ''}` };
  }
  const catXml = catm && rnd() < 0.9 ? `<ram:CategoryTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>${catm[1]}</ram:CategoryCode>${catm[2] !== undefined ? `<ram:RateApplicablePercent>${catm[2]}</ram:RateApplicablePercent>` : ''}</ram:CategoryTradeTax>` : '';
  const m = /<ram:SpecifiedTradePaymentTerms>|<ram:SpecifiedTradeSettlementHeaderMonetarySummation>/.exec(xml);
  if (!m) return undefined;
  // after any existing header allowance/charge (they come after ApplicableTradeTax and the period)
  const out = xml.slice(0, m.index) + `<ram:SpecifiedTradeAllowanceCharge>${body}${catXml}</ram:SpecifiedTradeAllowanceCharge>` + xml.slice(m.index);
  const fixed = recompute(out, s);
  return { xml: fixed ?? out, what: `doc ${charge ? 'charge' : 'allowance'} pct=${pct} base=${base} amount=${amount} code=${code} text=${text} cat=${catXml ? catm?.[1] : '-'}${fixed ? ' (recomputed)' : ''}` };
};

const quantity: Op = (xml, s, rnd) => {
  const re = s === 'UBL' ? /(<cbc:(?:Invoiced|Credited)Quantity[^>]*>)([^<]*)(<)/g : /(<ram:BilledQuantity[^>]*>)([^<]*)(<)/g;
  const ms = [...xml.matchAll(re)];
  if (ms.length === 0) return undefined;
  const m = pick(rnd, ms);
  const v = pick(rnd, ['0', '0.00', '-1', '-' + m[2].trim(), '0.0001', '1E2', '']);
  const p = (m.index as number) + m[1].length;
  let out = xml.slice(0, p) + v + xml.slice(p + m[2].length);
  let what = `qty ${m[2]}→${v}`;
  if (rnd() < 0.5) {
    // the line amount follows: 0 or negated
    const la = (s === 'UBL' ? /(<cbc:LineExtensionAmount[^>]*>)([^<]*)</ : /(<ram:SpecifiedTradeSettlementLineMonetarySummation>\s*<ram:LineTotalAmount[^>]*>)([^<]*)</).exec(out.slice(p));
    if (la) {
      const nv = v.startsWith('-') ? (la[2].startsWith('-') ? la[2].slice(1) : `-${la[2]}`) : '0.00';
      const q = p + la.index + la[1].length;
      out = out.slice(0, q) + nv + out.slice(q + la[2].length);
      what += ` line amount→${nv}`;
    }
  }
  const fixed = recompute(out, s);
  return { xml: fixed ?? out, what: `${what}${fixed ? ' (recomputed)' : ''}` };
};

const CURRENCIES = ['USD', 'GBP', 'HUF', 'JPY', 'SEK', 'NOK', 'CHF'];
const currency: Op = (xml, s, rnd) => {
  const docCur = s === 'UBL' ? /<cbc:DocumentCurrencyCode[^>]*>([^<]*)</.exec(xml)?.[1] : /<ram:InvoiceCurrencyCode>([^<]*)</.exec(xml)?.[1];
  if (!docCur) return undefined;
  const r = rnd();
  if (r < 0.35) {
    // whole document to another currency
    const to = pick(rnd, CURRENCIES.filter((c) => c !== docCur));
    let out = s === 'UBL' ? xml.replace(new RegExp(`currencyID="${esc(docCur)}"`, 'g'), `currencyID="${to}"`).replace(/(<cbc:DocumentCurrencyCode[^>]*>)[^<]*/, `$1${to}`) : xml.replace(new RegExp(`currencyID="${esc(docCur)}"`, 'g'), `currencyID="${to}"`).replace(/(<ram:InvoiceCurrencyCode>)[^<]*/, `$1${to}`);
    if (rnd() < 0.4) {
      // but not the document currency code
      out = s === 'UBL' ? out.replace(/(<cbc:DocumentCurrencyCode[^>]*>)[^<]*/, `$1${docCur}`) : out.replace(/(<ram:InvoiceCurrencyCode>)[^<]*/, `$1${docCur}`);
      return { xml: out, what: `currency amounts ${docCur}→${to}, code kept` };
    }
    return { xml: out, what: `currency ${docCur}→${to}` };
  }
  // tax currency (BT-6) and its VAT total (BT-111)
  const tax = pick(rnd, [docCur, 'EUR', 'SEK', 'DKK']);
  const withTotal = rnd() < 0.7;
  const amt = pick(rnd, ['123.45', '0.00', '-10.00', '1.234']);
  if (s === 'UBL') {
    if (/<cbc:TaxCurrencyCode/.test(xml)) return undefined;
    let out = xml.replace(/(<\/cbc:DocumentCurrencyCode>)/, `$1<cbc:TaxCurrencyCode>${tax}</cbc:TaxCurrencyCode>`);
    if (withTotal) {
      const cur2 = rnd() < 0.8 ? tax : docCur;
      out = out.replace(/(<\/cac:TaxTotal>)(?![\s\S]*<\/cac:TaxTotal>)/, `$1<cac:TaxTotal><cbc:TaxAmount currencyID="${cur2}">${amt}</cbc:TaxAmount></cac:TaxTotal>`);
      return { xml: out, what: `tax currency ${tax}, total ${amt} ${cur2}` };
    }
    return { xml: out, what: `tax currency ${tax} without total` };
  }
  if (/<ram:TaxCurrencyCode/.test(xml)) return undefined;
  let out = xml.replace(/(<ram:InvoiceCurrencyCode>[^<]*<\/ram:InvoiceCurrencyCode>)/, `<ram:TaxCurrencyCode>${tax}</ram:TaxCurrencyCode>$1`);
  if (withTotal) {
    const cur2 = rnd() < 0.8 ? tax : docCur;
    out = out.replace(/(<ram:TaxTotalAmount[^>]*>[^<]*<\/ram:TaxTotalAmount>)/, `$1<ram:TaxTotalAmount currencyID="${cur2}">${amt}</ram:TaxTotalAmount>`);
    return { xml: out, what: `tax currency ${tax}, total ${amt} ${cur2}` };
  }
  return { xml: out, what: `tax currency ${tax} without total` };
};

const MEANS = ['30', '58', '59', '49', '48', '54', '55', '57', '1', '10', '42', '31', '97', 'ZZZ', '20'];
const payment: Op = (xml, s, rnd) => {
  const r = rnd();
  if (s === 'UBL') {
    if (r < 0.6) {
      const ms = [...xml.matchAll(/(<cbc:PaymentMeansCode[^>]*>)([^<]*)</g)];
      if (ms.length === 0) return undefined;
      const m = pick(rnd, ms);
      const v = pick(rnd, MEANS);
      const p = (m.index as number) + m[1].length;
      return { xml: xml.slice(0, p) + v + xml.slice(p + m[2].length), what: `means ${m[2]}→${v}` };
    }
    if (r < 0.8) {
      const out = xml.replace(/<cac:PayeeFinancialAccount>[\s\S]*?<\/cac:PayeeFinancialAccount>/, '');
      return out === xml ? undefined : { xml: out, what: 'payee account dropped' };
    }
    const out = xml.replace(/(<cac:PayeeFinancialAccount>\s*<cbc:ID[^>]*>)[^<]*/, `$1${pick(rnd, ['', ' ', 'NL00 BANK 0123'])}`);
    return out === xml ? undefined : { xml: out, what: 'payee account id changed' };
  }
  if (r < 0.6) {
    const ms = [...xml.matchAll(/(<ram:SpecifiedTradeSettlementPaymentMeans>\s*<ram:TypeCode>)([^<]*)</g)];
    if (ms.length === 0) return undefined;
    const m = pick(rnd, ms);
    const v = pick(rnd, MEANS);
    const p = (m.index as number) + m[1].length;
    return { xml: xml.slice(0, p) + v + xml.slice(p + m[2].length), what: `means ${m[2]}→${v}` };
  }
  if (r < 0.8) {
    const out = xml.replace(/<ram:PayeePartyCreditorFinancialAccount>[\s\S]*?<\/ram:PayeePartyCreditorFinancialAccount>/, '');
    return out === xml ? undefined : { xml: out, what: 'payee account dropped' };
  }
  const out = xml.replace(/(<ram:PayeePartyCreditorFinancialAccount>\s*<ram:IBANID>)[^<]*/, `$1${pick(rnd, ['', ' ', 'NL00 BANK 0123'])}`);
  return out === xml ? undefined : { xml: out, what: 'payee account id changed' };
};

const prepaid: Op = (xml, s, rnd) => {
  const p = pick(rnd, ['10.00', '0.00', '-5.00', '100000.00', '0.005']);
  const rd = pick(rnd, [undefined, '0.01', '-0.01', '0.49', '0.5', '-0.004']);
  let out = xml;
  if (s === 'UBL') {
    out = /<cbc:PrepaidAmount/.test(out) ? out.replace(/(<cbc:PrepaidAmount[^>]*>)[^<]*/, `$1${p}`) : out.replace(/(<cbc:(?:ChargeTotalAmount|AllowanceTotalAmount|TaxInclusiveAmount)[^>]*>[^<]*<\/cbc:(?:ChargeTotalAmount|AllowanceTotalAmount|TaxInclusiveAmount)>)(?![\s\S]*<\/cbc:(?:ChargeTotalAmount|AllowanceTotalAmount)>[\s\S]*<\/cac:LegalMonetaryTotal>)/, (m) => `${m}<cbc:PrepaidAmount currencyID="${/currencyID="([^"]*)"/.exec(m)?.[1]}">${p}</cbc:PrepaidAmount>`);
    if (rd !== undefined && !/PayableRoundingAmount/.test(out)) out = out.replace(/(<cbc:PayableAmount)([^>]*>)/, (_m, a, b) => `<cbc:PayableRoundingAmount${b}${rd}</cbc:PayableRoundingAmount>${a}${b}`);
  } else {
    if (rd !== undefined && !/<ram:RoundingAmount/.test(out)) out = out.replace(/(<\/ram:GrandTotalAmount>)/, `$1<ram:RoundingAmount>${rd}</ram:RoundingAmount>`);
    out = /<ram:TotalPrepaidAmount/.test(out) ? out.replace(/(<ram:TotalPrepaidAmount[^>]*>)[^<]*/, `$1${p}`) : out.replace(/(<\/ram:(?:RoundingAmount|GrandTotalAmount)>)(?![\s\S]*<\/ram:RoundingAmount>)/, `$1<ram:TotalPrepaidAmount>${p}</ram:TotalPrepaidAmount>`);
  }
  const fix = rnd() < 0.8;
  const fixed = fix ? recompute(out, s) : undefined;
  return { xml: fixed ?? out, what: `prepaid ${p} rounding ${rd}${fixed ? ' (recomputed)' : ''}` };
};

/** A gross price with a discount (BT-147/148) that does or does not give the net price. */
const grossPrice: Op = (xml, s, rnd) => {
  const disc = pick(rnd, ['1.00', '0.00', '-1.00', '0.001', '100.00']);
  const gross = pick(rnd, ['net+disc', 'net', '-1.00', '0.00', 'net+disc+0.01']);
  if (s === 'UBL') {
    const ms = [...xml.matchAll(/<cac:Price>\s*<cbc:PriceAmount currencyID="([^"]*)">([^<]*)<\/cbc:PriceAmount>([\s\S]*?)<\/cac:Price>/g)];
    if (ms.length === 0) return undefined;
    const m = pick(rnd, ms);
    let net: Big;
    try {
      net = new Big(m[2]);
    } catch {
      return undefined;
    }
    const g = gross === 'net+disc' ? net.plus(disc) : gross === 'net+disc+0.01' ? net.plus(disc).plus('0.01') : gross === 'net' ? net : new Big(gross);
    const rest = m[3].replace(/<cac:AllowanceCharge>[\s\S]*?<\/cac:AllowanceCharge>/, '');
    const noBase = rnd() < 0.2;
    const ac = `<cac:AllowanceCharge><cbc:ChargeIndicator>${rnd() < 0.9 ? 'false' : 'true'}</cbc:ChargeIndicator><cbc:Amount currencyID="${m[1]}">${disc}</cbc:Amount>${noBase ? '' : `<cbc:BaseAmount currencyID="${m[1]}">${g.toFixed(2)}</cbc:BaseAmount>`}</cac:AllowanceCharge>`;
    const bq = /<cbc:BaseQuantity/.test(rest) ? rest : rest;
    const repl = `<cac:Price><cbc:PriceAmount currencyID="${m[1]}">${m[2]}</cbc:PriceAmount>${bq}${ac}</cac:Price>`;
    return { xml: xml.slice(0, m.index as number) + repl + xml.slice((m.index as number) + m[0].length), what: `gross price ${gross} disc ${disc}${noBase ? ' no base' : ''}` };
  }
  const ms = [...xml.matchAll(/<ram:SpecifiedLineTradeAgreement>([\s\S]*?)<\/ram:SpecifiedLineTradeAgreement>/g)];
  if (ms.length === 0) return undefined;
  const m = pick(rnd, ms);
  const netm = /<ram:NetPriceProductTradePrice>\s*<ram:ChargeAmount>([^<]*)</.exec(m[1]);
  if (!netm) return undefined;
  let net: Big;
  try {
    net = new Big(netm[1]);
  } catch {
    return undefined;
  }
  const g = gross === 'net+disc' ? net.plus(disc) : gross === 'net+disc+0.01' ? net.plus(disc).plus('0.01') : gross === 'net' ? net : new Big(gross);
  const inner = m[1].replace(/<ram:GrossPriceProductTradePrice>[\s\S]*?<\/ram:GrossPriceProductTradePrice>/, '');
  const gp = `<ram:GrossPriceProductTradePrice><ram:ChargeAmount>${g.toFixed(2)}</ram:ChargeAmount><ram:AppliedTradeAllowanceCharge><ram:ChargeIndicator><udt:Indicator>${rnd() < 0.9 ? 'false' : 'true'}</udt:Indicator></ram:ChargeIndicator><ram:ActualAmount>${disc}</ram:ActualAmount></ram:AppliedTradeAllowanceCharge></ram:GrossPriceProductTradePrice>`;
  const ni = inner.replace(/<ram:NetPriceProductTradePrice>/, `${gp}<ram:NetPriceProductTradePrice>`);
  return { xml: xml.slice(0, m.index as number) + `<ram:SpecifiedLineTradeAgreement>${ni}</ram:SpecifiedLineTradeAgreement>` + xml.slice((m.index as number) + m[0].length), what: `gross price ${gross} disc ${disc}` };
};

/** An invoice or line period, or a delivery date, with start/end combos. */
const period: Op = (xml, s, rnd) => {
  const a = pick(rnd, ['2017-01-01', '2017-12-31', '2016-02-29', '2017-02-29']);
  const b = pick(rnd, ['2017-01-01', '2017-12-31', '2016-12-31', undefined]);
  const startOnly = rnd() < 0.2;
  const line = rnd() < 0.5;
  if (s === 'UBL') {
    const p = `<cac:InvoicePeriod>${startOnly ? '' : ''}${rnd() < 0.85 ? `<cbc:StartDate>${a}</cbc:StartDate>` : ''}${b !== undefined && !startOnly ? `<cbc:EndDate>${b}</cbc:EndDate>` : ''}</cac:InvoicePeriod>`;
    if (line) {
      const ms = [...xml.matchAll(/<cac:(?:Invoice|CreditNote)Line>[\s\S]*?<cbc:LineExtensionAmount[^>]*>[^<]*<\/cbc:LineExtensionAmount>(\s*<cbc:AccountingCost>[^<]*<\/cbc:AccountingCost>)?/g)];
      if (ms.length === 0) return undefined;
      const m = pick(rnd, ms);
      const seg = xml.slice((m.index as number) + m[0].length, (m.index as number) + m[0].length + 300);
      if (/^\s*<cac:InvoicePeriod>/.test(seg)) return undefined;
      const at = (m.index as number) + m[0].length;
      return { xml: xml.slice(0, at) + p + xml.slice(at), what: `line period ${p}` };
    }
    if (/<cac:InvoicePeriod>/.test(xml.replace(/<cac:(?:Invoice|CreditNote)Line>[\s\S]*?<\/cac:(?:Invoice|CreditNote)Line>/g, ''))) return undefined;
    const m = /<cac:(?:OrderReference|BillingReference|DespatchDocumentReference|ReceiptDocumentReference|OriginatorDocumentReference|ContractDocumentReference|AdditionalDocumentReference|ProjectReference|AccountingSupplierParty)>/.exec(xml);
    if (!m) return undefined;
    return { xml: xml.slice(0, m.index) + p + xml.slice(m.index), what: `doc period ${p}` };
  }
  const d = (x: string) => x.replace(/-/g, '');
  const p = `<ram:BillingSpecifiedPeriod>${rnd() < 0.85 ? `<ram:StartDateTime><udt:DateTimeString format="102">${d(a)}</udt:DateTimeString></ram:StartDateTime>` : ''}${b !== undefined && !startOnly ? `<ram:EndDateTime><udt:DateTimeString format="102">${d(b)}</udt:DateTimeString></ram:EndDateTime>` : ''}</ram:BillingSpecifiedPeriod>`;
  if (line) {
    const ms = [...xml.matchAll(/<ram:SpecifiedLineTradeSettlement>[\s\S]*?<\/ram:ApplicableTradeTax>/g)];
    if (ms.length === 0) return undefined;
    const m = pick(rnd, ms);
    const at = (m.index as number) + m[0].length;
    if (/^\s*<ram:BillingSpecifiedPeriod>/.test(xml.slice(at, at + 100))) return undefined;
    return { xml: xml.slice(0, at) + p + xml.slice(at), what: `line period ${p}` };
  }
  const hs = xml.indexOf('<ram:ApplicableHeaderTradeSettlement');
  const hdr = xml.slice(hs);
  if (/<ram:BillingSpecifiedPeriod>/.test(hdr.replace(/<ram:IncludedSupplyChainTradeLineItem>[\s\S]*?<\/ram:IncludedSupplyChainTradeLineItem>/g, ''))) return undefined;
  // after the last header ApplicableTradeTax
  const last = xml.lastIndexOf('</ram:ApplicableTradeTax>');
  if (last < hs) return undefined;
  const at = last + '</ram:ApplicableTradeTax>'.length;
  return { xml: xml.slice(0, at) + p + xml.slice(at), what: `doc period ${p}` };
};

/** Seller or buyer VAT identifier written otherwise; a country changed (K needs two countries). */
const vatIds: Op = (xml, s, rnd) => {
  const v = pick(rnd, ['FR12345678901', 'XI123456789', 'EL123456789', 'GR123456789', 'fr12345678901', 'FR 12345678901', '12345678901', 'EU123456789', 'UK123456789', 'GB123456789', '']);
  const re = s === 'UBL' ? /(<cac:PartyTaxScheme>\s*<cbc:CompanyID[^>]*>)([^<]*)(<\/cbc:CompanyID>\s*<cac:TaxScheme>\s*<cbc:ID>VAT<)/g : /(<ram:ID schemeID="VA">)([^<]*)(<)/g;
  const ms = [...xml.matchAll(re)];
  if (ms.length === 0) return undefined;
  const m = pick(rnd, ms);
  const p = (m.index as number) + m[1].length;
  return { xml: xml.slice(0, p) + v + xml.slice(p + m[2].length), what: `vat id ${m[2]}→${v}` };
};


/** One rate written otherwise (6 → 6.00, 06, +6, 6.0000), in a line, a breakdown or an allowance. */
const rateFormat: Op = (xml, s, rnd) => {
  const re = s === 'UBL' ? /(<cbc:Percent>)([^<]*)(<)/g : /(<ram:RateApplicablePercent>)([^<]*)(<)/g;
  const ms = [...xml.matchAll(re)];
  if (ms.length === 0) return undefined;
  const m = pick(rnd, ms);
  const t = m[2].trim();
  const v = pick(rnd, [`${t}.00`, `0${t}`, `+${t}`, t.includes('.') ? `${t}000` : `${t}.0000`, t.includes('.') ? t.replace(/\.?0+$/, '') : `${t}.`, `${t}.001`, `${t}.5`]);
  if (v === m[2]) return undefined;
  const p = (m.index as number) + m[1].length;
  const out = xml.slice(0, p) + v + xml.slice(p + m[2].length);
  const fixed = rnd() < 0.5 ? recompute(out, s) : undefined;
  return { xml: fixed ?? out, what: `rate ${m[2]}→${v}${fixed ? ' (recomputed)' : ''}` };
};

/** A breakdown split in two with the same category and rate (or the rate written otherwise). */
const splitBreakdown: Op = (xml, s, rnd) => {
  const re = s === 'UBL' ? /<cac:TaxSubtotal>[\s\S]*?<\/cac:TaxSubtotal>/g : /<ram:ApplicableTradeTax>(?:(?!<\/ram:ApplicableTradeTax>)[\s\S])*?<ram:BasisAmount>[\s\S]*?<\/ram:ApplicableTradeTax>/g;
  const ms = [...xml.matchAll(re)];
  if (ms.length === 0) return undefined;
  const m = pick(rnd, ms);
  const amtRe = s === 'UBL' ? /(<cbc:(?:TaxableAmount|TaxAmount)[^>]*>)([^<]*)</g : /(<ram:(?:BasisAmount|CalculatedAmount)[^>]*>)([^<]*)</g;
  const half = (b: string) => {
    try {
      return new Big(b).div(2).round(2, 0).toFixed(2);
    } catch {
      return b;
    }
  };
  const rest = (b: string) => {
    try {
      return new Big(b).minus(new Big(b).div(2).round(2, 0)).toFixed(2);
    } catch {
      return b;
    }
  };
  const a = m[0].replace(amtRe, (_x, o: string, v: string) => `${o}${half(v)}<`);
  let b = m[0].replace(amtRe, (_x, o: string, v: string) => `${o}${rest(v)}<`);
  const how = pick(rnd, ['same', 'rate-format', 'same-no-split']);
  if (how === 'rate-format') b = s === 'UBL' ? b.replace(/<cbc:Percent>([^<]*)</, '<cbc:Percent>$1.00<') : b.replace(/<ram:RateApplicablePercent>([^<]*)</, '<ram:RateApplicablePercent>$1.00<');
  const pair = how === 'same-no-split' ? m[0] + m[0] : a + b;
  const out = xml.slice(0, m.index as number) + pair + xml.slice((m.index as number) + m[0].length);
  const fixed = how === 'same-no-split' && rnd() < 0.5 ? recompute(out, s, { tax: false }) : undefined;
  return { xml: fixed ?? out, what: `breakdown split ${how}${fixed ? ' (recomputed)' : ''}` };
};

/** Every line amount and quantity negated (a negative invoice), totals recomputed. */
const negateAll: Op = (xml, s) => {
  const neg = (v: string) => (v.trim().startsWith('-') ? v.trim().slice(1) : v.trim() === '0' || /^0(\.0+)?$/.test(v.trim()) ? v : `-${v.trim()}`);
  let out: string;
  if (s === 'UBL') {
    out = xml.replace(/<cac:(Invoice|CreditNote)Line>[\s\S]*?<\/cac:\1Line>/g, (l) => l.replace(/(<cbc:(?:Invoiced|Credited)Quantity[^>]*>)([^<]*)</, (_m, a, v) => `${a}${neg(v)}<`).replace(/(<cbc:LineExtensionAmount[^>]*>)([^<]*)</, (_m, a, v) => `${a}${neg(v)}<`));
  } else {
    out = xml.replace(/<ram:IncludedSupplyChainTradeLineItem>[\s\S]*?<\/ram:IncludedSupplyChainTradeLineItem>/g, (l) => l.replace(/(<ram:BilledQuantity[^>]*>)([^<]*)</, (_m, a, v) => `${a}${neg(v)}<`).replace(/(<ram:SpecifiedTradeSettlementLineMonetarySummation>\s*<ram:LineTotalAmount[^>]*>)([^<]*)</, (_m, a, v) => `${a}${neg(v)}<`));
  }
  const fixed = recompute(out, s);
  return { xml: fixed ?? out, what: `negated lines${fixed ? ' (recomputed)' : ''}` };
};

/** The seller VAT id replaced by a tax registration id (BT-32) or a tax representative, in their variants. */
const partyTax: Op = (xml, s, rnd) => {
  let out = dropVatId(xml, s, SELLER_VAT[s]);
  const how = pick(rnd, ['fc', 'fc-lower', 'rep-vat', 'rep-novat', 'none', 'fc-vat-scheme']);
  if (s === 'UBL') {
    const scheme = how === 'fc-lower' ? 'vat' : how === 'fc-vat-scheme' ? 'VAT ' : 'TAX';
    if (how.startsWith('fc')) out = out.replace(SELLER_VAT.UBL, (p) => p.replace(/(<\/cac:PostalAddress>)/, `$1<cac:PartyTaxScheme><cbc:CompanyID>123/456/7890</cbc:CompanyID><cac:TaxScheme><cbc:ID>${scheme}</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>`));
    if (how.startsWith('rep')) {
      out = out.replace(/<cac:TaxRepresentativeParty>[\s\S]*?<\/cac:TaxRepresentativeParty>/, '');
      const rep = `<cac:TaxRepresentativeParty><cac:PartyName><cbc:Name>Rep</cbc:Name></cac:PartyName><cac:PostalAddress><cac:Country><cbc:IdentificationCode>FR</cbc:IdentificationCode></cac:Country></cac:PostalAddress>${how === 'rep-vat' ? '<cac:PartyTaxScheme><cbc:CompanyID>FR12345678901</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>' : ''}</cac:TaxRepresentativeParty>`;
      const at = /<cac:Delivery>|<cac:PaymentMeans>|<cac:PaymentTerms>|<cac:AllowanceCharge>|<cac:TaxTotal>/.exec(out);
      if (!at) return undefined;
      out = out.slice(0, at.index) + rep + out.slice(at.index);
    }
  } else {
    const scheme = how === 'fc-lower' ? 'fc' : how === 'fc-vat-scheme' ? 'VA ' : 'FC';
    if (how.startsWith('fc')) out = out.replace(SELLER_VAT.CII, (p) => p.replace(/(<\/ram:SellerTradeParty>)$/, `<ram:SpecifiedTaxRegistration><ram:ID schemeID="${scheme}">123/456/7890</ram:ID></ram:SpecifiedTaxRegistration>$1`));
    if (how.startsWith('rep')) {
      out = out.replace(/<ram:SellerTaxRepresentativeTradeParty>[\s\S]*?<\/ram:SellerTaxRepresentativeTradeParty>/, '');
      const rep = `<ram:SellerTaxRepresentativeTradeParty><ram:Name>Rep</ram:Name><ram:PostalTradeAddress><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress>${how === 'rep-vat' ? '<ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">FR12345678901</ram:ID></ram:SpecifiedTaxRegistration>' : ''}</ram:SellerTaxRepresentativeTradeParty>`;
      const at = /<ram:ProductEndUserTradeParty>|<ram:ApplicableTradeDeliveryTerms>|<ram:SellerOrderReferencedDocument>|<ram:BuyerOrderReferencedDocument>|<ram:ContractReferencedDocument>|<ram:AdditionalReferencedDocument>|<ram:SpecifiedProcuringProject>|<\/ram:ApplicableHeaderTradeAgreement>/.exec(out);
      if (!at) return undefined;
      out = out.slice(0, at.index) + rep + out.slice(at.index);
    }
  }
  return { xml: out, what: `seller VAT id → ${how}` };
};


/** A breakdown's taxable amount moved off by a little or by about the tolerance. */
const baseOff: Op = (xml, s, rnd) => {
  const rec = recompute(xml, s) ?? xml;
  const re = s === 'UBL' ? /(<cbc:TaxableAmount[^>]*>)([^<]*)(<)/g : /(<ram:BasisAmount>)([^<]*)(<\/ram:BasisAmount>\s*(?:<ram:LineTotalBasisAmount>[^<]*<\/ram:LineTotalBasisAmount>\s*)?(?:<ram:AllowanceChargeBasisAmount>[^<]*<\/ram:AllowanceChargeBasisAmount>\s*)?<ram:CategoryCode>)/g;
  const ms = [...rec.matchAll(re)];
  if (ms.length === 0) return undefined;
  const m = pick(rnd, ms);
  const d = pick(rnd, ['0.01', '-0.01', '0.5', '-0.5', '0.99', '-0.99', '1.00', '-1.00', '1.01', '0.999']);
  let v: string;
  try {
    v = new Big(m[2]).plus(d).toFixed(d.length > 5 ? 3 : 2);
  } catch {
    return undefined;
  }
  const p = (m.index as number) + m[1].length;
  return { xml: rec.slice(0, p) + v + rec.slice(p + m[2].length), what: `breakdown base ${m[2]}→${v} (${d})` };
};

/** A category needing party ids, delivery facts (AE, K, G, E, O, Z), with some of them missing or empty. */
const drops: Record<Syntax, Record<string, RegExp>> = {
  UBL: {
    buyerVat: /(<cac:AccountingCustomerParty>[\s\S]*?)<cac:PartyTaxScheme>[\s\S]*?<\/cac:PartyTaxScheme>/,
    buyerLegalId: /(<cac:AccountingCustomerParty>[\s\S]*?<cac:PartyLegalEntity>[\s\S]*?)<cbc:CompanyID[^>]*>[^<]*<\/cbc:CompanyID>/,
    sellerVat: /(<cac:AccountingSupplierParty>[\s\S]*?)<cac:PartyTaxScheme>[\s\S]*?<\/cac:PartyTaxScheme>/,
    taxRep: /()<cac:TaxRepresentativeParty>[\s\S]*?<\/cac:TaxRepresentativeParty>/,
    delivery: /()<cac:Delivery>[\s\S]*?<\/cac:Delivery>/,
    deliveryDate: /(<cac:Delivery>[\s\S]*?)<cbc:ActualDeliveryDate>[^<]*<\/cbc:ActualDeliveryDate>/,
    deliveryCountry: /(<cac:Delivery>[\s\S]*?)<cac:Country>\s*<cbc:IdentificationCode>[^<]*<\/cbc:IdentificationCode>\s*<\/cac:Country>/,
    period: /()<cac:InvoicePeriod>[\s\S]*?<\/cac:InvoicePeriod>/,
    buyerVatEmpty: /(<cac:AccountingCustomerParty>[\s\S]*?<cac:PartyTaxScheme>\s*<cbc:CompanyID[^>]*>)[^<]*/,
  },
  CII: {
    buyerVat: /(<ram:BuyerTradeParty>[\s\S]*?)<ram:SpecifiedTaxRegistration>\s*<ram:ID schemeID="VA">[^<]*<\/ram:ID>\s*<\/ram:SpecifiedTaxRegistration>/,
    buyerLegalId: /(<ram:BuyerTradeParty>[\s\S]*?<ram:SpecifiedLegalOrganization>\s*)<ram:ID[^>]*>[^<]*<\/ram:ID>/,
    sellerVat: /(<ram:SellerTradeParty>[\s\S]*?)<ram:SpecifiedTaxRegistration>\s*<ram:ID schemeID="VA">[^<]*<\/ram:ID>\s*<\/ram:SpecifiedTaxRegistration>/,
    taxRep: /()<ram:SellerTaxRepresentativeTradeParty>[\s\S]*?<\/ram:SellerTaxRepresentativeTradeParty>/,
    delivery: /()<ram:ShipToTradeParty>[\s\S]*?<\/ram:ShipToTradeParty>/,
    deliveryDate: /()<ram:ActualDeliverySupplyChainEvent>[\s\S]*?<\/ram:ActualDeliverySupplyChainEvent>/,
    deliveryCountry: /(<ram:ShipToTradeParty>[\s\S]*?)<ram:CountryID>[^<]*<\/ram:CountryID>/,
    period: /(<ram:ApplicableHeaderTradeSettlement>[\s\S]*?)<ram:BillingSpecifiedPeriod>[\s\S]*?<\/ram:BillingSpecifiedPeriod>(?=[\s\S]*<ram:SpecifiedTradeSettlementHeaderMonetarySummation>)/,
    buyerVatEmpty: /(<ram:BuyerTradeParty>[\s\S]*?<ram:ID schemeID="VA">)[^<]*/,
  },
};
const exemptCase: Op = (xml, s, rnd) => {
  const cats = categoriesOf(xml, s);
  if (cats.length === 0) return undefined;
  const from = pick(rnd, cats);
  const to = pick(rnd, ['AE', 'K', 'G', 'E', 'O', 'Z', 'AE', 'K']);
  const reason = to === 'Z' ? pick(rnd, ['none', 'none', 'code'] as const) : pick(rnd, ['code', 'text', 'both', 'none'] as const);
  let out = switchCategory(xml, s, from, to, to === 'O' ? null : '0', reason, rnd);
  const what = [`cat ${from}→${to} reason=${reason}`];
  const keys = Object.keys(drops[s]);
  const n = 1 + Math.floor(rnd() * 3);
  for (let i = 0; i < n; i++) {
    const k = pick(rnd, keys);
    const next = out.replace(drops[s][k], '$1');
    if (next !== out) {
      out = next;
      what.push(`-${k}`);
    }
  }
  const fixed = recompute(out, s);
  return { xml: fixed ?? out, what: `${what.join(' ')}${fixed ? ' (recomputed)' : ''}` };
};

/** A tax scheme id written otherwise on one category (vat, Vat, GST, empty) or on a party. */
const taxScheme: Op = (xml, s, rnd) => {
  const re = s === 'UBL' ? /(<cac:TaxScheme>\s*<cbc:ID[^>]*>)([^<]*)(<)/g : /(<ram:TypeCode>)(VAT)(<)/g;
  const ms = [...xml.matchAll(re)];
  if (ms.length === 0) return undefined;
  const m = pick(rnd, ms);
  const v = pick(rnd, ['vat', 'Vat', 'GST', '', 'TAX', 'VAT', 'VAT']);
  if (v === m[2]) return undefined;
  const p = (m.index as number) + m[1].length;
  return { xml: xml.slice(0, p) + v + xml.slice(p + m[2].length), what: `tax scheme ${m[2]}→${v}` };
};

/** The operators with their weights. */
const OPS: [string, Op, number][] = [
  ['catSwitch', catSwitch, 14],
  ['lineCatOnly', lineCatOnly, 8],
  ['halfCent', halfCent, 8],
  ['acDoc', acCombo('doc'), 8],
  ['acLine', acCombo('line'), 7],
  ['quantity', quantity, 5],
  ['currency', currency, 5],
  ['payment', payment, 5],
  ['prepaid', prepaid, 5],
  ['grossPrice', grossPrice, 5],
  ['period', period, 5],
  ['vatIds', vatIds, 5],
  ['rateFormat', rateFormat, 6],
  ['splitBreakdown', splitBreakdown, 5],
  ['negateAll', negateAll, 4],
  ['partyTax', partyTax, 6],
  ['baseOff', baseOff, 6],
  ['exemptCase', exemptCase, 10],
  ['taxScheme', taxScheme, 5],
];
const TOTAL = OPS.reduce((n, o) => n + o[2], 0);

/** `count` mutants from `seed`, round-robin over the examples; one in five carries two mutations. */
export function coherentMutants(seed: number, count: number, examples: { syntax: Syntax; base: string; xml: string }[]): Mutant[] {
  const rnd = prng(seed);
  const out: Mutant[] = [];
  for (let i = 0; out.length < count && i < count * 5; i++) {
    const e = examples[i % examples.length];
    const n = rnd() < 0.8 ? 1 : 2;
    let xml = e.xml;
    const ops: string[] = [];
    for (let k = 0; k < n; k++) {
      for (let t = 0; t < 10; t++) {
        let r = rnd() * TOTAL;
        const op = OPS.find((o) => (r -= o[2]) < 0) ?? OPS[0];
        let res: Out;
        try {
          res = op[1](xml, e.syntax, rnd);
        } catch {
          res = undefined; // a value the operator cannot compute with (a mutated amount that is no decimal)
        }
        if (res && res.xml !== xml) {
          xml = res.xml;
          ops.push(`${op[0]}: ${res.what}`);
          break;
        }
      }
    }
    if (ops.length > 0) out.push({ name: `c${seed}-${String(out.length).padStart(4, '0')}-${e.base.replace(/\.[^.]+$/, '')}`, syntax: e.syntax, base: e.base, ops, xml });
  }
  return out;
}

