/**
 * The ±1 tolerance of the VAT rules 08 at its edge, a taxable amount exactly 1.00 away from the
 * sum of its lines, judged by the official XSLT (Saxon-HE) and by our engine. The schematron
 * computes `TaxableAmount - 1` in xs:double (an untyped value minus an integer): UBL casts the
 * double back to xs:decimal (its exact binary value) and compares decimals, CII compares doubles.
 * So the XSLT accepts 184.23 against lines of 183.23 and refuses 182.23; in CII, 16384.01
 * against 16383.01 (a power of two in between) and refuses 16382.01. Exact decimal arithmetic
 * refused all four. Found by the targeted mutations of the audit (a breakdown base moved by ±1.00).
 */
import { readFileSync } from 'node:fs';
import { corpus } from '../helpers/corpus';
import { judge } from './support/mutant-diff';
import { sub } from './support/mutations';

const u1 = readFileSync(corpus('en16931/ubl-examples/ubl-tc434-example1.xml'), 'utf8');
const z = readFileSync(corpus('en16931/cii-examples/CII_business_example_Z.xml'), 'utf8');

/** CII_business_example_Z with its lines summing to 16383.01 (the third line 177.41 → 4866.55) and the Z breakdown's basis given. */
function ciiZ(basis: string): string {
  let x = sub(z, '<ram:LineTotalAmount>177.41</ram:LineTotalAmount>', '<ram:LineTotalAmount>4866.55</ram:LineTotalAmount>');
  x = sub(x, '<ram:BasisAmount>11693.87</ram:BasisAmount>', `<ram:BasisAmount>${basis}</ram:BasisAmount>`);
  return x.replace(/>11693\.87</g, '>16383.01<');
}

const cases = [
  { name: 'ubl-s-base-plus-1-accepted', syntax: 'UBL' as const, base: 'ubl-tc434-example1.xml', xml: sub(u1, '<cbc:TaxableAmount currencyID="EUR">183.23</cbc:TaxableAmount>', '<cbc:TaxableAmount currencyID="EUR">184.23</cbc:TaxableAmount>'), rule: 'BR-S-08', xslt: 'accepts' },
  { name: 'ubl-s-base-minus-1-refused', syntax: 'UBL' as const, base: 'ubl-tc434-example1.xml', xml: sub(u1, '<cbc:TaxableAmount currencyID="EUR">183.23</cbc:TaxableAmount>', '<cbc:TaxableAmount currencyID="EUR">182.23</cbc:TaxableAmount>'), rule: 'BR-S-08', xslt: 'refuses' },
  { name: 'ubl-s-base-plus-0.99-accepted', syntax: 'UBL' as const, base: 'ubl-tc434-example1.xml', xml: sub(u1, '<cbc:TaxableAmount currencyID="EUR">46.37</cbc:TaxableAmount>', '<cbc:TaxableAmount currencyID="EUR">45.38</cbc:TaxableAmount>'), rule: 'BR-S-08', xslt: 'accepts' },
  { name: 'cii-z-base-plus-1-accepted', syntax: 'CII' as const, base: 'CII_business_example_Z.xml', xml: ciiZ('16384.01'), rule: 'BR-Z-08', xslt: 'accepts' },
  { name: 'cii-z-base-minus-1-refused', syntax: 'CII' as const, base: 'CII_business_example_Z.xml', xml: ciiZ('16382.01'), rule: 'BR-Z-08', xslt: 'refuses' },
  { name: 'cii-z-base-exact', syntax: 'CII' as const, base: 'CII_business_example_Z.xml', xml: ciiZ('16383.01'), rule: 'BR-Z-08', xslt: 'accepts' },
];

describe('the ±1 tolerance of BR-xx-08 at exactly 1.00: the same verdicts as the official XSLT', () => {
  it('accepts and refuses the same taxable amounts, with the same fatal rule ids', async () => {
    const v = await judge(cases.map((c) => ({ name: c.name, syntax: c.syntax, base: c.base, ops: [c.name], xml: c.xml })));
    // the XSLT verdict each case is built for (the edge is exercised both ways)
    expect(v.map((x, i) => ({ name: x.mutant.name, xslt: x.official.includes(cases[i].rule) ? 'refuses' : 'accepts' }))).toEqual(cases.map((c) => ({ name: c.name, xslt: c.xslt })));
    expect(v.map((x) => ({ name: x.mutant.name, ours: x.ours }))).toEqual(v.map((x) => ({ name: x.mutant.name, ours: x.official })));
  }, 120_000);
});
