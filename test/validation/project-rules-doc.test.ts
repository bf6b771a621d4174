/**
 * docs/VALIDATION.md lists every rule of the project's own (the Chorus Pro CPRO-* rules, the
 * pivot conformance guard, the Factur-X profile rule) from the rule tables themselves: an
 * operator reading a rule id in a status flow finds it there. UPDATE_VALIDATION_DOC=1 writes it.
 */
import { CHORUS_RULES } from '../../src/transform/validate/rules/chorus';
import { FACTURX_PROFILE_RULES } from '../../src/transform/validate/rules/facturx-profile';
import { PIVOT_CONFORMANCE_RULES } from '../../src/transform/validate/rules/pivot-conformance';
import { PIVOT_TOTALS_RULES } from '../../src/transform/validate/rules/pivot-totals';
import { ALL_RULES } from '../../src/transform/validate/rules';
import { syncSection } from './support/doc-section';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();

it('keeps the table of the project rules in docs/VALIDATION.md', () => {
  const mine = [...FACTURX_PROFILE_RULES, ...CHORUS_RULES, ...PIVOT_CONFORMANCE_RULES, ...PIVOT_TOTALS_RULES];
  // every rule of the tables that is not EN 16931's is in it
  expect(ALL_RULES.filter((r) => /^(CPRO|FACTURX)-/.test(r.id)).length).toBe(mine.length);
  const rows = mine.map((r) => {
    const severity = r.severityIn?.chorus ?? r.severity;
    const outcome = severity !== 'fatal' ? 'warning' : r.suspendable ? 'fatal: suspends' : 'fatal: refuses';
    return `| \`${r.id}\` | ${outcome} | ${cell(r.appliesTo)} | ${cell(r.message)} |`;
  });
  const t = [
    `${mine.length} rules (\`rules/facturx-profile.ts\`, \`rules/chorus.ts\`, \`rules/pivot-conformance.ts\`, \`rules/pivot-totals.ts\`), in the order their findings are reported; \`{…}\` is filled from the invoice.`,
    '',
    '| rule | outcome | applies to | message |',
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
  expect(syncSection('project-rules', t)).toBe(t);
});
