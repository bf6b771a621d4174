/**
 * The seam between the pipeline and the invoice lifecycle's status-flow side: applying an
 * inbound CPPStatut from a finance SI, and writing CDAR D22B messages for partners who
 * asked for them.
 */
import type { Logger } from 'pino';
import type { JournalFlowStatus, JournalInvoice, JournalOutput } from '../journal/events';
import type { Finding } from '../model/finding';
import type { ParsedXml } from '../transform/parse/flux';
import type { InboundFile, PipelineDeps } from '../runner/process-file';

export interface StatusApplyArgs {
  deps: PipelineDeps;
  file: InboundFile;
  sha: string;
  /** what its flow ids derive from (runner/flow-id.ts, flowSeed) */
  flowSeed: readonly string[];
  bytes: Buffer;
  xml: ParsedXml;
  /** the receipt day and time its outputs carry (an interrupted earlier attempt's on a replay: process-file.ts, underAttempt) */
  day: string;
  horodatage: string;
  /** the file's name as its outputs carry it (IdFlux of a flow without IdFlx); default file.name */
  name?: string;
  log: Logger;
}

export interface StatusApplyResult {
  /** true when the flow is refused as a whole (unknown invoice, impossible transition…) */
  refused: boolean;
  findings: Finding[];
  outputs: JournalOutput[];
  invoices: JournalInvoice[];
  /** the flow statuses it carried, judged (lifecycle/flow-statuses.ts) */
  flows?: JournalFlowStatus[];
  /** its IdFlx, the sender's id for it: what a 93 refusing it names (else its file name) */
  idFlux?: string;
}

export interface StatusFlowHandler {
  apply(args: StatusApplyArgs): Promise<StatusApplyResult>;
}
