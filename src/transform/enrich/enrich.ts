/**
 * Enrichment: everything the pivot needs that the supplier did not write. Pure — the
 * technical id, the dates and the routing entry are given by the runner.
 *   IPM4-AIFE-2 IdCPRO · IPM4-001 typed attachments · IPM4-027 DateMiseADispositionMOE ·
 *   IPM4-043 works invoices routed to the MOE (envelope parameter CSMOE) · Renvoi · DateLivraison.
 */
import type { CodeServiceEntry, Recipient } from '../../config/config';
import type { Attachment, Invoice, IsoDate, Renvoi } from '../../model/invoice';
import { supplierIdType } from '../chorus/supplier-id';
import { pivotCadre } from '../chorus/cadre';
import { isForMoe, isWorksCadre } from '../chorus/routing';
import { typeAttachments } from './attachments';

export interface EnrichContext {
  idCpro: string;
  /** the day the flux was received (DateReception) */
  receptionDate: IsoDate;
  renvoi: Renvoi;
  recipient: Recipient;
  /** the invoice document when no attachment is it: the E1 XML flux itself, or the Factur-X PDF */
  sourceDocument?: { fileName: string; content: Uint8Array };
}

/** Where the pivot goes. */
export interface Route {
  recepteurId: string;
  recepteurLabel?: string;
  /** true when a works invoice goes to the MOE (IPM4-043) */
  toMoe: boolean;
  /** envelope parameter CSMOE: the MOE's code service */
  csmoe?: string;
}

export interface Enriched {
  invoice: Invoice;
  route: Route;
}

export function routeOf(inv: Invoice, recipient: Recipient): Route {
  const cadre = pivotCadre(inv);
  const moe = recipient.moe;
  const service = inv.buyerReference?.trim();
  if (moe && isForMoe(cadre) && (!moe.forCodeServices?.length || (service !== undefined && moe.forCodeServices.includes(service)))) {
    return { recepteurId: moe.recepteurId, recepteurLabel: `MOE ${moe.siret}`, toMoe: true, csmoe: moe.codeService };
  }
  return { recepteurId: recipient.recepteurId, recepteurLabel: recipient.name, toMoe: false };
}

/** The recipient's code service of that code (a loop: no closure per invoice, docs/PERFORMANCE.md, thirty-first round). */
function codeServiceOf(services: readonly CodeServiceEntry[], code: string | undefined): CodeServiceEntry | undefined {
  for (const c of services) if (c.code === code) return c;
  return undefined;
}

export function enrichInvoice(source: Invoice, ctx: EnrichContext): Enriched {
  const route = routeOf(source, ctx.recipient);
  let attachments: Attachment[] = source.attachments;
  if (ctx.sourceDocument && !attachments.some((a) => a.isInvoiceDocument)) {
    attachments = [{ fileName: ctx.sourceDocument.fileName, content: ctx.sourceDocument.content, isInvoiceDocument: true }, ...attachments];
  }
  const typed = typeAttachments(attachments);
  const service = codeServiceOf(ctx.recipient.codeServices, source.buyerReference?.trim());
  const invoice: Invoice = {
    ...source,
    attachments: typed.attachments,
    chorus: {
      ...source.chorus,
      supplierIdType: supplierIdType(source),
      serviceName: source.chorus.serviceName ?? service?.name,
      // a pivot input's own DateReception, unless left empty (an empty xs:date fails the XSD)
      receptionDate: source.chorus.receptionDate?.trim() ? source.chorus.receptionDate : ctx.receptionDate,
      // an ActualDeliveryDate left blank is none (it is not written): the issue date, as when absent
      deliveryDate: source.delivery?.date?.trim() ? source.delivery.date : source.issueDate,
      idCpro: ctx.idCpro,
      renvoi: ctx.renvoi,
      // IPM4-027: every works invoice carries it (DESIGN §1), routed to an MOE of the routing
      // table or not; a deposited pivot's own date is kept
      moeAvailabilityDate: source.chorus.moeAvailabilityDate?.trim() ? source.chorus.moeAvailabilityDate : isWorksCadre(pivotCadre(source)) ? ctx.receptionDate : undefined,
    },
  };
  return { invoice, route };
}
