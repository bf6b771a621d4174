/**
 * Flux kinds: what a file in an inbox is, decided from its content (root element and
 * namespace, or PDF magic), never from its name. Codes follow Chorus Pro's flux names.
 */
import type { Invoice } from './invoice';

export const FLUX_KINDS = {
  UBL_E1: 'IN_DP_E1_UBL_INVOICE',
  UBL_E2: 'IN_DP_E2_UBL_INVOICE_MIN',
  CII: 'IN_DP_E1_CII_16B',
  FACTURX: 'IN_DP_E2_CII_FACTURX',
  PIVOT: 'CPPFacturePivot',
  STATUT: 'CPPStatut',
} as const;

export type FluxKind = (typeof FLUX_KINDS)[keyof typeof FLUX_KINDS];

export const NS = {
  UBL_INVOICE: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  UBL_CREDIT_NOTE: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
  CII: 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100',
} as const;

/** An invoice-bearing flux after parsing: one or many invoices (pivot input). */
export interface InvoiceFlux {
  kind: Exclude<FluxKind, 'CPPStatut'>;
  invoices: Invoice[];
  /** the embedded CII of a Factur-X, when the flux was a PDF */
  embeddedXmlName?: string;
}
