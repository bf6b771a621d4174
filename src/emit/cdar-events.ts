/**
 * The CDAR D22B messages the pipeline writes for partners who asked for CDAR, built from the
 * situations it meets (pure). Tables and writer: src/emit/cdar/ (docs/CDAR.md).
 *   deposit accepted        → 200 Déposée + 203 Mise à disposition (when notifyAccepted)
 *   refused by our checks   → 213 Rejetée, or 501 Irrecevable for reception-level findings
 *                             (or when the seller has no identifier a 213 can carry)
 *   duplicate               → 213 with reason DOUBLON
 *   suspended by us / by SI → 208 Suspendue with the reason
 *   rejected by the operator→ 213 Rejetée (chorus-flux reject: a suspension never completed)
 *   completed               → 209 Complétée (toward the finance SI)
 *   SI statuses forwarded   → the CPPStatut code's CDAR equivalent, when it has one
 */
import type { LifecycleRecord } from '../lifecycle/record';
import type { Finding } from '../model/finding';
import { emptyInvoice, type Invoice } from '../model/invoice';
import {
  cdarBuyerParty,
  cdarInvoiceRef,
  cdarProblems,
  cdarReasons,
  cdarRejectionStatus,
  cdarSellerParty,
  cppStatutMapping,
  fallbackReasonFor,
  PIPELINE_STATUS,
  reasonCodeFor,
  type CdarEvent,
  type CdarParty,
  type CdarReason,
  type CdarStatusCode,
} from './cdar';

export interface CdarStamp {
  /** stable message id (derived from the inbound file and the event) */
  messageId: string;
  /** the status's date-time (ISO) */
  at: string;
  /**
   * when the message was made (MDT-8): the inbound file's receipt, stable so that processing it
   * again writes the same bytes. Default `at` (the pipeline's own statuses happen at receipt)
   */
  issuedAt?: string;
  /** when the invoice was received (ISO) */
  receivedAt?: string;
}

function event(inv: Invoice, status: CdarStatusCode, to: 'seller' | 'buyer', stamp: CdarStamp, reasons?: CdarReason[]): CdarEvent | undefined {
  const ref = cdarInvoiceRef(inv, stamp.receivedAt);
  if (!ref) return undefined;
  // a party CDAR cannot name (a seller identified as TypeIdentifiant 6 "en cours" or 7
  // "particulier") still makes its event: cdarProblems says why it cannot be written and the
  // sender logs it, where the partner and the operator heard nothing of the status
  const recipient: CdarParty = (to === 'seller' ? cdarSellerParty(inv) : cdarBuyerParty(inv)) ?? { id: '', scheme: '', role: to === 'seller' ? 'SE' : 'BY' };
  return { messageId: stamp.messageId, issuedAt: stamp.issuedAt ?? stamp.at, statusAt: stamp.at, status, invoice: ref, recipient, reasons: reasons?.length ? reasons : undefined };
}

/** Toward the depositor (the seller's side) for an invoice chorus-flux accepted: 200 and 203. */
export function acceptedCdar(inv: Invoice, stamp: CdarStamp): (CdarEvent | undefined)[] {
  return [event(inv, '200', 'seller', { ...stamp, messageId: `${stamp.messageId}-200` }), event(inv, '203', 'seller', { ...stamp, messageId: `${stamp.messageId}-203` })];
}

/**
 * Toward the depositor for an invoice refused by our checks (or a duplicate): 213 or 501 with
 * reasons. A 213 must name the seller by an identifier CDAR knows (BR-FR-CDV-13): a seller
 * without one (TypeIdentifiant 6 "en cours", 7 "particulier") gets the 501 that needs none,
 * addressed to the depositor's platform (`platformId`, its status recepteur id) as for an
 * unreadable file: a partner that asked for CDAR only heard nothing of the refusal.
 * An invoice without number (BT-1, MDT-87 of a 213) gets that 501 too, named `unnamed`
 * (the caller's: its file name, with its position in a multi-invoice flow).
 */
export function refusedCdar(inv: Invoice, findings: readonly Finding[], stamp: CdarStamp, platformId?: string, unnamed?: string): CdarEvent | undefined {
  const status = cdarRejectionStatus(findings);
  const e = event(inv, status, 'seller', stamp, cdarReasons(findings, status));
  const number = inv.number?.trim() || unnamed?.trim();
  if ((e && cdarProblems(e).length === 0) || platformId === undefined || !number) return e;
  return irrecevableCdar(number, platformId, findings, stamp);
}

