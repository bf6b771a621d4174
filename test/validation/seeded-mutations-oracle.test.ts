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
import { readFileSync } from 'node:fs';
import { corpus } from '../helpers/corpus';
import { syncSection } from './support/doc-section';
import { classify, judge, type DiffClass, type Verdict } from './support/mutant-diff';
import { sub } from './support/mutations';
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

describe('an allowance or charge indicator the official XSLT cannot cast to xs:boolean is refused (CPRO-PIVOT-INDICATEUR)', () => {
  const u2 = readFileSync(corpus('en16931/ubl-examples/ubl-tc434-example2.xml'), 'utf8');
  // "false" is written three times: a line's allowance, then two line prices' discounts (BT-147)
  const ac = (n: number, v: string) => sub(u2, '<cbc:ChargeIndicator>false</cbc:ChargeIndicator>', `<cbc:ChargeIndicator>${v}</cbc:ChargeIndicator>`, n);
  const c5 = readFileSync(corpus('en16931/cii-examples/CII_example5.xml'), 'utf8');
  const cases: { name: string; syntax: 'UBL' | 'CII'; xml: string }[] = [
    { name: 'cii-gross-price-discount-upper-case', syntax: 'CII', xml: sub(c5, /(<ram:AppliedTradeAllowanceCharge>\s*<ram:ChargeIndicator>\s*<udt:Indicator>)false/, '$1TRUE') },
    { name: 'price-discount-empty', syntax: 'UBL' as const, xml: ac(2, '') },
    { name: 'price-discount-upper-case', syntax: 'UBL' as const, xml: ac(1, 'TRUE') },
    { name: 'line-allowance-nbsp', syntax: 'UBL' as const, xml: ac(0, 'false\u00a0') },
    { name: 'document-allowance-nbsp', syntax: 'UBL' as const, xml: sub(u2, '<cbc:ChargeIndicator>0</cbc:ChargeIndicator>', '<cbc:ChargeIndicator>0\u00a0</cbc:ChargeIndicator>') },
  ];

  it('the XSLT stops on each (//cac:AllowanceCharge[cbc:ChargeIndicator = false()]); the chorus profile refuses each', async () => {
    expect(u2.split('<cbc:ChargeIndicator>false</cbc:ChargeIndicator>').length - 1).toBe(3);
    expect(u2.indexOf('<cbc:ChargeIndicator>false')).toBeLessThan(u2.indexOf('<cac:Price>'));
    const v = await judge(cases.map((c) => ({ ...c, base: c.syntax === 'CII' ? 'CII_example5.xml' : 'ubl-tc434-example2.xml', ops: [c.name] })));
    expect(v.map((x) => ({ name: x.mutant.name, xslt: /cannot be cast to a boolean/.test(x.xsltError ?? ''), cpro: x.chorus }))).toEqual(
      cases.map((c) => ({ name: c.name, xslt: true, cpro: ['CPRO-PIVOT-INDICATEUR'] })),
    );
  }, 60_000);
});
