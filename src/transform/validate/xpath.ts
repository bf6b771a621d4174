/**
 * The few XPath 2.0 semantics the official schematron relies on, over decimal strings:
 * xs:decimal casts (absent → empty sequence), XPath round() (half towards positive
 * infinity), normalize-space, string-length(substring-after(x, '.')), code list membership
 * as `contains(' list ', concat(' ', normalize-space(.), ' '))`.
 *
 * Arithmetic goes through big.js (src/model/decimal.ts); never binary floats.
 */
import { Big, dec } from '../../model/decimal';

export type D = Big;

const ZERO = new Big(0);
const HALF = new Big(0.5);
const HUNDRED = new Big(100);

/** xs:decimal(x): undefined for an absent or non-decimal value (the empty sequence). */
export function d(s: string | undefined): D | undefined {
  return dec(s);
}

export function zero(): D {
  return ZERO;
}

function floor(b: D): D {
  const t = b.round(0, Big.roundDown);
  return t.gt(b) ? t.minus(1) : t;
}

/** XPath round(x * 10^dp) div 10^dp: halves go towards positive infinity (round(-2.5) = -2). */
export function xround(b: D, dp = 2): D {
  if (dp === 2) return floor(b.times(HUNDRED).plus(HALF)).div(HUNDRED);
  const scale = new Big(10).pow(dp);
  return floor(b.times(scale).plus(HALF)).div(scale);
}

/** XPath round(x) to an integer. */
export function xround0(b: D): D {
  return floor(b.plus(HALF));
}

/** Sum of the decimals among the values (absent ones add nothing), like sum(x/xs:decimal(.)). */
export function dsum(values: Iterable<string | undefined>): D {
  let t = ZERO;
  for (const v of values) {
    const x = dec(v);
    if (x) t = t.plus(x);
  }
  return t;
}

/** a = b for two possibly-empty decimals: false when either is empty. */
export function eq(a: D | undefined, b: D | undefined): boolean {
  return a !== undefined && b !== undefined && a.eq(b);
}

/** normalize-space(x) of a possibly absent value. */
export function ns(s: string | undefined): string {
  if (s === undefined) return '';
  return s.indexOf('  ') < 0 && s.indexOf('\n') < 0 && s.indexOf('\t') < 0 && s.indexOf('\r') < 0 ? s.trim() : s.replace(/\s+/g, ' ').trim();
}

/** normalize-space(x) != '' */
export function filled(s: string | undefined): boolean {
  return ns(s) !== '';
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
  const x = dec(s);
  if (!x) return false;
  switch (op) {
    case '>':
      return x.gt(n);
    case '>=':
      return x.gte(n);
    case '=':
      return x.eq(n);
    case '<':
      return x.lt(n);
    case '<=':
      return x.lte(n);
  }
}

/** |a − b| < 1, the tolerance several VAT rules allow (false when either is empty). */
export function within1(a: D | undefined, b: D | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return a.minus(1).lt(b) && a.plus(1).gt(b);
}
