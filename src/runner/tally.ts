/**
 * Counts of a run by flux kind and outcome, kept as the files finish: the end-of-run summary
 * without keeping every file's result in memory (a run of 100,000 files would hold hundreds
 * of megabytes of results otherwise).
 */
import { lessChecked, type LessCheckedReason } from './less-checked';
import type { FileResult } from './process-file';
import type { JournalFlowStatus } from '../journal/events';

export interface SummaryRow {
  kind: string;
  files: number;
  /** files refused whole (their original in error/): before parsing, every invoice refused, or every invoice a duplicate */
  filesRefused: number;
  /** the invoice columns below count invoices only */
  invoices: number;
  accepted: number;
  refused: number;
  suspended: number;
  duplicate: number;
  /** lines of a finance SI's CPPStatut applied to an invoice (its refused lines count as refused) */
  statusApplied: number;
  already: number;
}

const COUNTS = ['files', 'filesRefused', 'invoices', 'accepted', 'refused', 'suspended', 'duplicate', 'statusApplied', 'already'] as const;

export class RunTally {
  private readonly byKind = new Map<string, SummaryRow>();
  /** invoices sent less checked than they should be, by reason (less-checked.ts) */
  readonly lessChecked: Record<LessCheckedReason, number> = { rule: 0, facturx: 0 };
  /** flow statuses partners sent about the flows chorus-flux sent them, by verdict */
  readonly flowStatuses: Record<JournalFlowStatus['verdict'], number> = { acknowledged: 0, rejected: 0, partial: 0 };

  add(r: FileResult): void {
    const kind = r.outcome === 'already-processed' ? '(already processed)' : r.kind ?? '(refused before parsing)';
    let x = this.byKind.get(kind);
    if (!x) {
      x = { kind, files: 0, filesRefused: 0, invoices: 0, accepted: 0, refused: 0, suspended: 0, duplicate: 0, statusApplied: 0, already: 0 };
      this.byKind.set(kind, x);
    }
    x.files++;
    if (r.outcome === 'already-processed') x.already++;
    x.invoices += r.invoices.length;
    for (const f of r.flows ?? []) this.flowStatuses[f.verdict]++;
    for (const i of r.invoices) {
      for (const why of lessChecked(i)) this.lessChecked[why]++;
      if (i.outcome === 'accepted' || i.outcome === 'completed' || i.outcome === 'recycled') x.accepted++;
      else if (i.outcome === 'refused') x.refused++;
      else if (i.outcome === 'suspended') x.suspended++;
      else if (i.outcome === 'duplicate') x.duplicate++;
      else if (i.outcome === 'status') x.statusApplied++;
    }
    // a duplicate file is refused whole too (CPRO-DOUBLON: its original in error/, its depositor told)
    if (r.outcome === 'refused' || r.outcome === 'duplicate') x.filesRefused++;
  }

  /** One row per flux kind (sorted), then the TOTAL row. */
  rows(): SummaryRow[] {
    const list = [...this.byKind.values()].map((r) => ({ ...r })).sort((a, b) => a.kind.localeCompare(b.kind));
    const total: SummaryRow = { kind: 'TOTAL', files: 0, filesRefused: 0, invoices: 0, accepted: 0, refused: 0, suspended: 0, duplicate: 0, statusApplied: 0, already: 0 };
    for (const r of list) for (const k of COUNTS) total[k] += r[k];
    return [...list, total];
  }
}
