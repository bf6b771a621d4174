/**
 * The few XPath 2.0 semantics the official schematron relies on, over decimal strings:
 * xs:decimal casts (absent → empty sequence), XPath round() (half towards positive
 * infinity), normalize-space, string-length(substring-after(x, '.')), code list membership
 * as `contains(' list ', concat(' ', normalize-space(.), ' '))`.
 *
 * Arithmetic goes through big.js (src/model/decimal.ts); binary floats only where the
 * schematron's own result depends on them (within1).
 */
import { Big, dec } from '../../model/decimal';

export type D = Big;

const ZERO = new Big(0);
const HUNDREDTH = new Big('0.01');

/**
 * Parsed decimals by their text: the same amounts are read by many rules of one invoice, and
 * big.js values are immutable (operations return new values), so sharing them is safe.
 */
const parsed = new Map<string, D | null>();
const PARSED_MAX = 20_000;

/** xs:decimal(x): undefined for an absent or non-decimal value (the empty sequence). */
export function d(s: string | undefined): D | undefined {
  if (s === undefined) return undefined;
  let v = parsed.get(s);
  if (v === undefined) {
    v = dec(s) ?? null;
    if (parsed.size >= PARSED_MAX) parsed.clear();
    parsed.set(s, v);
  }
  return v ?? undefined;
}

export function zero(): D {
  return ZERO;
}

/** Fraction digits of a Big (its digits are normalised: no trailing zeros). */
function fractionDigits(b: D): number {
  const n = b.c.length - b.e - 1;
  return n > 0 ? n : 0;
}

/**
 * XPath round(x * 10^dp) div 10^dp: the nearest value, halves towards positive infinity
 * (round(-2.5) = -2). Decimal only: positive halves round up, negative halves towards zero.
 */
export function xround(b: D, dp = 2): D {
  const digits = fractionDigits(b);
  if (digits <= dp) return b;
  if (b.s < 0 && digits === dp + 1 && b.c[b.c.length - 1] === 5) return b.round(dp, Big.roundDown);
  return b.round(dp, Big.roundHalfUp);
}

/** XPath round(x) to an integer. */
export function xround0(b: D): D {
  return xround(b, 0);
}

/** x div 100, exactly */
export function percentOf(rate: D): D {
  return rate.times(HUNDREDTH);
}

/** Sum of the decimals among the values (absent ones add nothing), like sum(x/xs:decimal(.)). */
export function dsum(values: Iterable<string | undefined>): D {
  let t = ZERO;
  for (const v of values) {
    const x = d(v);
    if (x) t = t.plus(x);
  }
  return t;
}

/** a = b for two possibly-empty decimals: false when either is empty. */
export function eq(a: D | undefined, b: D | undefined): boolean {
  return a !== undefined && b !== undefined && a.eq(b);
}

const WS = /\s+/g;

/** normalize-space(x) of a possibly absent value. */
export function ns(s: string | undefined): string {
  if (s === undefined) return '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // XML white space (tab, LF, CR, space): only then is there anything to normalise
    if (c === 32 || c === 9 || c === 10 || c === 13) return s.replace(WS, ' ').trim();
  }
  return s;
}

/** normalize-space(x) != '' : some character that is not XML white space. */
export function filled(s: string | undefined): boolean {
  if (s === undefined) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return true;
  }
  return false;
}

/** string-length(substring-after(x, '.')) */
export function decimalsWritten(s: string | undefined): number {
  if (s === undefined) return 0;
  const i = s.indexOf('.');
  return i < 0 ? 0 : s.length - i - 1;
}

/** `(not(contains(normalize-space(x), ' ')) and contains(' list ', concat(' ', normalize-space(x), ' ')))` */
export function inList(list: ReadonlySet<string>, s: string | undefined): boolean {
  const v = ns(s);
  return v !== '' && v.indexOf(' ') < 0 && list.has(v);
}

/** XPath `x >= 0`-style comparison of an untyped value with a number; false when absent. */
export function cmp(s: string | undefined, op: '>' | '>=' | '=' | '<' | '<=', n: number): boolean {
  // the untyped value is cast to xs:double: "9.95E0" is a price of 9.95 there, not an error
  const x = xdouble(s);
  if (Number.isNaN(x)) return false;
  const c = x > n ? 1 : x < n ? -1 : 0;
  switch (op) {
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    case '=':
      return c === 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
  }
}