/** Toward the depositor for an invoice suspended by our checks. */
export function suspendedCdar(inv: Invoice, findings: readonly Finding[], stamp: CdarStamp): CdarEvent | undefined {
  return event(inv, '208', 'seller', stamp, cdarReasons(findings.filter((f) => f.severity === 'fatal'), '208'));
}

/** Toward the finance SI (the buyer's side) for a completed invoice. */
export function completedCdar(inv: Invoice, stamp: CdarStamp): CdarEvent | undefined {
  return event(inv, '209', 'buyer', stamp);
}

/** An invoice in the model rebuilt from its lifecycle record, for statuses about it. */
export function invoiceFromRecord(r: LifecycleRecord): Invoice {
  const inv = emptyInvoice('PIVOT');
  inv.number = r.number;
  inv.issueDate = r.issueDate;
  inv.typeCode = r.typeCode;
  inv.seller.name = r.sellerName;
  if (r.sellerAddress) inv.seller.electronicAddress = { ...r.sellerAddress };
  if (/^\d{14}$/.test(r.supplierId)) inv.seller.legalId = { value: r.supplierId, scheme: '0009' };
  else inv.chorus.supplierId = r.supplierId;
  inv.chorus.supplierIdType = r.supplierIdType;
  if (r.buyerSiret) inv.buyer.legalId = { value: r.buyerSiret, scheme: '0009' };
  inv.buyer.name = r.buyerName;
  return inv;
}

/**
 * The rule id of an invoice the operator rejected (`chorus-flux reject`) after chorus-flux had
 * suspended it and its supplier never completed it: a Chorus Pro business control's rejection.
 */
export const OPERATOR_REJECT_RULE = 'CPRO-SUSPENSION-NON-COMPLETEE';

/**
 * Toward the depositor for an invoice the operator rejected: chorus-flux's own rejection (213
 * Rejetée, issued by the platform; 210 Refusée is the recipient's, which never had it), the
 * reason code of the B2G controls that suspended it and the operator's words.
 */
export function operatorRejectedCdar(r: LifecycleRecord, reasonText: string, stamp: CdarStamp): CdarEvent | undefined {
  const status = PIPELINE_STATUS.rejection;
  return event(invoiceFromRecord(r), status, 'seller', stamp, [{ code: reasonCodeFor(OPERATOR_REJECT_RULE, status), text: reasonText }]);
}

/** Toward the depositor: a finance SI's status on the invoice, when CDAR has an equivalent. */
export function forwardedCdar(r: LifecycleRecord, idStatut: string, reasonText: string | undefined, stamp: CdarStamp): CdarEvent | undefined {
  const m = cppStatutMapping(idStatut);
  if (!m?.cdar) return undefined;
  const status = m.cdar;
  // the SI's words on a status that is no refusal (205 Approuvée, 211 Paiement transmis): the
  // neutral AUTRE, where the rule table's fallback gave REJ_SEMAN, a rejection's code
  const code = m.reason ?? fallbackReasonFor(status) ?? 'AUTRE';
  const reasons = m.reason || reasonText ? [{ code, text: reasonText }] : undefined;
  return event(invoiceFromRecord(r), status, 'seller', stamp, reasons);
}

/**
 * Toward the depositor for a file refused before any invoice could be read (501 Irrecevable):
 * the invoice is named by the file name and the message is addressed to the depositor's
 * platform (role WK), identified by its status recepteur id.
 */
export function unreadableCdar(fileName: string, partnerId: string, findings: readonly Finding[], stamp: CdarStamp): CdarEvent | undefined {
  if (cdarReasons(findings, '501').length === 0) return undefined;
  return irrecevableCdar(fileName, partnerId, findings, stamp);
}

/** A 501 naming the invoice (or file) by `number` only, to the depositor's platform (role WK). */
function irrecevableCdar(number: string, partnerId: string, findings: readonly Finding[], stamp: CdarStamp): CdarEvent | undefined {
  // the reception-level findings; a refusal that has none keeps all its reasons, each under 501's own code
  const reasons = cdarReasons(findings, '501');
  const all = reasons.length > 0 ? reasons : cdarReasons(findings, '213').map((r) => ({ ...r, code: fallbackReasonFor('501') as string }));
  if (all.length === 0) return undefined;
  return {
    messageId: stamp.messageId,
    issuedAt: stamp.at,
    statusAt: stamp.at,
    status: '501',
    invoice: { number, receivedAt: stamp.receivedAt },
    recipient: { id: partnerId, scheme: '0238', role: 'WK' },
    reasons: all,
  };
}
