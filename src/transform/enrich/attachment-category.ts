/**
 * CategoriePJ from the documented table schemas/attachment-categories.json.
 */
import table from '../../../schemas/attachment-categories.json';
import type { Attachment } from '../../model/invoice';

function normalise(s: string): string {
  return ` ${s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()} `;
}

const KEYWORDS = table.byKeyword.map((r) => ({ category: r.category, words: r.keywords.map((k) => normalise(k)) }));

export function categoryOf(a: Attachment, isPdf: boolean): string {
  if (a.isInvoiceDocument) return isPdf ? table.invoiceDocument.pdf : table.invoiceDocument.other;
  const code = a.typeCode?.trim();
  if (code) {
    const hit = table.byTypeCode.find((r) => r.codes.includes(code));
    if (hit) return hit.category;
  }
  const text = normalise(`${a.description ?? ''} ${(a.fileName ?? '').replace(/\.[A-Za-z0-9]{1,10}$/, '')}`);
  for (const k of KEYWORDS) if (k.words.some((w) => text.includes(w))) return k.category;
  return table.default;
}

export const FACTURX_CATEGORY = table.facturx;
