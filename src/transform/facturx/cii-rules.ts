/**
 * The EN 16931 rules in their CII form, run on the CII just made. An invoice valid in its own
 * syntax can make a CII those rules refuse, because the official schematrons of the two
 * syntaxes differ: the UBL BR-S-08 takes a VAT base within 1 of the sum of its lines (a
 * rounding difference), the CII one wants it equal. Such a Factur-X failed
 * the official CII schematron and went out attached to the pivot. A profile with lines
 * (BASIC, EN 16931, EXTENDED: EN 16931 invoices) is made only when its CII passes them; the
 * richest lower one is taken otherwise (make.ts). MINIMUM and BASIC WL are no EN 16931 invoices.
 */
import { parseCii } from '../parse/cii';
import { validateInvoice } from '../validate/engine';
import type { CiiResult, CiiProblem } from './cii-generate';

/**
 * The fatal EN 16931 findings on a generated CII, as problems of the profile. The CII is read
 * back from its walk (walked-tree.ts), the tree its bytes parse to, without parsing them.
 */
export function ciiRuleProblems(cii: Pick<CiiResult, 'tree'>): CiiProblem[] {
  const parsed = cii.tree();
  const invoice = parseCii(parsed.node, parsed.contents);
  return validateInvoice({ invoice }, 'en16931')
    .filter((f) => f.severity === 'fatal')
    .map((f) => ({ path: f.path ?? '/rsm:CrossIndustryInvoice', bt: f.rule, detail: f.message }));
}
