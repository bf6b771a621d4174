/**
 * The persistent lifecycle of one invoice, shared by both runners (DESIGN.md §4).
 * Key: supplier identifier + invoice number + issue year.
 */
import type { StateName } from './states';

export interface HistoryEntry {
  at: string;
  /** a finance SI's status: its Horodatage, the status's legal moment (`at` is when it was applied) */
  siAt?: string;
  state: StateName;
  /** who moved it: the pipeline, the finance SI (status flow), the supplier (completion), the operator (`chorus-flux reject`) */
  by: 'pipeline' | 'finance-si' | 'supplier' | 'operator';
  reason?: string;
  /** SHA-256 of the inbound file that caused it */
  sha256?: string;
  file?: string;
  /** a step told after a newer one (07 SERVICE_FAIT after 08 MANDATEE): recorded and forwarded, the state kept */
  late?: true;
}

export interface RecordedOutput {
  kind: 'pivot' | 'statut' | 'cdar';
  path: string;
  sha256: string;
  renvoi?: string;
  /** the inbound file whose processing wrote it (its SHA-256), or `operator` (`chorus-flux reject`) */
  source: string;
}

export type DepositDecision = 'new' | 'suspend' | 'complete' | 'still-suspended' | 'recycle' | 'duplicate';

export interface Deposit {
  sha256: string;
  /** position of the invoice in the file (multi-invoice pivots) */
  index: number;
  decision: DepositDecision;
  renvoi?: 'Non' | 'Complétée' | 'Recyclée';
  at: string;
  /** true once its outputs are written and the state moved */
  done?: boolean;
}

export interface LifecycleRecord {
  key: string;
  supplierId: string;
  number: string;
  issueDate?: string;
  idCpro: string;
  state: StateName;
  /** BT-3 as deposited, the seller's identifier type and names: what status messages about it need */
  typeCode?: string;
  supplierIdType?: string;
  sellerName?: string;
  /**
   * the seller's electronic address (BT-34) as deposited: the CDAR messages about the invoice
   * built later from this record (finance SI statuses, the operator's rejection) go to the
   * address those written at deposit used (docs/CDAR.md, Identifiers)
   */
  sellerAddress?: { value: string; scheme?: string };
  buyerName?: string;
  buyerSiret?: string;
  recepteurId?: string;
  /** depositor partner: where SUSPENDU flows go */
  partner: string;
  /** Renvoi of the last pivot emitted */
  renvoi?: 'Non' | 'Complétée' | 'Recyclée';
  /** every deposit of this invoice (file + position) and what was decided: replays repeat it */
  deposits: Deposit[];
  suspendedAt?: string;
  suspendReason?: string;
  /** a recycled (A_RECYCLER) invoice whose corrected deposit was suspended: its completion goes out as Recyclée */
  recyclePending?: boolean;
  montantHT?: string;
  montantTTC?: string;
  history: HistoryEntry[];
  outputs: RecordedOutput[];
  /** status lines from finance SIs applied to this invoice (file + position): replays repeat them */
  statusEvents?: StatusEvent[];
  /**
   * `chorus-flux reject`: the operator rejected the invoice chorus-flux had suspended on deposit
   * (its history has the REJETEE entry too). Its status flows are named after `at`, so that a
   * run again after a crash writes the same ones; `journaled` once its journal line is written.
   */
  operatorRejection?: { at: string; reason: string; journaled?: true };
}

export interface StatusEvent {
  sha256: string;
  index: number;
  from: StateName;
  to: StateName;
  at: string;
  /** the line's Horodatage: a later line with an earlier one is refused (CPRO-STATUT-ANTERIEUR) */
  siAt?: string;
  /** false when the line changed nothing (the invoice was already in that state) */
  changed: boolean;
  /** a step told after a newer one: forwarded, the state kept (not the last status for CPRO-STATUT-ANTERIEUR) */
  late?: true;
  /** the partner that sent the line: whose clock its Horodatage is on (records before it was kept have none) */
  partner?: string;
}

export function businessKey(supplierId: string, number: string, issueDate: string | undefined): string {
  return `${supplierId.trim()}|${number.trim()}|${(issueDate ?? '').slice(0, 4)}`;
}
