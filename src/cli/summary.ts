/**
 * The end-of-run summary: files and invoices by flux kind and outcome (cli-table3).
 */
import Table from 'cli-table3';
import type { RunSummary } from '../runner/embedded';

export interface SummaryRow {
  kind: string;
  files: number;
  invoices: number;
  accepted: number;
  refused: number;
  suspended: number;
  duplicate: number;
  already: number;
}

export function summarise(s: RunSummary): SummaryRow[] {
  const rows = new Map<string, SummaryRow>();
  const row = (kind: string) => {
    let r = rows.get(kind);
    if (!r) {
      r = { kind, files: 0, invoices: 0, accepted: 0, refused: 0, suspended: 0, duplicate: 0, already: 0 };
      rows.set(kind, r);
    }
    return r;
  };
  for (const r of s.results) {
    const k = r.outcome === 'already-processed' ? '(already processed)' : r.kind ?? '(refused before parsing)';
    const x = row(k);
    x.files++;
    if (r.outcome === 'already-processed') x.already++;
    x.invoices += r.invoices.length;
    for (const i of r.invoices) {
      if (i.outcome === 'accepted' || i.outcome === 'completed' || i.outcome === 'recycled') x.accepted++;
      else if (i.outcome === 'refused') x.refused++;
      else if (i.outcome === 'suspended') x.suspended++;
      else if (i.outcome === 'duplicate') x.duplicate++;
    }
    if (r.invoices.length === 0 && r.outcome === 'refused') x.refused++;
  }
  const list = [...rows.values()].sort((a, b) => a.kind.localeCompare(b.kind));
  const total: SummaryRow = { kind: 'TOTAL', files: 0, invoices: 0, accepted: 0, refused: 0, suspended: 0, duplicate: 0, already: 0 };
  for (const r of list) for (const k of ['files', 'invoices', 'accepted', 'refused', 'suspended', 'duplicate', 'already'] as const) total[k] += r[k];
  return [...list, total];
}

export function summaryTable(s: RunSummary): string {
  const t = new Table({
    head: ['flux kind', 'files', 'invoices', 'accepted', 'refused', 'suspended', 'duplicate', 'already processed'],
    style: { head: [], border: [] },
  });
  for (const r of summarise(s)) t.push([r.kind, r.files, r.invoices, r.accepted, r.refused, r.suspended, r.duplicate, r.already]);
  if (s.failures.length) t.push([{ colSpan: 8, content: `system failures: ${s.failures.length} (files left in the inbox, see the log)` }]);
  return t.toString();
}
