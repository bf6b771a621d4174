/**
 * What the worker's main thread needs of a processed file: the job's return value and the
 * metrics. The processing thread (job-thread.ts) posts this, not the whole FileResult: the
 * invoices' amounts and findings, the outputs and the timings are in the journal already, and
 * structured-cloning them into a thread that dropped them cost both threads CPU for every file.
 */
import type { FileResult } from './process-file';
import { lessChecked, type LessCheckedReason } from './less-checked';
import type { JournalFlowStatus, InvoiceOutcome } from '../journal/events';

export interface JobOutcome {
  sha256: string;
  outcome: FileResult['outcome'];
  kind?: string;
  /** an inbound CPPStatut's flow statuses, by verdict */
  flows: JournalFlowStatus['verdict'][];
  /** each invoice (or status line) with the reasons it went out less checked (less-checked.ts) */
  invoices: { outcome: InvoiceOutcome; lessChecked: LessCheckedReason[] }[];
}

export function jobOutcome(r: FileResult): JobOutcome {
  return {
    sha256: r.sha256,
    outcome: r.outcome,
    ...(r.kind !== undefined ? { kind: r.kind } : {}),
    flows: (r.flows ?? []).map((f) => f.verdict),
    invoices: r.invoices.map((i) => ({ outcome: i.outcome, lessChecked: lessChecked(i) })),
  };
}
