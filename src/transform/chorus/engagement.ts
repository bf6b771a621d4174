/**
 * The numéro d'engagement: BT-13 Purchase order reference (pivot NumeroEngagement). UBL makes
 * cac:OrderReference/cbc:ID mandatory once cac:OrderReference is written, so an invoice that
 * gives a sales order reference (BT-14) and no purchase order writes "NA" there (EN 16931-3-2
 * UBL binding): that is no engagement number — a recipient that requires one took "NA" for it
 * and got it as NumeroEngagement, where the supplier should have been asked to complete.
 */
import type { Invoice } from '../../model/invoice';
import { xmlTrim } from '../../xml/xml-space';

const UBL_PLACEHOLDER = /^N\/?A$/i;

/** True when BT-13 is the UBL placeholder for "no purchase order". */
export function isEngagementPlaceholder(inv: Invoice): boolean {
  return inv.syntax === 'UBL' && inv.orderReference !== undefined && UBL_PLACEHOLDER.test(xmlTrim(inv.orderReference));
}

/** The engagement number, none when BT-13 is absent or the UBL placeholder. */
export function engagementNumber(inv: Invoice): string | undefined {
  return isEngagementPlaceholder(inv) ? undefined : inv.orderReference;
}
