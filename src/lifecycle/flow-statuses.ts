/**
 * Flow statuses a partner sends back about the flows chorus-flux sent it (`CPPFluxStatuts`
 * in an inbound CPPStatut): a finance SI saying it received a pivot (90, 92) or refused it
 * (93, 94, 95; 96 when it integrated part of it), an operator acknowledging a status flow.
 *
 * They change no invoice's state: a refused pivot means its invoices never reached the
 * recipient's accounts, and only an operator can tell why (its `Details` say) and send them
 * again. So each is judged (code and moment as the XSD and DESIGN.md §4 say), matched to the
 * flow it names when that flow is still in the partner's outbox (the nightly report looks the
 * others up in the journal: reconcile/sent-flows.ts), recorded on the file's
 * outcome line, and a refusal is logged as an error and listed by the reconciliation.
 */
import { existsSync } from 'node:fs';
import type { JournalFlowStatus } from '../journal/events';
import type { Finding } from '../model/finding';
import { PIVOT_INTERFACE } from '../emit/pivot/serialize';
import { STATUT_INTERFACE } from '../emit/statut/serialize';
import type { InboundFluxStatus } from '../transform/parse/statut';
import type { PipelineDeps } from '../runner/process-file';
import { FLOW_STATUSES, flowLineProblem } from './status-line-checks';

/** A flow id or file name that can only name a file of one folder (no separator, no dot-only name). */
const FLOW_NAME = /^(?!\.+$)[A-Za-z0-9_.-]{1,200}$/;

export interface FlowStatusResult {
  statuses: JournalFlowStatus[];
  /** the lines refused (a code or a moment the XSD does not take, no flow named) */
  refused: Finding[];
}

/**
 * The outputs a flow status from `partner` may be about: the pivots of the recipients whose
 * finance SI it is (or whose works invoices it receives as their MOE), and the status flows
 * sent to it; named by file name or by flow id.
 */
function sentFlow(deps: PipelineDeps, partner: string, idFlux: string): string | undefined {
  if (!FLOW_NAME.test(idFlux)) return undefined;
  const emitter = deps.config.emitter.id;
  const candidates: string[][] = [];
  for (const r of deps.config.recipients) {
    // a recipient's finance SI receives its pivots; the MOE of its works invoices, those routed to it
    const receiver = (r.statusPartner ?? r.recepteurId) === partner ? r.recepteurId : r.moe?.recepteurId === partner ? r.moe.recepteurId : undefined;
    if (!receiver) continue;
    candidates.push(['pivot', receiver, idFlux], ['pivot', receiver, `${PIVOT_INTERFACE}_${emitter}_${idFlux}.xml`]);
  }
  candidates.push(['statut', partner, idFlux], ['statut', partner, `${STATUT_INTERFACE}_${emitter}_${idFlux}.xml`]);
  for (const c of candidates) {
    let abs: string;
    try {
      abs = deps.outbox.resolve(...c);
    } catch {
      continue;
    }
    if (existsSync(abs)) return deps.outbox.relative(abs);
  }
  return undefined;
}

/** Judges and records the flow statuses of one inbound CPPStatut (no state changes, no output). */
export function judgeFlowStatuses(deps: PipelineDeps, partner: string, lines: readonly InboundFluxStatus[]): FlowStatusResult {
  const statuses: JournalFlowStatus[] = [];
  const refused: Finding[] = [];
  for (const line of lines) {
    const problem = flowLineProblem(line);
    if (problem) {
      refused.push(problem);
      continue;
    }
    const code = line.idStatut as string;
    const known = FLOW_STATUSES[code];
    const idFlux = line.idFlux as string;
    const s: JournalFlowStatus = { index: line.index, idFlux, idStatut: code, verdict: known.verdict, at: (line.horodatage as string).trim() };
    const flow = sentFlow(deps, partner, idFlux);
    if (flow) s.flow = flow;
    const reason = [line.commentaire ?? line.complement, ...line.errors.map((e) => [e.code, e.libelle, e.description].filter(Boolean).join(' '))].filter((x) => x && x.trim()).join(' | ');
    if (reason) s.reason = reason;
    statuses.push(s);
  }
  return { statuses, refused };
}
