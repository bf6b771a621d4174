/**
 * Values written otherwise, judged by the official XSLT (Saxon-HE) and by our engine (profile
 * en16931): white space around an amount, a date, a code, an identifier, an attribute or an
 * indicator; an exponent, a leading "+" or zeros, a comma, many digits, an empty element; a
 * leap day, year 1, a year of five digits, a time zone (support/targeted-mutants.ts, the first
 * value of each element name of nine official examples, in each form). The sets of fatal rule
 * ids must be the same; where the XSLT cannot evaluate the document (a cast error), the
 * pipeline's chorus profile must refuse it. And amounts of more than 15 significant digits,
 * whose sums the CII schematron takes in xs:double.
 *
 * Before: the reader trimmed every value, so `<ram:CategoryCode>S </ram:CategoryCode>`,
 * `currencyID=" EUR"` or `<cbc:TaxableAmount>183.23 </cbc:TaxableAmount>` were accepted where
 * the XSLT refuses them (BR-S-08, BR-CO-15, BR-DEC-19, UBL-DT-01…: 260 mutants); a price
 * `9.95E0`, which the XSLT reads as a double, was refused (BR-27); a period starting in
 * 12016 was not after one ending in 2019 (BR-29, compared as text); two CII lines of
 * 1 234 567 890 987 654.32 were accepted where the XSLT sums them in doubles (BR-CO-10); an
 * empty UBL `cbc:StartDate`, on which the XSLT stops, was accepted by the chorus profile too.
 */
import { readFileSync } from 'node:fs';
import { corpus } from '../helpers/corpus';
import { judge, XSLT_ERROR, type Verdict } from './support/mutant-diff';
import { sub } from './support/mutations';
import { recompute } from './support/recompute-totals';
import type { Mutant } from './support/seeded-mutants';
import { targetedMutants } from './support/targeted-mutants';

const summary = (v: Verdict) => ({ mutant: v.mutant.name, ops: v.mutant.ops, official: v.official, ours: v.ours, xslt: v.xsltError?.slice(0, 80), chorus: v.chorus });

describe('values written otherwise: our fatal rule ids against the official XSLT', () => {
  let verdicts: Verdict[] = [];

  beforeAll(async () => {
    verdicts = await judge(targetedMutants());
  }, 300_000);

  it('mutates nine official examples in every form, and many mutants break an official rule', () => {
    expect(verdicts.length).toBeGreaterThan(1500);
    expect(new Set(verdicts.map((v) => v.mutant.base)).size).toBe(9);
    const forms = new Set(verdicts.map((v) => v.mutant.ops[0].split(' ').slice(0, 2).join(' ')));
    for (const f of ['amount space-after', 'amount exponent', 'amount many-digits', 'category space-before', 'code newlines', 'currency-attr space-after', 'date year-5-digits', 'tax-scheme tab-after', 'scheme-attr space-before']) expect(forms).toContain(f);
    expect(verdicts.filter((v) => v.official.length > 0 && v.xsltError === undefined).length).toBeGreaterThan(300);
  });

  it('every mutant gets the official XSLT\'s set of fatal rule ids', () => {
    const differ = verdicts.filter((v) => v.xsltError === undefined && v.missed.length + v.extra.length > 0).map(summary);
    expect(differ).toEqual([]);
  });

  it('white space around a value: refused as the XSLT refuses it, with its rule ids', () => {
    const padded = verdicts.filter((v) => /^\S+ (space-before|space-after|newlines|tab-after) /.test(v.mutant.ops[0]) && v.xsltError === undefined);
    expect(padded.length).toBeGreaterThan(500);
    const refused = padded.filter((v) => v.official.length > 0);
    // BR-DEC-*, UBL-DT-01 (trailing blanks counted as decimals), BR-S-08, BR-CO-04, BR-CO-15, BR-53, CII-DT-037, BR-03…
    expect(refused.length).toBeGreaterThan(200);
    expect(refused.filter((v) => v.ours.join() !== v.official.join()).map(summary)).toEqual([]);
  });

  it('a document the XSLT cannot evaluate is refused by the chorus profile (CPRO-PIVOT-*), or by ours too', () => {
    const stopped = verdicts.filter((v) => v.xsltError !== undefined);
    expect(stopped.length).toBeGreaterThan(100);
    const open = stopped.filter((v) => v.ours.length === 0 && (v.chorus ?? []).length === 0);
    expect(open.map(summary)).toEqual([]);
    // an empty UBL period date (no xs:date) was taken for an absent one, and left out of the outputs
    const emptyDates = stopped.filter((v) => /^date empty (StartDate|EndDate)/.test(v.mutant.ops[0]));
    expect(emptyDates.length).toBeGreaterThan(1);
    for (const v of emptyDates) expect(v.chorus).toEqual(['CPRO-PIVOT-DATE']);
    expect(stopped.every((v) => v.official.join() === XSLT_ERROR)).toBe(true);
  });
});

