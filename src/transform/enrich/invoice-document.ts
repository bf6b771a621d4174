/**
 * Which attachment is the invoice document itself (TypePJ 01) — the PDF of an E2 flow.
 *
 * Project convention (Chorus Pro's UBL E2 marking is not public), documented in docs/MAPPING.md:
 * an embedded PDF is the invoice document when
 *   1. its cbc:DocumentTypeCode is an invoice or credit-note code of UNTDID 1001, or
 *   2. the invoice has no lines (minimal E2 data) and it is the first embedded PDF.
 * A pivot PJ keeps the TypePJ it was given. "PDF" is told by the bytes, not the declared type
 * or name; one invoice has one invoice document: the first that qualifies (parse/flux.ts).
 */
import type { Attachment, Invoice } from '../../model/invoice';
import { looksLikePdf } from './mime-sniff';

/** UNTDID 1001 document codes that denote an invoice or a credit note. */
export const INVOICE_TYPE_CODES: ReadonlySet<string> = new Set([
  '71', '80', '81', '82', '83', '84', '102', '130', '202', '203', '204', '211', '218', '219', '261', '262', '295', '296',
  '308', '325', '326', '380', '381', '383', '384', '385', '386', '387', '388', '389', '390', '393', '394', '395', '396',
  '420', '456', '457', '458', '527', '532', '553', '575', '623', '633', '751', '780', '817', '870', '875', '876', '877', '935',
]);

/** Credit-note codes of UNTDID 1001 (pivot Type 381); every other invoice code is pivot Type 380. */
export const CREDIT_NOTE_TYPE_CODES: ReadonlySet<string> = new Set(['81', '83', '261', '262', '296', '308', '381', '396', '420', '458', '532']);

/** A PDF by its bytes: a PNG declared application/pdf, or named .pdf, is no invoice PDF. */
function looksPdf(a: Attachment): boolean {
  if (!a.content || a.content.length < 5) return false;
  return looksLikePdf(Buffer.from(a.content.subarray(0, 1024)).toString('latin1'));
}

export function isInvoiceDocument(a: Attachment, inv: Invoice): boolean {
  if (a.pivot?.typePJ !== undefined) return a.pivot.typePJ === '01';
  if (a.content === undefined || !looksPdf(a)) return false;
  // typeCode 130 is read as BT-18 and never reaches the attachment list
  if (a.typeCode !== undefined && INVOICE_TYPE_CODES.has(a.typeCode.trim())) return true;
  if (inv.lines.length === 0) {
    const firstPdf = inv.attachments.find((x) => x.content !== undefined && looksPdf(x));
    return firstPdf === a;
  }
  return false;
}
