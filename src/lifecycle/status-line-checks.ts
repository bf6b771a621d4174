/**
 * What can be said of an inbound CPPStatut's lines from the lines alone, before any lifecycle
 * is read: an invoice status line must name its invoice, carry a status chorus-flux can apply
 * and dates the XSD takes; a flow status line a code 90–96, the flow it is about and its
 * moment. The pipeline refuses such a line (status-flows.ts, flow-statuses.ts); `validate`
 * reports it, so a finance SI's integrator can check a flow before sending it.
 */
import type { JournalFlowStatus } from '../journal/events';
import type { Finding } from '../model/finding';
import { dayOfXsDate, isXsDate, isXsDateTime } from '../model/xs-date';
import type { InboundFluxStatus, InboundInvoiceStatus, ParsedStatut } from '../transform/parse/statut';
import { stateName } from './states';

/** DESIGN.md §4: the flow status codes, and what each says of the flow sent. */
export const FLOW_STATUSES: Record<string, { label: string; verdict: JournalFlowStatus['verdict'] }> = {
  '90': { label: 'Reçu', verdict: 'acknowledged' },
  '91': { label: 'En cours de transmission', verdict: 'acknowledged' },
  '92': { label: 'Reçu destinataire final', verdict: 'acknowledged' },
  '93': { label: 'Erreur réception', verdict: 'rejected' },
  '94': { label: 'Erreur réception destinataire final', verdict: 'rejected' },
  '95': { label: 'Erreur de transmission', verdict: 'rejected' },
  '96': { label: 'Reçu - intégration partielle', verdict: 'partial' },
};

/** A value quoted in a reason: at most 40 characters, so that the reason stays readable. */
export function shown(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}

/** A finding about an invoice status line, named as the SI knows it. */
export function invoiceLineFinding(line: InboundInvoiceStatus, rule: string, message: string): Finding {
  return { rule, severity: 'fatal', message: `Statut ${line.index + 1} (facture ${line.idFacture ?? '?'} du fournisseur ${line.supplier.id ?? '?'}) : ${message}`, path: `/CPPStatut/CPPFactureStatuts/CPPFactureStatutUnitaire[${line.index + 1}]` };
}

function flowLineFinding(line: InboundFluxStatus, rule: string, message: string): Finding {
  return { rule, severity: 'fatal', message: `Statut de flux ${line.index + 1} (flux ${line.idFlux ?? '?'}) : ${message}`, path: `/CPPStatut/CPPFluxStatuts/CPPFluxStatutUnitaire[${line.index + 1}]` };
}

/** Why an invoice status line cannot apply, whatever the lifecycle holds; undefined when it may. */
export function invoiceLineProblem(line: InboundInvoiceStatus): Finding | undefined {
  const { idFacture, supplier, idStatut } = line;
  if (!idFacture || !supplier.id) return invoiceLineFinding(line, 'CPRO-STATUT-FACTURE', 'the invoice is not identified: Fournisseur/Identifiant and IdFacture are required.');
  const to = idStatut !== undefined ? stateName(idStatut.padStart(2, '0')) : undefined;
  if (!to) return invoiceLineFinding(line, 'CPRO-STATUT-CODE', `the status code "${idStatut ?? ''}" is not an invoice status chorus-flux can apply (01 to 12).`);
  // the moment the SI produced the status is forwarded as it is (its legal date: a service fait
  // starts the payment delay); one the XSD refuses would make the forwarded flows invalid
  if (line.horodatage === undefined || !isXsDateTime(line.horodatage)) {
    return invoiceLineFinding(line, 'CPRO-STATUT-HORODATAGE', `Horodatage ${line.horodatage === undefined ? 'is missing' : `"${shown(line.horodatage)}" is not a date and time`}: the moment the status was produced is required, as xs:dateTime (2026-11-20T10:00:00+01:00).`);
  }
  // an xs:date may carry a time zone (2026-11-02+01:00): the same calendar day, and year
  if (line.dateFacture !== undefined && !isXsDate(dayOfXsDate(line.dateFacture) as string)) {
    return invoiceLineFinding(line, 'CPRO-STATUT-DATE', `DateFacture "${shown(line.dateFacture)}" is not a date (xs:date, 2026-11-02): the invoice's year cannot be read from it.`);
  }
  return undefined;
}

/** Why a flow status line cannot be taken; undefined when it can. */
export function flowLineProblem(line: InboundFluxStatus): Finding | undefined {
  const code = line.idStatut;
  if (code === undefined || !FLOW_STATUSES[code]) return flowLineFinding(line, 'CPRO-STATUT-CODE', `the flow status code "${shown(code ?? '')}" is not one of 90 to 96.`);
  if (!line.idFlux) return flowLineFinding(line, 'CPRO-STATUT-FLUX', 'IdFlux is empty: the flow this status is about is required.');
  if (line.horodatage === undefined || !isXsDateTime(line.horodatage)) {
    return flowLineFinding(line, 'CPRO-STATUT-HORODATAGE', `Horodatage "${shown(line.horodatage ?? '')}" is not a date and time (xs:dateTime, 2026-11-20T10:00:00+01:00).`);
  }
  return undefined;
}

/** A status flow without a single line. */
export function emptyStatusFlow(): Finding {
  return { rule: 'CPRO-STATUT-VIDE', severity: 'fatal', message: 'The CPPStatut flow holds no status line.' };
}

/** Every line problem of a status flow, in the file's order (invoice lines, then flow lines). */
export function statusLineProblems(parsed: ParsedStatut): Finding[] {
  const out: Finding[] = [];
  for (const l of parsed.invoices) {
    const p = invoiceLineProblem(l);
    if (p) out.push(p);
  }
  for (const l of parsed.flux) {
    const p = flowLineProblem(l);
    if (p) out.push(p);
  }
  if (parsed.invoices.length + parsed.flux.length === 0) out.push(emptyStatusFlow());
  return out;
}