/**
 * `untyped = decimal expression`: XPath casts the untyped value to xs:double and compares the
 * decimal as a double too (CII BR-S-08, BR-O-08 compare ram:BasisAmount so); false when either
 * is empty.
 */
export function eqUntyped(s: string | undefined, b: D | undefined): boolean {
  return b !== undefined && xdouble(s) === Number(b.toString());
}

/** An untyped value as a decimal: xs:decimal(x), else the exact value of xs:double(x) (`1.5E1`), else undefined. */
export function untypedAsDecimal(s: string | undefined): D | undefined {
  return d(s) ?? exactDecimal(xdouble(s));
}

/**
 * |a − b| < 1, the tolerance of the VAT rules 08 (false when either is empty), computed as the
 * official XSLT computes it: `TaxableAmount - 1` of an untyped amount is xs:double arithmetic
 * (the one place the schematron's result depends on binary floats). The UBL schematron casts
 * that double to xs:decimal, which Saxon-HE makes its exact binary value, and compares it with
 * the decimal sum (`xs:decimal(cbc:TaxableAmount - 1) < sum(…)`); the CII one compares it as a
 * double (`ram:BasisAmount - 1 < …`, the decimal cast to xs:double). Exact decimals would agree
 * but at a difference of exactly 1.00, where the XSLT takes about half the amounts (184.23
 * against 183.23, not 184.24 against 183.24: docs/VALIDATION.md).
 */
export function within1(a: D | undefined, b: D | undefined, syntax: 'UBL' | 'CII'): boolean {
  if (a === undefined || b === undefined) return false;
  const x = Number(a.toString());
  if (syntax === 'CII') {
    const y = Number(b.toString());
    return x - 1 < y && x + 1 > y;
  }
  const lo = x - 1;
  const hi = x + 1;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return false;
  // b against a double bound: the double nearest to b (rounding keeps order) decides, unless it
  // is the bound itself; only then are the exact values compared (BigInt work, rarely needed)
  const y = Number(b.toString());
  const above = y !== lo ? y > lo : (exactDecimal(lo) as D).lt(b);
  return above && (y !== hi ? y < hi : (exactDecimal(hi) as D).gt(b));
}

/** xs:double's lexical space (XSD 1.0): what an untyped value must be to take part in arithmetic */
const DOUBLE = /^[+-]?(\d+(\.\d*)?|\.\d+)([Ee][+-]?\d+)?$|^[+-]?INF$|^NaN$/;

/**
 * xs:double(x) of an untyped value, as XPath casts it for `sum()`, arithmetic and a comparison
 * with a number (XML white space at its ends dropped; `1E2` and `INF` are doubles too); NaN
 * when it is none (where the XSLT stops with a cast error) or absent.
 */
export function xdouble(s: string | undefined): number {
  if (s === undefined) return NaN;
  const t = s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
  if (!DOUBLE.test(t)) return NaN;
  return t.endsWith('INF') ? (t.startsWith('-') ? -Infinity : Infinity) : Number(t);
}

/** XPath `sum()` of untyped values: xs:double additions in document order (absent ones add nothing). */
export function xsumDouble(values: Iterable<string | undefined>): number {
  let t = 0;
  for (const v of values) if (v !== undefined) t += xdouble(v);
  return t;
}

/** `round(x * 10 * 10) div 100` on a double, as the CII schematron writes it (XPath round: Java's Math.round, as JavaScript's). */
export function xround2Double(x: number): number {
  return Math.round(x * 10 * 10) / 100;
}

/** The exact value of a finite double as a decimal (Java's `new BigDecimal(double)`, Saxon's `xs:decimal(double)`). */
export function exactDecimal(n: number): D | undefined {
  if (!Number.isFinite(n)) return undefined;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, n);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n === 1n ? '-' : '';
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  if (biased !== 0) mantissa |= 1n << 52n;
  const exp = (biased === 0 ? 1 : biased) - 1075;
  if (exp >= 0) return new Big(sign + (mantissa << BigInt(exp)).toString());
  // m × 2^-k = m × 5^k / 10^k
  const k = -exp;
  const digits = (mantissa * 5n ** BigInt(k)).toString().padStart(k + 1, '0');
  return new Big(`${sign}${digits.slice(0, -k)}.${digits.slice(-k)}`);
}
