/**
 * The building blocks of the declarative model → CII mapping (cii-mapping.ts): leaves,
 * groups and repeats, each tagged with the business term it carries and the lowest
 * Factur-X profile that has it. `cii-generate.ts` walks the tree; `docs/FACTURX.md` lists it.
 */
import type { FacturXProfile } from './profiles';

export type Attrs = Record<string, string | undefined>;

interface Base {
  /** prefixed element name, e.g. `ram:SellerTradeParty` */
  el: string;
  /** the business term(s) or rule the element carries */
  bt: string;
  /** lowest profile that has the element (default: the parent's) */
  min?: FacturXProfile;
}

export interface Leaf<T> extends Base {
  kind: 'leaf';
  /** the element's text, or bytes written as their base64 (BT-125) */
  get: (x: T) => string | Uint8Array | undefined;
  attrs?: (x: T) => Attrs;
  /** missing value = the invoice cannot make a valid CII for the profile */
  required?: boolean;
  /** attributes that must have a value when the element is written, with their business term */
  requiredAttrs?: Record<string, string>;
  /** an EN 16931 amount: more than two decimals and the profile cannot be made (see AmountDecimals) */
  amount?: AmountDecimals;
  /** an empty string is written as an empty element (otherwise it is no value) */
  empty?: boolean;
}

/**
 * How the Factur-X schematrons (every profile) count an amount's decimals: BR-DEC-01 … 28 as
 * written (`string-length(substring-after(., '.')) <= 2`), BR-DEC-13 and 15 (BT-110, BT-111)
 * by value (`. = round(. * 100) div 100`). A pivot's amounts are any xs:decimal.
 */
export type AmountDecimals = 'written' | 'value';

/**
 * An amount written with more than two decimals whose extra digits are all zeros, written with
 * two: the same value, as the schematrons count it (a pivot's "3245.000000" → "3245.00"); `s`
 * itself otherwise. A pivot writes its amounts with six decimals: as written, not even a
 * MINIMUM Factur-X could be made of one.
 */
export function withTwoDecimals(s: string): string {
  const t = s.trim();
  const point = t.indexOf('.');
  if (point < 0 || t.length - point - 1 <= 2) return s;
  let end = t.length;
  while (end > point + 3 && t[end - 1] === '0') end--;
  return end === point + 3 ? t.slice(0, end) : s;
}

/**
 * A quantity or a rate written with at most `max` decimals when its extra digits are zeros, and
 * without a bare trailing point ("64." → "64"): the same value. The French Flux 2 rules
 * (XP Z12-012) bound their digits: a quantity (BT-129, BT-149) 4 decimals (BR-FR-DEC-02), a VAT
 * rate (BT-96, BT-103, BT-119, BT-152) 2 (BR-FR-DEC-04) and one of the French list (BR-FR-16:
 * "0.00", not "0.0000"). `s` itself otherwise (a real fifth decimal stays as written).
 */
export function withDecimals(s: string, max: number): string {
  const t = s.trim();
  if (!/^[+-]?\d+\.\d*$/.test(t)) return s;
  const point = t.indexOf('.');
  if (point === t.length - 1) return t.slice(0, point);
  if (t.length - point - 1 <= max) return s;
  let end = t.length;
  while (end > point + max + 1 && t[end - 1] === '0') end--;
  return end === point + max + 1 ? t.slice(0, end) : s;
}

/**
 * A zero written with a minus sign ("-0.00", as some systems print the zero VAT of a credit)
 * without it: the same value. The official CII schematron's tests against zero fail on it
 * (BR-E-09 `CalculatedAmount = 0`, BR-E-05, BR-CO-14), where the UBL ones, which read it as a
 * decimal, pass: a valid UBL made a Factur-X they refuse. `s` itself otherwise.
 */
export function unsignedZero(s: string): string {
  const t = s.trim();
  return /^-(0+(\.0*)?|\.0+)$/.test(t) ? t.slice(1) : s;
}

