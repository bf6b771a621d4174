/**
 * What the journal records. Paths are relative to the output root (`--out`), so the
 * journal of several machines sharing one storage reads the same.
 */

/** The outcome of one inbound file: exactly one per file (DESIGN.md "Nothing lost"). */
export const FILE_OUTCOMES = [
  'accepted', // every invoice emitted, original archived
  'partial', // a multi-invoice flow with some invoices refused (flow status 96)
  'refused', // original in error/ with its reason
  'suspended', // held until the supplier completes it; SUSPENDU sent
  'duplicate', // every invoice already known (DOUBLON); nothing emitted
  'status-applied', // an inbound status flow applied to the lifecycle
] as const;

export type FileOutcome = (typeof FILE_OUTCOMES)[number];

export type InvoiceOutcome = 'accepted' | 'refused' | 'suspended' | 'duplicate' | 'completed' | 'recycled' | 'status' | 'rejected';

export interface JournalFinding {
  rule: string;
  severity: 'fatal' | 'warning';
  path?: string;
  line?: number;
  /** the full text, never cut */
  message: string;
}

export interface JournalInvoice {
  /** business key: supplier id + invoice number + issue year */
  key?: string;
  number?: string;
  supplierId?: string;
  buyerSiret?: string;
  idCpro?: string;
  /** the IdCPRO a deposited pivot carried (given by another platform): replaced by chorus-flux's own */
  sourceIdCpro?: string;
  recepteurId?: string;
  outcome: InvoiceOutcome;
  /** the invoice's lifecycle state after this event (MISE_A_DISPOSITION, SUSPENDUE, A_RECYCLER…) */
  state?: string;
  renvoi?: string;
  montantHT?: string;
  montantTTC?: string;
  /** BT-3 as written (381 and the other credit-note codes: the amounts are a credit) — the reconciliation signs them */
  typeCode?: string;
  /** BT-5 as written: the currency of montantHT / montantTTC (the reconciliation sums each apart) */
  currency?: string;
  findings?: JournalFinding[];
  /**
   * A status applied: the finance SI's words (Commentaire, else ComplementStatut), whole. The
   * flows forwarding them carry at most 300 characters (IPM4-009); the journal keeps the text.
   */
  reason?: string;
}

/** A flow status a partner sent about a flow chorus-flux sent it (lifecycle/flow-statuses.ts). */
export interface JournalFlowStatus {
  /** 0-based position in the partner's CPPFluxStatuts */
  index: number;
  /** the flow it is about, as the partner named it (flow id or file name) */
  idFlux: string;
  idStatut: string;
  /** 90–92 acknowledged, 93–95 rejected, 96 partly integrated */
  verdict: 'acknowledged' | 'rejected' | 'partial';
  /** the partner's Horodatage */
  at: string;
  /** the output it names, when still in the partner's outbox (relative to the output root) */
  flow?: string;
  /** the partner's words: Commentaire (else ComplementStatut) and its error lines */
  reason?: string;
}

export interface JournalOutput {
  kind: 'pivot' | 'statut' | 'cdar' | 'archive' | 'error' | 'reason' | 'report';
  /** relative to the output root */
  path: string;
  sha256: string;
  bytes: number;
  /** for pivots and status flows: the invoices (IdCPRO) it carries */
  idCpro?: string[];
  recepteurId?: string;
  renvoi?: string[];
  partner?: string;
}

