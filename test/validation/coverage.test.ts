/**
 * Every rule the official schematron flags fatal is implemented, for the syntax it belongs to,
 * with the official severity and message; and no EN 16931 rule runs on a syntax whose
 * schematron does not have it. The per-family count is kept in docs/VALIDATION.md.
 */
import { EN16931_RULES } from '../../src/transform/validate/rules/en16931';
import { familyOf } from '../../src/transform/validate/rules/define';
import { syncSection } from './support/doc-section';
import { officialAsserts, type OfficialSyntax } from './support/official-xslt';

const SYNTAXES: OfficialSyntax[] = ['UBL', 'CII'];

function implemented(syntax: OfficialSyntax) {
  return EN16931_RULES.filter((r) => r.syntaxes?.includes(syntax));
}

describe('EN 16931 rule coverage against the official schematron', () => {
  test.each(SYNTAXES)('%s: every fatal assertion id has a rule, with the official flag and text', (syntax) => {
    const official = officialAsserts(syntax).filter((a) => a.flag === 'fatal');
    const ids = new Set(implemented(syntax).map((r) => r.id));
    expect([...new Set(official.map((a) => a.id))].filter((id) => !ids.has(id))).toEqual([]);
    for (const a of official) {
      const rule = implemented(syntax).find((r) => r.id === a.id)!;
      expect({ id: a.id, severity: rule.severity }).toEqual({ id: a.id, severity: 'fatal' });
      expect(a.text.replace(/^\[[^\]]+\]\s*-\s*/, '').trim()).toBe(rule.message);
    }
  });

  test.each(SYNTAXES)('%s: no rule outside the official schematron, one rule object per id', (syntax) => {
    const official = new Set(officialAsserts(syntax).map((a) => a.id));
    const mine = implemented(syntax).map((r) => r.id);
    expect(mine.filter((id) => !official.has(id))).toEqual([]);
    expect(mine.length).toBe(new Set(mine).size);
  });

  it('keeps the per-family table in docs/VALIDATION.md', () => {
    const fam = new Map<string, { UBL: number; CII: number }>();
    for (const r of EN16931_RULES) {
      const f = familyOf(r.id);
      const row = fam.get(f) ?? { UBL: 0, CII: 0 };
      for (const s of r.syntaxes ?? []) if (s === 'UBL' || s === 'CII') row[s]++;
      fam.set(f, row);
    }
    const order = (f: string) => (f === 'BR' ? '0' : f.startsWith('BR-CO') ? '1' : f.startsWith('BR-DEC') ? '2' : f.startsWith('BR-CL') ? '4' : f.startsWith('BR-') ? `3${f}` : `5${f}`);
    const rows = [...fam.entries()].sort(([a], [b]) => order(a).localeCompare(order(b)));
    const total = rows.reduce((t, [, r]) => ({ UBL: t.UBL + r.UBL, CII: t.CII + r.CII }), { UBL: 0, CII: 0 });
    const official = (s: OfficialSyntax) => new Set(officialAsserts(s).filter((a) => a.flag === 'fatal').map((a) => a.id)).size;
    const t = [
      `Official fatal rule ids: UBL ${official('UBL')}, CII ${official('CII')}. Implemented: UBL ${total.UBL}, CII ${total.CII} (BR-51 is a warning in the UBL schematron and fatal in the CII one; both are implemented with their flag).`,
      '',
      '| family | UBL rules | CII rules |',
      '|---|---:|---:|',
      ...rows.map(([f, r]) => `| ${f} | ${r.UBL} | ${r.CII} |`),
      `| **total** | **${total.UBL}** | **${total.CII}** |`,
    ].join('\n');
    expect(syncSection('coverage', t)).toBe(t);
  });
});
