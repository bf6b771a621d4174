/**
 * Document type codes (BT-3) as the official schematron lists them (BR-CL-01): every credit-note
 * code of a UBL CreditNote is pivot Type 381 (502 and 503 went out as 380, invoices of the
 * same amounts), and an embedded PDF typed with any invoice or credit-note code is the E2
 * invoice document (382 or 503 made it a mere supporting document of an E1 flow).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pivotType } from '../../src/emit/pivot/mapping';
import { CODES } from '../../src/transform/validate/codelists';
import { parseFlux } from '../../src/transform/parse/flux';
import { isInvoiceDocument } from '../../src/transform/enrich/invoice-document';
import type { Invoice } from '../../src/model/invoice';

const FIXTURES = path.resolve(__dirname, '../../fixtures/inbox');
const creditNote = readFileSync(path.join(FIXTURES, 'op-alpha/avoir-e1-lycee.xml'), 'utf8');
const e2 = readFileSync(path.join(FIXTURES, 'op-beta/facture-e2-maintenance.xml'), 'utf8');

async function only(xml: string): Promise<Invoice> {
  const flux = await parseFlux(Buffer.from(xml));
  if (!('invoices' in flux)) throw new Error('not an invoice flux');
  return flux.invoices[0];
}

it('the official list of credit-note codes has 502 and 503, and each is pivot Type 381', async () => {
  expect([...CODES.creditNoteTypeUbl]).toEqual(expect.arrayContaining(['381', '261', '502', '503']));
  for (const code of CODES.creditNoteTypeUbl) {
    const inv = await only(creditNote.replace('<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>', `<cbc:CreditNoteTypeCode>${code}</cbc:CreditNoteTypeCode>`));
    expect([code, pivotType(inv)]).toEqual([code, '381']);
  }
});

it('an embedded PDF typed 382, 471 or 503 is the invoice document of an E2 flow', async () => {
  const typed = /(<cac:AdditionalDocumentReference>\s*<cbc:ID>[^<]*<\/cbc:ID>\s*<cbc:DocumentTypeCode>)(\d+)(<\/cbc:DocumentTypeCode>)/;
  expect(typed.test(e2)).toBe(true);
  for (const code of ['382', '471', '503', '380']) {
    const inv = await only(e2.replace(typed, `$1${code}$3`));
    const pdf = inv.attachments.find((a) => a.typeCode === code);
    expect(pdf).toBeDefined();
    expect([code, isInvoiceDocument(pdf!, inv)]).toEqual([code, true]);
  }
});
