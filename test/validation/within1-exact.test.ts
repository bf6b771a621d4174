/**
 * within1 (the ±1 tolerance of the UBL VAT rules 08) compares a decimal with the double bounds
 * `TaxableAmount ∓ 1` through the double nearest to it, and works out the bounds' exact values
 * only when that double is a bound itself. It must agree with comparing the exact values
 * always (what the official XSLT does, test/validation/tolerance-oracle.test.ts): checked here
 * at the bounds, a digit beyond them either side, and over seeded random amounts.
 */
import { Big } from '../../src/model/decimal';
import { exactDecimal, within1 } from '../../src/transform/validate/xpath';

/** The exact comparison: xs:decimal(a - 1) < b < xs:decimal(a + 1). */
function exact(a: Big, b: Big): boolean {
  const x = Number(a.toString());
  const lo = exactDecimal(x - 1);
  const hi = exactDecimal(x + 1);
  return lo !== undefined && hi !== undefined && lo.lt(b) && hi.gt(b);
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('within1 (UBL) agrees with the exact comparison', () => {
  const amounts = ['184.23', '183.23', '0', '1', '-1', '0.1', '16384.01', '9007199254740993', '1e21', '-0.3', '123456789.123456789', '1.7976931348623157e308'];

  it('at the bounds and just beyond them', () => {
    let compared = 0;
    for (const text of amounts) {
      const a = new Big(text);
      const x = Number(a.toString());
      for (const bound of [x - 1, x + 1]) {
        const e = exactDecimal(bound);
        if (e === undefined) continue;
        for (const b of [e, e.plus('1e-30'), e.minus('1e-30'), e.plus('0.01'), e.minus('0.01'), new Big(bound.toString())]) {
          expect([text, b.toString(), within1(a, b, 'UBL')]).toEqual([text, b.toString(), exact(a, b)]);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(60);
  });

  it('over seeded random amounts near 1.00 apart', () => {
    const r = rng(7);
    let inside = 0;
    for (let i = 0; i < 20_000; i++) {
      const a = new Big((Math.floor(r() * 1e9) / 100).toFixed(2));
      const b = a.plus(((Math.floor(r() * 400) - 200) / 100).toFixed(2));
      const got = within1(a, b, 'UBL');
      expect(got).toBe(exact(a, b));
      if (got) inside++;
    }
    // both outcomes were met
    expect(inside).toBeGreaterThan(1000);
    expect(inside).toBeLessThan(19_000);
  });
});