/** Whether `s` has more than two decimals, as `how` counts them. */
export function overTwoDecimals(s: string, how: AmountDecimals): boolean {
  const t = s.trim();
  const point = t.indexOf('.');
  if (point < 0) return false;
  let end = t.length;
  if (how === 'value') while (end > point + 1 && t[end - 1] === '0') end--;
  return end - point - 1 > 2;
}

export interface Group<T> extends Base {
  kind: 'group';
  children: CNode<T>[];
  /** written only when true (and when a child has a value) */
  when?: (x: T) => boolean;
  /** a group that ends up empty is a missing mandatory part */
  required?: boolean;
  /** written even when empty (the XSD wants it, e.g. HeaderTradeDelivery in MINIMUM) */
  always?: boolean;
}

export interface Repeat<T> extends Base {
  kind: 'repeat';
  items: (x: T) => unknown[];
  children: CNode<never>[];
  /** at least one item is mandatory */
  required?: boolean;
}

/** A group whose children read another value (a party, an address…) derived from the parent. */
export interface Sub<T> extends Base {
  kind: 'sub';
  of: (x: T) => unknown;
  children: CNode<never>[];
  required?: boolean;
  always?: boolean;
}

/** The same element once per value (identifiers, amounts in two currencies). */
export interface Values<T> extends Base {
  kind: 'values';
  items: (x: T) => { text: string; attrs?: Attrs }[];
  amount?: AmountDecimals;
}

export type CNode<T> = Leaf<T> | Group<T> | Repeat<T> | Sub<T> | Values<T>;

type Opts = { min?: FacturXProfile; required?: boolean; always?: boolean };

export function leaf<T>(el: string, bt: string, get: (x: T) => string | Uint8Array | undefined, opts: Opts & { attrs?: (x: T) => Attrs; requiredAttrs?: Record<string, string>; amount?: AmountDecimals; empty?: boolean } = {}): CNode<T> {
  return { kind: 'leaf', el, bt, get, ...opts };
}

export function group<T>(el: string, bt: string, children: CNode<T>[], opts: Opts & { when?: (x: T) => boolean } = {}): CNode<T> {
  return { kind: 'group', el, bt, children, ...opts };
}

export function repeat<T, I>(el: string, bt: string, items: (x: T) => I[], children: CNode<I>[], opts: Opts = {}): CNode<T> {
  return { kind: 'repeat', el, bt, items, children: children as CNode<never>[], ...opts };
}

export function values<T>(el: string, bt: string, items: (x: T) => { text: string; attrs?: Attrs }[], opts: { min?: FacturXProfile; amount?: AmountDecimals } = {}): CNode<T> {
  return { kind: 'values', el, bt, items, ...opts };
}

export function sub<T, S>(el: string, bt: string, of: (x: T) => S | undefined, children: CNode<S>[], opts: Opts = {}): CNode<T> {
  return { kind: 'sub', el, bt, of, children: children as CNode<never>[], ...opts };
}

/** ISO `YYYY-MM-DD` → CII format 102 `YYYYMMDD`; anything else is kept (validation reports it). */
export function to102(d: string | undefined): string | undefined {
  if (d === undefined) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d.trim());
  return m ? `${m[1]}${m[2]}${m[3]}` : d.trim();
}

/** `<el><udt:DateTimeString format="102">YYYYMMDD</udt:DateTimeString></el>` */
export function dateTime<T>(el: string, bt: string, get: (x: T) => string | undefined, opts: Opts & { prefix?: 'udt' | 'qdt' } = {}): CNode<T> {
  const { prefix = 'udt', ...rest } = opts;
  return group<T>(el, bt, [leaf(`${prefix}:DateTimeString`, bt, (x) => to102(get(x)), { attrs: () => ({ format: '102' }), required: rest.required })], rest);
}

/** `<el><udt:Indicator>true|false</udt:Indicator></el>` */
export function indicator<T>(el: string, bt: string, get: (x: T) => boolean): CNode<T> {
  return group<T>(el, bt, [leaf('udt:Indicator', bt, (x) => String(get(x)))], { required: true });
}
