/**
 * Builds the status flows the pipeline sends (pure): flow status 93 / 96 with one error
 * line per finding toward the depositor, invoice statuses (05 REJETEE, 06 SUSPENDUE) toward
 * the depositor, and 12 COMPLETEE toward the finance SI.
 */
import { isXsDate } from '../../model/xs-date';
import type { Config, Partner } from '../../config/config';
import type { Finding } from '../../model/finding';
import type { Invoice } from '../../model/invoice';
import { partySiret } from '../../transform/chorus/siret';
import { supplierId, supplierIdType } from '../../transform/chorus/supplier-id';
import type { EnvelopeParty } from '../pivot/serialize';
import type { ErrorDetail, InvoiceStatusLine } from './serialize';

export { partnerRecepteurId } from '../../config/partner-recepteur-id';

export function emitterParty(config: Config): EnvelopeParty {
  return { id: config.emitter.id, label: config.emitter.name };
}

/** One LigneErreurDetail per finding; the full text stays in the journal. */
export function errorDetails(findings: readonly Finding[], invoiceLabel?: string): ErrorDetail[] {
  return findings.map((f) => ({
    nature: f.severity === 'fatal' ? 'Bloquante' : 'Non bloquante',
    code: f.rule,
    libelle: invoiceLabel ? `${invoiceLabel} : ${f.message}` : f.message,
    description: f.path !== undefined ? `${f.path}${f.line !== undefined ? ` (ligne ${f.line})` : ''}` : undefined,
  }));
}

/** A CPPStatut invoice line needs the buyer's 14-digit SIRET; without it none can be written. */
export function invoiceStatusLine(inv: Invoice, idStatut: string, horodatage: string, commentaire?: string, complement?: string): InvoiceStatusLine | undefined {
  const buyer = partySiret(inv.buyer);
  if (buyer === undefined || !/^\d{14}$/.test(buyer) || inv.number === undefined) return undefined;
  const codeService = inv.buyerReference?.trim(); // as the pivot writes it
  return {
    supplier: {
      typeId: supplierIdType(inv),
      id: supplierId(inv) ?? '',
      name: inv.seller.name ?? inv.seller.tradingName ?? '',
      country: inv.seller.address?.countryCode && /^[A-Z]{2}$/.test(inv.seller.address.countryCode) ? inv.seller.address.countryCode : undefined,
    },
    // the code service as the pivot writes it, when the XSD can carry it (≤ 100): a refusal for
    // an over-long one (CPRO-LONGUEUR-CODE-SERVICE) must not be an invalid flow itself
    buyer: { id: buyer, name: inv.buyer.name, codeService: codeService && codeService.length <= 100 ? codeService : undefined, serviceName: inv.chorus.serviceName },
    idStatut,
    complement,
    commentaire,
    horodatage,
    idFacture: inv.number,
    dateFacture: inv.issueDate && isXsDate(inv.issueDate) ? inv.issueDate.trim() : undefined,
  };
}