export type JournalEvent =
  /** `inbox`: the tree a `run` took its files from (absolute), which the reconciliation scans too */
  | { event: 'start'; mode: 'run' | 'worker' | 'watch'; version: string; config: string; inbox?: string }
  | { event: 'stop'; mode: 'run' | 'worker' | 'watch'; reason: string }
  /** `rawName`: hex of the bytes of the file's path in its inbox, only when they are not UTF-8 (`file` is then its readable form, ingest/file-name.ts) */
  | { event: 'received'; sha256: string; file: string; partner: string; bytes: number; receivedAt: string; rawName?: string }
  /** watch mode: a complete file moved from an inbox to the processing area and queued */
  | { event: 'claimed'; sha256: string; file: string; partner: string; bytes: number; claimId: string; processing: string; rawName?: string }
  /**
   * watch mode: a claimed file found again in the processing area by the rescan and queued again;
   * `by: 'retry'`: its failed job queued again by the operator (`chorus-flux retry`), after the
   * failure in `failed` (its attempts, its reason's first line); with `sentAt`, a retry whose
   * answer never came (Redis lost: `in-doubt`) that Redis ran, journaled by the worker that took
   * the job, `sentAt` being when `retry` sent it; with `interrupted` too, a retry whose `retry` was
   * stopped (killed) after the job was queued, before it journaled it, or could not journal it (its
   * journal unwritable: the disk full). `by: 'dashboard'`: queued again from a writable
   * dashboard (a retry that kept the job's attempts), journaled by the worker that took it
   * (queue/retry-seen.ts); with `completed` instead of `failed`, a completed job retried from
   * the dashboard, the outcome it had completed with (the worker ends on that outcome)
   */
  | { event: 'requeued'; sha256: string; file: string; partner: string; claimId: string; processing: string; by?: 'retry' | 'dashboard'; failed?: string; sentAt?: string; interrupted?: true; completed?: string }
  | {
      event: 'outcome';
      sha256: string;
      file: string;
      partner: string;
      kind?: string;
      /** the sender's id for the flow: the IdFlx of an inbound pivot's or CPPStatut's envelope */
      idFlx?: string;
      outcome: FileOutcome;
      invoices: JournalInvoice[];
      outputs: JournalOutput[];
      findings?: JournalFinding[];
      /** the flow statuses of an inbound CPPStatut (about flows chorus-flux sent) */
      flows?: JournalFlowStatus[];
      /**
       * set when the same content had been processed before as another file (another name or
       * receipt time) and that attempt was interrupted before its processed mark: its outputs may
       * have gone out, so they were written again with the same bytes, naming that file and
       * dated by its receipt (state/files/<xx>/<sha256>.attempt)
       */
      replayOf?: { file: string; receivedAt: string };
      ms: number;
    }
  | {
      event: 'already-processed';
      sha256: string;
      file: string;
      partner: string;
      previous: FileOutcome;
      previousAt: string;
      /**
       * copies of this file kept by an attempt that was interrupted (a crash) before its
       * outcome was journaled, while a byte-identical file was finished: listed, so that no
       * file in the outboxes is unaccounted for; and the CPRO-DOUBLON-FLUX reply (previousPartner)
       */
      outputs?: JournalOutput[];
      /**
       * set when the copy came from another partner than the processed file: that partner was
       * sent the CPRO-DOUBLON-FLUX status flow(s) listed in `outputs` (once per content and partner)
       */
      previousPartner?: string;
    }
  /**
   * `chorus-flux reject`: the operator rejected an invoice chorus-flux had suspended on deposit
   * and its supplier never completed (lifecycle/operator-reject.ts); its depositor was told by
   * the status flows in `outputs` (05 REJETEE, CDAR 213). `sha256`, `file` and `partner` are
   * those of the deposit that was suspended, so that trace tells the rejection with that file;
   * `invoices` holds the one invoice (outcome `rejected`, state REJETEE, the reason whole).
   */
  | { event: 'invoice-rejected'; by: 'operator'; sha256: string; file: string; partner: string; rejectedAt: string; invoices: JournalInvoice[]; outputs: JournalOutput[] }
  /**
   * `chorus-flux reprocess`: a content refused whole (`refused`, its original in error/<refusedDay>/)
   * reopened by the operator `by` (an OS user) for `reason` (whole): its processed mark and attempt
   * record retired (state/reopenings.ts), its kept original `original` (relative to the output
   * root) copied back into the partner's inbox; the copy is then received as a new attempt.
   * `id` tells this reopening from another of the same content (state/reopenings.ts, reopenId).
   */
  | { event: 'reopened'; sha256: string; file: string; partner: string; name: string; by: string; reason: string; refusedDay: string; original: string; id: string }
  /**
   * A file's attempt that failed, or a worker's job interrupted. `job`, for a worker's job: what
   * the queue does next — `retried` by itself after its backoff, `failed` (left in the failed list
   * for `retry` or `set-aside`), `requeued` (its worker stopped on it: queued again for another)
   */
  | { event: 'system-error'; sha256?: string; file?: string; message: string; job?: SystemErrorNext };

/** What the queue does with a job after a `system-error` line (see that event). */
export type SystemErrorNext = 'retried' | 'failed' | 'requeued';

/** The line that gives a file its outcome. */
export type OutcomeEvent = Extract<JournalEvent, { event: 'outcome' }>;
