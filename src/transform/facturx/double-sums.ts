/**
 * The four sums the official CII schematron takes in binary floating point. `sum()` of untyped
 * amounts is an xs:double sum in XPath: BR-CO-10 casts it to xs:decimal (exactly, digit for
 * digit of the double) before rounding, BR-CO-11, BR-CO-12 and BR-CO-14 round and compare it as
 * a double. An amount of more than 15 significant digits (a line of 1 234 567 890 987 654.32)
 * is not a double: the sum rounds to another cent than the amounts add up to, and a Factur-X
 * whose totals are right failed the official CII and Factur-X schematrons (BR-CO-10,
 * FX-SCH-A-000226). The rules engine sums exactly (docs/VALIDATION.md), so the rules' CII
 * form (cii-rules.ts) did not see it; this does, as the XSLT computes, for the profiles that
 * write what is summed (lines from BASIC on, allowances, charges and VAT breakdown from BASIC
 * WL on), and the profile falls back to one that does not (make.ts, profile-checks.ts).
 */
import type { Invoice } from '../../model/invoice';
import { Big, isDecimal } from '../../model/decimal';
import { xmlTrim } from '../../xml/xml-space';
import type { CiiProblem } from './cii-generate';
import { PROFILE_INFO, type FacturXProfile } from './profiles';

// made once, not per document (docs/PERFORMANCE.md, thirty-first round)
const netAmountOf = (l: { netAmount?: string }) => l.netAmount;

const SUMMATION = '/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeSettlementHeaderMonetarySummation';

/** xs:double(untyped) as XPath reads it; NaN where it is no number (the sum is then NaN too). */
const dbl = (s: string | undefined): number => (isDecimal(s) ? Number(xmlTrim(s)) : NaN);

/** XPath sum() of untyped values: xs:double additions in document order. */
function doubleSum(values: (string | undefined)[]): number {
  let t = 0;
  for (const v of values) t += dbl(v);
  return t;
}

/** xs:decimal(x) of a double as Saxon casts it: the double's exact binary value, every digit. */
function exactDecimal(x: number): Big {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const exp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (exp !== 0) mant |= 1n << 52n;
  const e = (exp === 0 ? 1 : exp) - 1075;
  const sign = hi >>> 31 ? '-' : '';
  if (e >= 0) return new Big(sign + (mant << BigInt(e)).toString());
  const digits = (mant * 5n ** BigInt(-e)).toString().padStart(-e + 1, '0');
  return new Big(`${sign}${digits.slice(0, digits.length + e)}.${digits.slice(digits.length + e)}`);
}

/** round(x * 100) div 100 in decimals, halves towards positive infinity (XPath round). */
function decimalRound2(b: Big): Big {
  const scaled = b.times(100);
  const floor = scaled.round(0, Big.roundDown);
  const low = scaled.lt(floor) ? floor.minus(1) : floor;
  return (scaled.minus(low).gte(0.5) ? low.plus(1) : low).div(100);
}

/** The same in doubles: round(x*10*10) div 100, as BR-CO-11, -12 and -14 write it. */
const doubleRound2 = (x: number): number => Math.floor(x * 10 * 10 + 0.5) / 100;

/**
 * The sums the official CII schematron gets otherwise than exactly, as problems of the profile.
 * Only amounts that a double cannot hold can differ: every other invoice passes untouched.
 */
export function doubleSumProblems(inv: Invoice, profile: FacturXProfile): CiiProblem[] {
  const out: CiiProblem[] = [];
  if (profile === 'MINIMUM') return out;
  const problem = (rule: string, element: string, stated: string | undefined, xpath: string) =>
    out.push({
      path: `${SUMMATION}/${element}`,
      bt: rule,
      detail: `${element} ${xmlTrim(stated ?? '')} is not what the official CII schematron sums in binary floating point (${xpath}): an amount has more significant digits than a double holds`,
    });
  const lineTotal = inv.totals.lineExtension;
  if (PROFILE_INFO[profile].lines && isDecimal(lineTotal) && inv.lines.length > 0) {
    const sum = doubleSum(inv.lines.map(netAmountOf));
    if (Number.isFinite(sum) && !decimalRound2(exactDecimal(sum)).eq(new Big(xmlTrim(lineTotal).replace(/^\+/, '')))) problem('BR-CO-10', 'ram:LineTotalAmount', lineTotal, String(decimalRound2(exactDecimal(sum))));
  }
  const docLevel = (charge: boolean) => inv.allowanceCharges.filter((a) => a.isCharge === charge).map((a) => a.amount);
  const asDouble = (rule: string, element: string, stated: string | undefined, values: (string | undefined)[]) => {
    if (!isDecimal(stated) || values.length === 0) return;
    const sum = doubleSum(values);
    if (Number.isFinite(sum) && dbl(stated) !== doubleRound2(sum)) problem(rule, element, stated, String(doubleRound2(sum)));
  };
  asDouble('BR-CO-11', 'ram:AllowanceTotalAmount', inv.totals.allowanceTotal, docLevel(false));
  asDouble('BR-CO-12', 'ram:ChargeTotalAmount', inv.totals.chargeTotal, docLevel(true));
  asDouble('BR-CO-14', 'ram:TaxTotalAmount', inv.totals.taxTotal, inv.vatBreakdown.map((v) => v.taxAmount));
  return out;
}
