/**
 * The run's summary table: the invoice columns count invoices only, so accepted + refused +
 * suspended + duplicate add up to the invoices; files refused whole have their own column.
 */
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
  expect(total).toEqual({ kind: 'TOTAL', files: 6, filesRefused: 3, invoices: 5, accepted: 3, refused: 2, suspended: 0, duplicate: 0, already: 1 });
  for (const r of rows) expect(r.accepted + r.refused + r.suspended + r.duplicate).toBe(r.invoices);
  expect(rows.find((r) => r.kind === '(refused before parsing)')).toMatchObject({ files: 2, filesRefused: 2, invoices: 0, refused: 0 });
});
