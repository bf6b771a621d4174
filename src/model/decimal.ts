/**
 * Decimal arithmetic for money, quantities and rates (big.js: exact base-10).
 * Amounts travel as the strings the source wrote; these helpers are for checks and sums.
 */
import Big from 'big.js';
import { xmlTrim } from '../xml/xml-space';

export type Dec = Big;

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

export function isDecimal(s: string | undefined): s is string {
  return s !== undefined && DECIMAL.test(xmlTrim(s));
}

/**
 * Parses a decimal string (xs:decimal: "+5", " 5.", ".5" included); undefined when absent or
 * not a plain decimal. big.js takes no leading "+": before it was stripped here, an amount
 * "+5" made every rule reading it fail, and the invoice went out unchecked.
 */
export function dec(s: string | undefined): Big | undefined {
  if (!isDecimal(s)) return undefined;
  const t = xmlTrim(s);
  return new Big(t.charCodeAt(0) === 43 /* + */ ? t.slice(1) : t);
}

export function decOr0(s: string | undefined): Big {
  return dec(s) ?? new Big(0);
}

export function sum(values: (string | undefined)[]): Big {
  let total = new Big(0);
  for (const v of values) {
    const d = dec(v);
    if (d) total = total.plus(d);
  }
  return total;
}

/** Round half away from zero to `dp` places (EN 16931 rounding). */
export function round(d: Big, dp = 2): Big {
  return d.round(dp, Big.roundHalfUp);
}

/** Number of fraction digits as written ("12.50" → 2, "12" → 0). */
export function fractionDigits(s: string): number {
  const t = xmlTrim(s);
  const i = t.indexOf('.');
  return i < 0 ? 0 : t.length - i - 1;
}

export { Big };
