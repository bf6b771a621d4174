/**
 * Seeded realistic mutations of the 33 official examples (support/seeded-mutants.ts: a cent
 * off, another rounding, decimals added, a sign flipped, a VAT category, rate or exemption
 * changed, an allowance or charge added or dropped, a date written otherwise, a near-valid
 * code, an element dropped, emptied or doubled, white space around a value), each judged by
 * the official XSLT (Saxon-HE) and by our engine (profile en16931). Where the two sets of
 * fatal rule ids differ, the difference must be one of the known ones docs/VALIDATION.md
 * explains (support/mutant-diff.ts classify()); an unexplained one fails the test. Larger
 * runs by hand: `node -r ./test/helpers/ts-register.js test/validation/support/mutant-diff.ts <seed> <count>`.
 */
import { syncSection } from './support/doc-section';
import { classify, judge, type DiffClass, type Verdict } from './support/mutant-diff';
import { officialExamples, seededMutants } from './support/seeded-mutants';

const SEEDS = [101, 202];
const PER_SEED = 330;

describe('seeded realistic mutations: our fatal rule ids against the official XSLT', () => {
  const bases = new Map(officialExamples().map((e) => [e.base, e.xml]));
  let verdicts: Verdict[] = [];

  beforeAll(async () => {
    verdicts = await judge(SEEDS.flatMap((s) => seededMutants(s, PER_SEED)));
  }, 120_000);

  const classOf = (v: Verdict): DiffClass | 'same' => (v.missed.length + v.extra.length === 0 ? 'same' : classify(v, bases.get(v.mutant.base) as string));

  it('mutates every official example, and most mutants break some official rule', () => {
    expect(verdicts.length).toBe(SEEDS.length * PER_SEED);
    expect(new Set(verdicts.map((v) => v.mutant.base)).size).toBe(bases.size);
    for (const v of verdicts) expect(v.mutant.xml).not.toBe(bases.get(v.mutant.base));
    expect(verdicts.filter((v) => v.official.length > 0).length).toBeGreaterThan(verdicts.length / 2);
  });

  it('every difference from the official XSLT is a known, documented one', () => {
    const unexplained = verdicts
      .filter((v) => classOf(v) === 'unexplained')
      .map((v) => ({ mutant: v.mutant.name, ops: v.mutant.ops, official: v.official, ours: v.ours, xslt: v.xsltError, cpro: v.chorus }));
    expect(unexplained).toEqual([]);
  });

  it('keeps the count in docs/VALIDATION.md', () => {
    const by = new Map<string, number>();
    for (const v of verdicts) by.set(classOf(v), (by.get(classOf(v)) ?? 0) + 1);
    const same = by.get('same') ?? 0;
    const lines = [
      `Seeds ${SEEDS.join(', ')}, ${PER_SEED} mutants each: **${same} / ${verdicts.length} with the same set of fatal rule ids as the official XSLT** (${verdicts.filter((v) => v.official.length === 0).length} valid for both, ${verdicts.filter((v) => v.xsltError !== undefined).length} the XSLT cannot evaluate); the others, by reason:`,
      '',
      '| reason | mutants |',
      '|---|---:|',
      ...[...by].filter(([k]) => k !== 'same').sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, n]) => `| ${k} | ${n} |`),
    ];
    const t = lines.join('\n');
    process.stdout.write(`\nseeded mutations vs official XSLT\n${t}\n`);
    expect(syncSection('seeded-mutations', t)).toBe(t);
  });
});
