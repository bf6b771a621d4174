/**
 * The reconciliation report (docs/RECONCILIATION.md): what one day's journal and folders say,
 * counted, and every anomaly found. Everything here is sorted and free of wall-clock times,
 * so the same state gives the same bytes.
 */

export const ANOMALY_TYPES = [
  'lost-file',
  'outcome-without-received',
  'missing-output',
  'tampered-output',
  'orphan-output',
  'duplicate-idcpro',
  'stuck-processing',
  'not-picked-up',
  'suspended-past-deadline',
  'journal-gap',
  'journal-sequence',
  'journal-damaged',
  'outcome-not-journaled',
  'state-damaged',
] as const;

export type AnomalyType = (typeof ANOMALY_TYPES)[number];

export const ANOMALY_TITLES: Record<AnomalyType, string> = {
  'lost-file': 'File received without an outcome (lost)',
  'outcome-without-received': 'Outcome without a received file',
  'missing-output': 'Journaled output missing from the folders',
  'tampered-output': 'Output whose content no longer matches the journal (SHA-256)',
  'orphan-output': 'Output that no outcome lists (orphan)',
  'duplicate-idcpro': 'Same IdCPRO emitted twice without Renvoi',
  'stuck-processing': 'File stuck in processing',
  'not-picked-up': 'File in an inbox never received by the pipeline',
  'suspended-past-deadline': 'Suspended invoice past its deadline',
  'journal-gap': 'Gap in the journal (missing sequence numbers)',
  'journal-sequence': 'Journal sequence out of order or repeated',
  'journal-damaged': 'Unreadable journal line',
  'outcome-not-journaled': 'Outcome its processed mark holds, missing from the journal',
  'state-damaged': 'Unreadable lifecycle record',
};

export interface AnomalyInvoice {
  idCpro?: string;
  number?: string;
  supplierId?: string;
  renvoi?: string;
}

export interface Anomaly {
  type: AnomalyType;
  /** one sentence for a human */
  message: string;
  /** the inbound file as journaled (relative to its inbox root), or a path under processing/ or an inbox */
  file?: string;
  /** SHA-256 of the inbound file */
  sha256?: string;
  partner?: string;
  /** an output, relative to the output root */
  output?: string;
  /** the other outputs involved (duplicate IdCPRO) */
  outputs?: string[];
  invoices?: AnomalyInvoice[];
  writer?: string;
  /** journal/<day>/<writer>.jsonl:<line> */
  journal?: string;
  expected?: string;
  actual?: string;
  /** an instant that matters (upload, suspension…) */
  since?: string;
  /** the rule id of why, where one names it (a file in a folder that names no partner: FLUX-PARTENAIRE-INCONNU) */
  rule?: string;
}

export interface FileCounts {
  /** files of the day (received that day, see docs/RECONCILIATION.md) */
  files: number;
  accepted: number;
  partial: number;
  refused: number;
  suspended: number;
  duplicate: number;
  statusApplied: number;
  lost: number;
  /** the same content dropped again: `already-processed`, nothing emitted (not in `files`) */
  alreadyProcessed: number;
}

export interface InvoiceCounts {
  /** invoices deposited (not counting status lines) */
  invoices: number;
  accepted: number;
  refused: number;
  suspended: number;
  completed: number;
  recycled: number;
  duplicate: number;
  /** status lines from finance SIs: applied, of which to SUSPENDUE, and refused */
  statusApplied: number;
  statusSuspended: number;
  statusRefused: number;
  /**
   * invoices the operator rejected on the day (`chorus-flux reject`): deposited and suspended on
   * an earlier day or this one, so not in `invoices`; by depositor partner and recipient
   */
  rejectedByOperator: number;
}

/** One currency's sums (credit notes subtracted). */
export interface CurrencyAmounts {
  currency: string;
  invoices: number;
  ht: string;
  ttc: string;
  /** credit notes among these invoices (their amounts, written positive, are subtracted) */
  creditNotes?: number;
  unreadable?: number;
}