describe('amounts of more than 15 significant digits (CII sums in xs:double)', () => {
  const big = '1234567890987654.32'; // two of them sum to …308.64; in doubles to …308.50
  const c4 = readFileSync(corpus('en16931/cii-examples/CII_example4.xml'), 'utf8');
  const u1 = readFileSync(corpus('en16931/ubl-examples/ubl-tc434-example1.xml'), 'utf8');
  /** lines 1 and 2 of CII_example4 (both S 25 %) set to `a` and `b`, every total recomputed exactly */
  const ciiLines = (a: string, b: string) => recompute(sub(sub(c4, '<ram:LineTotalAmount>1000</ram:LineTotalAmount>', `<ram:LineTotalAmount>${a}</ram:LineTotalAmount>`), '<ram:LineTotalAmount>500</ram:LineTotalAmount>', `<ram:LineTotalAmount>${b}</ram:LineTotalAmount>`), 'CII') as string;
  const ublLines = (a: string) => recompute(sub(u1, /(<cac:InvoiceLine>[\s\S]*?<cbc:LineExtensionAmount currencyID="EUR">)[^<]*/, `$1${a}`), 'UBL') as string;
  const mutant = (name: string, syntax: 'UBL' | 'CII', base: string, xml: string): Mutant => ({ name, syntax, base, ops: [name], xml });

  it('agree with the XSLT: refused in CII where its double sum lands on another cent, accepted in UBL (exact decimals)', async () => {
    const cases = [
      mutant('cii-two-big-lines', 'CII', 'CII_example4.xml', ciiLines(big, big)),
      // one big line: no sum of two, the double holds the total as it holds the line
      mutant('cii-one-big-line', 'CII', 'CII_example4.xml', ciiLines(big, '500')),
      mutant('cii-big-ordinary', 'CII', 'CII_example4.xml', ciiLines('123456789012.34', '987654321098.76')),
      mutant('ubl-big-line', 'UBL', 'ubl-tc434-example1.xml', ublLines(big)),
    ];
    for (const c of cases) expect(c.xml).toContain(c.name === 'cii-big-ordinary' ? '123456789012.34' : big);
    const v = await judge(cases);
    process.stdout.write(`\nbig amounts vs official XSLT\n${v.map((x) => `${x.mutant.name}: official ${x.official.join(' ') || '-'}, ours ${x.ours.join(' ') || '-'}`).join('\n')}\n`);
    expect(v.map((x) => ({ name: x.mutant.name, official: x.official, ours: x.ours }))).toEqual([
      // the lines' sum …308.64 is …308.50 in doubles
      { name: 'cii-two-big-lines', official: ['BR-CO-10'], ours: ['BR-CO-10'] },
      // …654.32 + 500 is …154.25 in doubles: a sum of two is enough
      { name: 'cii-one-big-line', official: ['BR-CO-10'], ours: ['BR-CO-10'] },
      { name: 'cii-big-ordinary', official: [], ours: [] },
      { name: 'ubl-big-line', official: [], ours: [] },
    ]);
  }, 120_000);
});
