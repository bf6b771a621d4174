/**
 * Agreement with the official EN 16931 unit tests (corpus/en16931/unit-ubl, 277 files): for
 * each <test>, the rule named in <success> does not fire on the document and the rule named
 * in <error> does. The documents are fragments: they go through the normal lenient parse
 * (parseFlux) and validateInvoice(…, 'en16931').
 *
 * The agreement table (rule, cases, agreed) is printed and kept in docs/VALIDATION.md
 * (UPDATE_VALIDATION_DOC=1 rewrites it).
 */
import { validateInvoice } from '../../src/transform/validate/engine';
import { parseFlux } from '../../src/transform/parse/flux';
import { syncSection } from './support/doc-section';
import { unitCases, type UnitCase } from './support/unit-ubl';

interface Outcome {
  c: UnitCase;
  fired: Set<string>;
  error?: string;
}

async function run(c: UnitCase): Promise<Outcome> {
  try {
    const flux = await parseFlux(Buffer.from(c.xml, 'utf8'), { schemaStructure: false });
    if (flux.kind === 'CPPStatut') return { c, fired: new Set(), error: 'parsed as a status flow' };
    const fired = new Set<string>();
    for (const inv of flux.invoices) for (const f of validateInvoice({ invoice: inv }, 'en16931')) fired.add(f.rule);
    return { c, fired };
  } catch (e) {
    return { c, fired: new Set(), error: (e as Error).message };
  }
}

const agrees = (o: Outcome, e: UnitCase['expect'][number]) => o.error === undefined && (e.kind === 'success' ? !o.fired.has(e.rule) : o.fired.has(e.rule));

function table(outcomes: Outcome[]): string {
  const rows = new Map<string, { cases: number; agreed: number }>();
  for (const o of outcomes) {
    for (const e of o.c.expect) {
      const r = rows.get(e.rule) ?? { cases: 0, agreed: 0 };
      r.cases++;
      if (agrees(o, e)) r.agreed++;
      rows.set(e.rule, r);
    }
  }
  const ids = [...rows.keys()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const total = [...rows.values()].reduce((t, r) => ({ cases: t.cases + r.cases, agreed: t.agreed + r.agreed }), { cases: 0, agreed: 0 });
  const files = new Set(outcomes.map((o) => o.c.file)).size;
  const lines = [
    `${files} files, ${outcomes.length} tests, ${total.cases} assertions over ${ids.length} rules: **${total.agreed} / ${total.cases} agreed (${((100 * total.agreed) / total.cases).toFixed(1)} %)**.`,
    '',
    '| rule | cases | agreed |',
    '|---|---:|---:|',
    ...ids.map((id) => `| ${id} | ${rows.get(id)!.cases} | ${rows.get(id)!.agreed} |`),
  ];
  return lines.join('\n');
}

describe('official EN 16931 UBL unit tests (corpus/en16931/unit-ubl)', () => {
  const cases = unitCases();
  let outcomes: Outcome[] = [];

  beforeAll(async () => {
    outcomes = [];
    for (const c of cases) outcomes.push(await run(c));
  });

  it('reads the 277 files of the official unit tests', () => {
    expect(new Set(cases.map((c) => c.file)).size).toBe(277);
    expect(cases.every((c) => c.expect.length > 0 || c.file.length > 0)).toBe(true);
  });

  it('never throws on a fragment (lenient parse)', () => {
    expect(outcomes.filter((o) => o.error !== undefined).map((o) => `${o.c.name}: ${o.error}`)).toEqual([]);
  });

  it('agrees with every <success> and <error> assertion', () => {
    const bad = outcomes.flatMap((o) => o.c.expect.filter((e) => !agrees(o, e)).map((e) => `${o.c.name} expects ${e.kind} ${e.rule}; fired: ${[...o.fired].sort().join(' ')}`));
    expect(bad).toEqual([]);
  });

  it('keeps the agreement table in docs/VALIDATION.md', () => {
    const t = table(outcomes);
    process.stdout.write(`\nEN 16931 unit-ubl agreement\n${t}\n`);
    expect(syncSection('unit-ubl', t)).toBe(t);
  });
});
