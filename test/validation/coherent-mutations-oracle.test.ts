/**
 * Coherent semantic mutations of the 33 official examples (support/coherent-mutants.ts: a VAT
 * category switched with its exemption reasons and party ids, a tax on a half cent, a base at
 * the edge of the ±1 tolerance, allowances and charges with percent / base / amount, quantities
 * 0 or negative, currencies, prepaid and rounding amounts…, the totals recomputed so that only
 * the aim breaks), each judged by the official XSLT (Saxon-HE) and by our engine (profile
 * en16931). A difference in the sets of fatal rule ids must be one of the known, documented
 * ones (support/mutant-diff.ts classify(), docs/VALIDATION.md). Larger runs by hand:
 * `node -r ./test/helpers/ts-register.js test/validation/support/mutant-diff.ts <seed> <count> <out.json> coherent`.
 */
import { classify, judge, type Verdict } from './support/mutant-diff';
import { coherentMutants } from './support/coherent-mutants';
import { recompute } from './support/recompute-totals';
import { officialExamples } from './support/seeded-mutants';

const SEED = 303;
const COUNT = 240;

describe('coherent semantic mutations: our fatal rule ids against the official XSLT', () => {
  const examples = officialExamples();
  const bases = new Map(examples.map((e) => [e.base, e.xml]));
  let verdicts: Verdict[] = [];
  let controls: Verdict[] = [];

  beforeAll(async () => {
    // the examples with their totals recomputed: the recomputation itself breaks nothing
    const recomputed = examples.map((e) => ({ name: `recomputed-${e.base.replace(/\.[^.]+$/, '')}`, syntax: e.syntax, base: e.base, ops: ['recomputed'], xml: recompute(e.xml, e.syntax) ?? '' }));
    const all = await judge([...recomputed, ...coherentMutants(SEED, COUNT, examples)]);
    controls = all.slice(0, recomputed.length);
    verdicts = all.slice(recomputed.length);
  }, 240_000);

  it('recomputes every official example to a document both find valid', () => {
    expect(controls.filter((c) => c.mutant.xml === '').map((c) => c.mutant.name)).toEqual([]);
    expect(controls.map((c) => ({ name: c.mutant.name, official: c.official, ours: c.ours }))).toEqual(controls.map((c) => ({ name: c.mutant.name, official: [], ours: [] })));
  });

  it('mutates every official example, and many mutants break some official rule', () => {
    expect(verdicts.length).toBe(COUNT);
    expect(new Set(verdicts.map((v) => v.mutant.base)).size).toBe(bases.size);
    for (const v of verdicts) expect(v.mutant.xml).not.toBe(bases.get(v.mutant.base));
    expect(verdicts.filter((v) => v.official.length > 0).length).toBeGreaterThan(verdicts.length / 3);
  });

  it('every difference from the official XSLT is a known, documented one', () => {
    const unexplained = verdicts
      .filter((v) => v.missed.length + v.extra.length > 0 && classify(v, bases.get(v.mutant.base) as string) === 'unexplained')
      .map((v) => ({ mutant: v.mutant.name, ops: v.mutant.ops, official: v.official, ours: v.ours, xslt: v.xsltError }));
    expect(unexplained).toEqual([]);
  });
});
