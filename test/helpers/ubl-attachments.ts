/**
 * Builds UBL test invoices from a fixture with chosen AdditionalDocumentReference blocks.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const PAPETERIE = path.resolve(__dirname, '../../fixtures/inbox/op-alpha/facture-e1-papeterie.xml');

export interface TestAttachment {
  id: string;
  name?: string;
  mime?: string;
  data?: string; // base64 as written
  uri?: string;
  code?: string;
  description?: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

export function withAttachments(list: TestAttachment[], source = readFileSync(PAPETERIE, 'utf8'), number?: string): string {
  const blocks = list
    .map((a) => {
      const parts = [`  <cac:AdditionalDocumentReference>`, `    <cbc:ID>${esc(a.id)}</cbc:ID>`];
      if (a.code) parts.push(`    <cbc:DocumentTypeCode>${a.code}</cbc:DocumentTypeCode>`);
      if (a.description) parts.push(`    <cbc:DocumentDescription>${esc(a.description)}</cbc:DocumentDescription>`);
      parts.push('    <cac:Attachment>');
      if (a.data !== undefined) {
        const attrs = [a.mime ? `mimeCode="${esc(a.mime)}"` : '', a.name !== undefined ? `filename="${esc(a.name)}"` : ''].filter(Boolean).join(' ');
        parts.push(`      <cbc:EmbeddedDocumentBinaryObject ${attrs}>${a.data}</cbc:EmbeddedDocumentBinaryObject>`);
      }
      if (a.uri) parts.push(`      <cac:ExternalReference><cbc:URI>${esc(a.uri)}</cbc:URI></cac:ExternalReference>`);
      parts.push('    </cac:Attachment>', '  </cac:AdditionalDocumentReference>');
      return parts.join('\n');
    })
    .join('\n');
  let out = source.replace('  <cac:AccountingSupplierParty>', `${blocks}\n  <cac:AccountingSupplierParty>`);
  if (number) out = out.replace(/<cbc:ID>F-2026-0101<\/cbc:ID>/, `<cbc:ID>${number}</cbc:ID>`);
  return out;
}
