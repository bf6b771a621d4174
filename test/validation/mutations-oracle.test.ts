/**
 * Invoices broken on purpose (support/mutations.ts, from the official UBL and CII examples):
 * for each, the set of fatal rule ids we report equals the set the official schematron XSLT
 * reports when Saxon-HE runs it (SVRL failed-assert with flag="fatal"). The unmutated
 * examples go through both as controls. The table is kept in docs/VALIDATION.md.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseFlux } from '../../src/transform/parse/flux';
import { validateInvoice } from '../../src/transform/validate/engine';
import { corpus } from '../helpers/corpus';
import { syncSection } from './support/doc-section';
import { MUTATIONS, mutated } from './support/mutations';
import { fatalIds, saxonValidate } from './support/saxon';

interface Doc {
  name: string;
  syntax: 'UBL' | 'CII';
  base: string;
  aim: string;
  xml: string;
  control: boolean;
}

async function ours(xml: string): Promise<string[]> {
  const flux = await parseFlux(Buffer.from(xml, 'utf8'), { schemaStructure: false });
  if (flux.kind === 'CPPStatut') throw new Error('not an invoice');
  const ids = new Set<string>();
  for (const inv of flux.invoices) for (const f of validateInvoice({ invoice: inv }, 'en16931')) if (f.severity === 'fatal') ids.add(f.rule);
  return [...ids].sort();
}

describe('mutated official examples: same fatal rules as the official XSLT (Saxon-HE)', () => {
  const docs: Doc[] = MUTATIONS.map((m) => ({ name: m.name, syntax: m.syntax, base: m.base, aim: m.aim, xml: mutated(m), control: false }));
  const bases = [...new Set(MUTATIONS.map((m) => `${m.syntax}|${m.base}`))].map((k) => k.split('|') as ['UBL' | 'CII', string]);
  for (const [syntax, base] of bases) {
    docs.push({ name: `control-${path.basename(base, '.xml')}`, syntax, base, aim: 'unmutated example', xml: readFileSync(corpus(`en16931/${base}`), 'utf8'), control: true });
  }
  const official = new Map<string, string[]>();
  const mine = new Map<string, string[]>();

  beforeAll(async () => {
    const svrl = saxonValidate(docs.map((d) => ({ name: d.name, syntax: d.syntax, xml: d.xml })));
    for (const d of docs) {
      official.set(d.name, fatalIds(svrl.get(d.name) as string));
      mine.set(d.name, await ours(d.xml));
    }
  }, 240_000);

  it('has at least 50 mutated invoices from UBL and CII examples, each really changed', () => {
    const m = docs.filter((d) => !d.control);
    expect(m.length).toBeGreaterThanOrEqual(50);
    expect(m.filter((d) => d.syntax === 'UBL').length).toBeGreaterThanOrEqual(20);
    expect(m.filter((d) => d.syntax === 'CII').length).toBeGreaterThanOrEqual(20);
    for (const d of m) expect(d.xml).not.toBe(readFileSync(corpus(`en16931/${d.base}`), 'utf8'));
    expect(new Set(m.map((d) => d.name)).size).toBe(m.length);
  });

  it('the official XSLT finds the controls valid and every mutation invalid, over at least 20 rules', () => {
    for (const d of docs.filter((x) => x.control)) expect({ doc: d.name, fatal: official.get(d.name) }).toEqual({ doc: d.name, fatal: [] });
    for (const d of docs.filter((x) => !x.control)) expect({ doc: d.name, invalid: (official.get(d.name) ?? []).length > 0 }).toEqual({ doc: d.name, invalid: true });
    const rules = new Set(docs.flatMap((d) => official.get(d.name) ?? []));
    expect(rules.size).toBeGreaterThanOrEqual(20);
  });

  it('reports exactly the official set of fatal rule ids for every document', () => {
    const diff = docs
      .filter((d) => (official.get(d.name) ?? []).join(' ') !== (mine.get(d.name) ?? []).join(' '))
      .map((d) => ({ doc: d.name, official: official.get(d.name), ours: mine.get(d.name) }));
    expect(diff).toEqual([]);
  });

  it('keeps the agreement table in docs/VALIDATION.md', () => {
    const m = docs.filter((d) => !d.control);
    const agreed = m.filter((d) => (official.get(d.name) ?? []).join(' ') === (mine.get(d.name) ?? []).join(' ')).length;
    const rules = new Set(m.flatMap((d) => official.get(d.name) ?? []));
    const lines = [
      `${m.length} mutated invoices (${m.filter((d) => d.syntax === 'UBL').length} UBL, ${m.filter((d) => d.syntax === 'CII').length} CII) covering ${rules.size} fatal rules: **${agreed} / ${m.length} with the same set of fatal rule ids as the official XSLT**; the ${docs.length - m.length} unmutated examples are valid for both.`,
      '',
      '| mutation | example | aim | fatal rules (official XSLT) | same set |',
      '|---|---|---|---|:---:|',
      ...m.map((d) => `| ${d.name} | ${path.basename(d.base)} | ${d.aim} | ${(official.get(d.name) ?? []).join(', ')} | ${(official.get(d.name) ?? []).join(' ') === (mine.get(d.name) ?? []).join(' ') ? 'yes' : 'NO'} |`),
    ];
    const t = lines.join('\n');
    process.stdout.write(`\nmutated invoices vs official XSLT\n${t}\n`);
    expect(syncSection('mutations', t)).toBe(t);
  });
});