export interface AmountPair {
  /** every invoice, whatever its currency */
  invoices: number;
  /**
   * the euro sums (`currency`): invoices in another currency are not added in (a sum of euros
   * and dollars means nothing), see `byCurrency`; credit notes are subtracted. An invoice whose
   * journal line does not say its currency (written before it was journaled) counts as euros
   */
  ht: string;
  ttc: string;
  /** the currency of `ht` and `ttc`: EUR */
  currency: string;
  /** credit notes among the invoices (subtracted) */
  creditNotes?: number;
  /** invoices of these whose HT or TTC is given but not a number (a refused invoice's, as written): left out of the sums */
  unreadable?: number;
  /** every currency of the invoices, euros first, each summed apart */
  byCurrency: CurrencyAmounts[];
}

export interface Amounts {
  /** every invoice deposited for the recipient */
  in: AmountPair;
  /** invoices sent to it in a pivot (accepted, completed, recycled) */
  out: AmountPair;
}

export interface HourVolume {
  /** the local hour, 0–23: twice 2 on the day of 25 hours, no 2 on the day of 23 */
  hour: number;
  /** the hour's first instant (UTC) and the zone's offset then: what tells the two 02:00 apart */
  start: string;
  utcOffset: string;
  files: { accepted: number; partial: number; refused: number; suspended: number; duplicate: number; statusApplied: number; lost: number };
  invoices: number;
}

/** A flow chorus-flux sent that its receiver refused, or integrated only in part (93–96). */
export interface FlowRefusal {
  /** the partner that said so, and the inbound CPPStatut that carried it */
  partner: string;
  file: string;
  sha256: string;
  idFlux: string;
  idStatut: string;
  verdict: 'rejected' | 'partial';
  /** the partner's Horodatage */
  at: string;
  /** the output it names, when it was still in the outbox (relative to the output root) */
  flow?: string;
  reason?: string;
  /** the flow as the journal of the last reconcile.flowLookbackDays days has it (absent: not found there) */
  sent?: SentFlow;
}

/** A flow chorus-flux wrote, as its journal line says (reconcile/sent-flows.ts). */
export interface SentFlow {
  /** the journal day it was written on */
  day: string;
  /** relative to the output root */
  output: string;
  /** the inbound file it came from */
  file: string;
  partner: string;
  sha256: string;
  sentAt: string;
  /** how many invoices it carried; `invoices` names the first 20 */
  invoiceCount: number;
  invoices: AnomalyInvoice[];
}

export interface FlowStatusCounts {
  acknowledged: number;
  rejected: number;
  partial: number;
}

export interface ReconcileReport {
  format: 'chorus-flux/reconcile@1';
  date: string;
  timezone: string;
  status: 'clean' | 'anomalies';
  /** the instant anomalies are judged at: the end of the day (or now, for today) */
  asOf: string;
  settings: { stuckProcessingMinutes: number; suspendedDeadlineDays: number };
  journal: { days: string[]; writers: string[]; lines: number; damaged: number };
  totals: { files: FileCounts; invoices: InvoiceCounts; amounts: Amounts };
  byPartner: { partner: string; name?: string; files: FileCounts; invoices: InvoiceCounts }[];
  byRecipient: { recepteurId: string; name?: string; invoices: InvoiceCounts; amounts: Amounts }[];
  hours: HourVolume[];
  /** taken: outputs of pivot/, statut/, cdar/ gone from their outbox, counted so under reconcile.transfersMoveOutputs (else they are missing) */
  outputs: { checked: number; byKind: Record<string, number>; missing: number; tampered: number; orphan: number; taken: number };
  /**
   * Flow statuses partners sent that day about the flows chorus-flux sent them, and every
   * refusal among them: not an anomaly of the bookkeeping (nothing was lost here), but
   * invoices that did not reach the recipient's accounts and need an operator.
   */
  flowStatuses: FlowStatusCounts & { refusals: FlowRefusal[]; lookbackDays: number };
  anomalyCounts: Partial<Record<AnomalyType, number>>;
  anomalies: Anomaly[];
  notes: string[];
}

/** One CSV row: an invoice (or a file without invoices). */
export interface InvoiceRow {
  partner: string;
  file: string;
  sha256: string;
  receivedAt: string;
  journaledAt: string;
  writer: string;
  fileOutcome: string;
  kind: string;
  index: string;
  number: string;
  supplierId: string;
  buyerSiret: string;
  recepteurId: string;
  idCpro: string;
  invoiceOutcome: string;
  state: string;
  renvoi: string;
  montantHT: string;
  montantTTC: string;
  pivot: string;
  rules: string;
  anomalies: string;
  /** added after the first columns (a spreadsheet reading them by position keeps working) */
  typeCode: string;
  currency: string;
}
