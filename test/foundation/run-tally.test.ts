/**
 * The run's summary table: the invoice columns count invoices only, so accepted + refused +
 * suspended + duplicate + status applied add up to the invoices; files refused whole have their own column.
 */
import { summaryTable } from '../../src/cli/summary';
import type { RunSummary } from '../../src/runner/embedded';
import type { FileResult } from '../../src/runner/process-file';
import { RunTally } from '../../src/runner/tally';

const file = (outcome: string, kind: string | undefined, invoices: string[]): FileResult => ({ outcome, kind, invoices: invoices.map((o) => ({ outcome: o })) }) as unknown as FileResult;

it('counts invoices in the invoice columns and whole-file refusals apart', () => {
  const t = new RunTally();
  t.add(file('refused', undefined, [])); // refused before parsing
  t.add(file('refused', undefined, []));
  t.add(file('refused', 'IN_DP_E1_UBL_INVOICE', ['refused'])); // its one invoice refused
  t.add(file('partial', 'CPPFacturePivot', ['accepted', 'refused', 'accepted']));
  t.add(file('accepted', 'IN_DP_E1_UBL_INVOICE', ['accepted']));
  t.add(file('already-processed', undefined, []));
  const rows = t.rows();
  const total = rows[rows.length - 1];
  expect(total).toEqual({ kind: 'TOTAL', files: 6, filesRefused: 3, invoices: 5, accepted: 3, refused: 2, suspended: 0, duplicate: 0, statusApplied: 0, already: 1 });
  for (const r of rows) expect(r.accepted + r.refused + r.suspended + r.duplicate).toBe(r.invoices);
  expect(rows.find((r) => r.kind === '(refused before parsing)')).toMatchObject({ files: 2, filesRefused: 2, invoices: 0, refused: 0 });
});

it('counts a file whose invoices are all duplicates among the files refused whole (its original is in error/)', () => {
  const t = new RunTally();
  t.add(file('duplicate', 'IN_DP_E1_UBL_INVOICE', ['duplicate']));
  expect(t.rows().find((r) => r.kind === 'TOTAL')).toMatchObject({ files: 1, filesRefused: 1, invoices: 1, duplicate: 1 });
});

it("counts a finance SI's applied status lines in their own column, so the columns still add up", () => {
  const t = new RunTally();
  t.add(file('status-applied', 'CPPStatut', ['status', 'refused', 'status', 'refused']));
  const row = t.rows().find((r) => r.kind === 'CPPStatut');
  expect(row).toMatchObject({ invoices: 4, statusApplied: 2, refused: 2, accepted: 0 });
  for (const r of t.rows()) expect(r.accepted + r.refused + r.suspended + r.duplicate + r.statusApplied).toBe(r.invoices);
  const table = summaryTable({ tally: t, waiting: [], noPartner: [], notBegun: 0, skipped: [], failures: [] } as unknown as RunSummary);
  expect(table).toContain('status applied');
  expect(table.split('\n').find((l) => l.includes('CPPStatut'))).toMatch(/│ 4 .*│ 0 .*│ 2 .*│ 0 .*│ 0 .*│ 2 .*│ 0 /);
});

it('counts the invoices sent less checked than they should be, by reason, and the summary says so', () => {
  const t = new RunTally();
  const inv = (outcome: string, findings: { rule: string; severity: string; message: string }[]) => ({ outcome, findings });
  const unevaluated = { rule: 'BR-CO-15', severity: 'warning', message: 'rule BR-CO-15 could not be evaluated: boom' };
  const noFacturX = { rule: 'CPRO-FACTURX', severity: 'warning', message: 'The Factur-X attachment could not be generated (…); the pivot is emitted without it.' };
  t.add({ outcome: 'partial', kind: 'CPPFacturePivot', invoices: [inv('accepted', [unevaluated, noFacturX]), inv('accepted', [noFacturX]), inv('refused', [unevaluated]), inv('accepted', [])] } as unknown as FileResult);
  // a refused invoice went nowhere: not counted
  expect(t.lessChecked).toEqual({ rule: 1, facturx: 2 });
  const table = summaryTable({ tally: t, waiting: [], noPartner: [], skipped: [], failures: [] } as unknown as RunSummary);
  expect(table).toContain('less checked: 1 with a validation rule not evaluated, 2 without their Factur-X (sent anyway; see the errors in the log)');
  const clean = new RunTally();
  clean.add(file('accepted', 'IN_DP_E1_UBL_INVOICE', ['accepted']));
  expect(summaryTable({ tally: clean, waiting: [], noPartner: [], skipped: [], failures: [] } as unknown as RunSummary)).not.toContain('less checked');
});
