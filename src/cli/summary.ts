/**
 * The end-of-run summary: files and invoices by flux kind and outcome (cli-table3).
 */
import Table from 'cli-table3';
import type { RunSummary } from '../runner/embedded';
import type { SummaryRow } from '../runner/tally';

export type { SummaryRow } from '../runner/tally';

export function summarise(s: RunSummary): SummaryRow[] {
  return s.tally.rows();
}

const HEAD = ['flux kind', 'files', 'files refused', 'invoices', 'accepted', 'refused', 'suspended', 'duplicate', 'status applied', 'already processed'];

export function summaryTable(s: RunSummary): string {
  const t = new Table({
    head: HEAD,
    style: { head: [], border: [] },
  });
  for (const r of summarise(s)) t.push([r.kind, r.files, r.filesRefused, r.invoices, r.accepted, r.refused, r.suspended, r.duplicate, r.statusApplied, r.already]);
  if (s.waiting.length) t.push([{ colSpan: HEAD.length, content: `waiting: ${s.waiting.length} (upload not known to be finished: left in the inbox for the next run, see the log)` }]);
  if (s.noPartner.length) t.push([{ colSpan: HEAD.length, content: `no partner: ${s.noPartner.length} (in a folder that names no partner: not taken, left in the inbox; see the errors)` }]);
  if (s.notBegun > 0) t.push([{ colSpan: HEAD.length, content: `not begun: ${s.notBegun} (the run was asked to stop: left in the inbox for the next run)` }]);
  if (s.skipped.length) t.push([{ colSpan: HEAD.length, content: `skipped: ${s.skipped.length} (${[...new Set(s.skipped.map((e) => e.why))].join(', ')}: never taken, see the log)` }]);
  const less = s.tally.lessChecked;
  if (less.rule + less.facturx > 0) {
    const why = [less.rule ? `${less.rule} with a validation rule not evaluated` : '', less.facturx ? `${less.facturx} without their Factur-X` : ''].filter(Boolean).join(', ');
    t.push([{ colSpan: HEAD.length, content: `less checked: ${why} (sent anyway; see the errors in the log)` }]);
  }
  const flows = s.tally.flowStatuses;
  if (flows.rejected + flows.partial > 0) {
    const why = [flows.rejected ? `${flows.rejected} refused` : '', flows.partial ? `${flows.partial} partly integrated` : ''].filter(Boolean).join(', ');
    t.push([{ colSpan: HEAD.length, content: `flows sent, as their receivers say: ${why}, ${flows.acknowledged} acknowledged (their invoices need an operator: see the errors in the log)` }]);
  }
  if (s.failures.length) t.push([{ colSpan: HEAD.length, content: `system failures: ${s.failures.length} (files left in the inbox, see the log)` }]);
  return t.toString();
}
