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
import { CODES } from '../validate/codelists';
import { looksLikePdf } from './mime-sniff';

/** UNTDID 1001 document codes that denote an invoice or a credit note: the official schematron's lists (BR-CL-01). */
export const INVOICE_TYPE_CODES: ReadonlySet<string> = new Set([...CODES.invoiceTypeUbl, ...CODES.creditNoteTypeUbl, ...CODES.documentTypeCii]);

/** Credit-note codes of UNTDID 1001 (pivot Type 381): the official schematron's list for a UBL CreditNote; every other invoice code is pivot Type 380. */
export const CREDIT_NOTE_TYPE_CODES: ReadonlySet<string> = CODES.creditNoteTypeUbl;

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
