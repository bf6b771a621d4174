/**
 * How the EN 16931 rule tables are written: `en(id, syntax, appliesTo, check)` makes one Rule
 * per syntax, with the severity (the schematron's flag) and the message text the official
 * schematron gives that id in that syntax (rules/official.json, checked against the XSLT by
 * test/validation/official-data.test.ts).
 */
import type { CiiFacts, UblFacts } from '../../../model/syntax-facts';
import type { Severity } from '../../../model/finding';
import type { InvoiceLine } from '../../../model/invoice';
import type { Rule, RuleContext, Violation } from '../rule';
import official from './official.json';

export type EnSyntax = 'UBL' | 'CII';
export type Check = (ctx: RuleContext) => Violation[] | undefined;

const OFFICIAL = official as unknown as Record<EnSyntax, Record<string, { flag: string; text: string }>>;

export function familyOf(id: string): string {
  if (id.startsWith('BR-CO-')) return 'BR-CO';
  if (id.startsWith('BR-DEC-')) return 'BR-DEC';
  if (id.startsWith('BR-CL-')) return 'BR-CL';
  const vat = /^BR-(AE|E|G|IC|O|S|Z|AF|AG|B)-\d+$/.exec(id);
  if (vat) return `BR-${vat[1]}`;
  if (/^BR-\d+$/.test(id)) return 'BR';
  const syn = /^(UBL|CII)-(SR|DT|CR)-/.exec(id);
  if (syn) return `${syn[1]}-${syn[2]}`;
  return id;
}

/** The official message and flag of a rule in a syntax. Throws on an id the schematron lacks. */
export function officialOf(id: string, syntax: EnSyntax): { severity: Severity; message: string } {
  const o = OFFICIAL[syntax][id];
  if (!o) throw new Error(`rule ${id} is not in the official ${syntax} schematron`);
  return { severity: o.flag === 'fatal' ? 'fatal' : 'warning', message: o.text };
}

export interface EnOptions {
  severityIn?: Rule['severityIn'];
}

/** One Rule per syntax (`both` = UBL and CII with the same check). */
export function en(id: string, syntax: EnSyntax | 'both', appliesTo: string, check: Check, opts: EnOptions = {}): Rule[] {
  const list: EnSyntax[] = syntax === 'both' ? ['UBL', 'CII'] : [syntax];
  return list.map((s): Rule => {
    const o = officialOf(id, s);
    const rule: Rule = { id, severity: o.severity, profile: 'en16931', syntaxes: [s], family: familyOf(id), appliesTo, message: o.message, check };
    if (opts.severityIn) rule.severityIn = opts.severityIn;
    return rule;
  });
}

/** The UBL facts of the invoice (the engine runs syntax-bound rules only when they exist). */
export function U(ctx: RuleContext): UblFacts {
  return ctx.invoice.syntaxFacts!.ubl!;
}

export function C(ctx: RuleContext): CiiFacts {
  return ctx.invoice.syntaxFacts!.cii!;
}

const memos = new WeakMap<object, Map<string, unknown>>();

/** A value derived once per facts object (shared by the rules of a family), e.g. a filtered list. */
export function memo<T>(owner: object, key: string, make: () => T): T {
  let m = memos.get(owner);
  if (!m) memos.set(owner, (m = new Map()));
  if (m.has(key)) return m.get(key) as T;
  const v = make();
  m.set(key, v);
  return v;
}

/** One violation at `path` when `ok` is false (a function path is only computed then). */
export function unless(ok: boolean, path: string | undefined | (() => string | undefined)): Violation[] | undefined {
  if (ok) return undefined;
  return [{ path: typeof path === 'function' ? path() : path }];
}

/** One violation per item that fails. */
export function each<T>(items: readonly T[], ok: (item: T, index: number) => boolean, path: (item: T, index: number) => string | undefined): Violation[] | undefined {
  let out: Violation[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (!ok(it, i)) (out ??= []).push({ path: path(it, i) });
  }
  return out;
}

/** One violation per item of the list that matches `where` and fails `ok` (no intermediate array). */
export function eachIf<T>(items: readonly T[], where: (item: T) => boolean, ok: (item: T) => boolean, path: (item: T) => string | undefined): Violation[] | undefined {
  let out: Violation[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (where(it) && !ok(it)) (out ??= []).push({ path: path(it) });
  }
  return out;
}

/**
 * eachIf for a test that needs the invoice: `ok` is given the context, so that it can be made
 * once with its rule instead of as a new closure on every call of the check.
 */
export function eachIfIn<T>(ctx: RuleContext, items: readonly T[], where: (item: T) => boolean, ok: (item: T, ctx: RuleContext) => boolean, path: (item: T) => string | undefined): Violation[] | undefined {
  let out: Violation[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (where(it) && !ok(it, ctx)) (out ??= []).push({ path: path(it) });
  }
  return out;
}

/**
 * each() over the invoice's lines for a test that needs the invoice: `ok` and `path` are given
 * the context, so that they are made once with their rule (a closure made on every check loses
 * its optimized code at each full collection: docs/PERFORMANCE.md, thirty-first round).
 */
export function eachLine(ctx: RuleContext, ok: (line: InvoiceLine, k: number, ctx: RuleContext) => boolean, path: (k: number, ctx: RuleContext) => string | undefined): Violation[] | undefined {
  let out: Violation[] | undefined;
  const lines = ctx.invoice.lines;
  for (let k = 0; k < lines.length; k++) if (!ok(lines[k], k, ctx)) (out ??= []).push({ path: path(k, ctx) });
  return out;
}

/** the path of a fact (the `path` of most rules) */
export const pathOf = (x: { path: string }): string => x.path;

/** every item (the `where` of a rule whose context is the whole list) */
export const ALWAYS = (): boolean => true;

/** A rule whose official assertion is `true()`: kept so every official id is in the table. */
export const HOLDS: Check = () => undefined;

/** upper-case(x) = 'VAT' (CII TypeCode) */
export const isVatType = (s: string | undefined): boolean => s !== undefined && s.toUpperCase() === 'VAT';

/** a VAT category with an identifier (UBL cac:ClassifiedTaxCategory[cac:TaxScheme/cbc:ID = 'VAT']/cbc:ID) */
export const isVatWithId = (t: { vat: boolean; id?: string }): boolean => t.vat && t.id !== undefined;

/** a CII tax of TypeCode VAT with a category code */
export const isVatWithCategory = (t: { typeCode?: string; categoryCode?: string }): boolean => isVatType(t.typeCode) && t.categoryCode !== undefined;
