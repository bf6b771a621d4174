/**
 * The NomPJ of an attachment agrees with what it is, found by an independent check:
 * - PNG bytes named "photo.pdf" went out as photo.pdf typed image/png;
 * - an address's last segment kept its percent-escapes (PV_20de_20reception.pdf);
 * - a deposited pivot's second "facture.pdf", renamed facture_2.pdf, lost the name it was given.
 * And what the bytes cannot tell apart keeps its name: an .xls (OLE2 reads as msword), a .docx
 * whose parts lie past the first kilobytes (reads as zip).
 */
import { typeAttachments } from '../../src/transform/enrich/attachments';
import type { Attachment } from '../../src/model/invoice';
import { isPdf, parseFlux } from '../../src/transform/parse/flux';
import { sniffMime } from '../../src/transform/enrich/mime-sniff';
import { withAttachments } from '../helpers/ubl-attachments';

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64)]);
const PDF = Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const OLE = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(64)]);
const ZIP = Buffer.concat([Buffer.from('504b0304', 'hex'), Buffer.alloc(70_000)]);

const typed = (list: Attachment[]) => typeAttachments(list);

it('names an attachment by what its bytes are when its given extension says otherwise', () => {
  const r = typed([{ fileName: 'photo.pdf', mimeCode: 'application/pdf', content: PNG }]);
  expect(r.attachments[0].pivot).toMatchObject({ nomPJ: 'photo.png', mimeTypePJ: 'image/png', nomPJOrigine: 'photo.pdf' });
});

it('keeps a given extension the bytes agree with, or cannot tell from their container', () => {
  const r = typed([
    { fileName: 'devis.PDF', mimeCode: 'application/pdf', content: PDF },
    { fileName: 'tableau.xls', mimeCode: 'application/vnd.ms-excel', content: OLE },
    { fileName: 'rapport.docx', mimeCode: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', content: ZIP },
  ]);
  expect(r.attachments.map((a) => a.pivot?.nomPJ)).toEqual(['devis.pdf', 'tableau.xls', 'rapport.docx']);
});

it('decodes the last segment of an address', () => {
  const r = typed([{ id: 'PV', uri: 'https://exemple.fr/docs/PV%20de%20r%C3%A9ception.pdf?v=2' }]);
  expect(r.attachments[0].pivot).toMatchObject({ nomPJ: 'PV_de_reception.pdf', idUnique: 'https://exemple.fr/docs/PV%20de%20r%C3%A9ception.pdf?v=2' });
});

it('keeps the name a deposited pivot gave an attachment it renames to be unique', () => {
  const pj = (nomPJ: string, typePJ: '01' | '02'): Attachment => ({ fileName: nomPJ, content: PDF, isInvoiceDocument: typePJ === '01', pivot: { nomPJ, typePJ, mimeTypePJ: 'application/pdf', categoriePJ: 'Facture PDF' } });
  const r = typed([pj('facture.pdf', '01'), pj('facture.pdf', '02'), pj('FACTURE.PDF', '02')]);
  expect(r.attachments.map((a) => [a.pivot?.nomPJ, a.pivot?.nomPJOrigine])).toEqual([
    ['facture.pdf', undefined],
    ['facture_2.pdf', 'facture.pdf'],
    ['FACTURE_3.PDF', 'FACTURE.PDF'],
  ]);
});

// found by the same check: the invoice document was told by its declared type or name (a PNG
// declared application/pdf became the E2 invoice PDF), and two PDFs coded 380 were both TypePJ 01
describe('the invoice document of a UBL', () => {
  const PDF_B64 = PDF.toString('base64');
  const PNG_B64 = PNG.toString('base64');
  const kindAndDocuments = async (xml: string) => {
    const r = await parseFlux(Buffer.from(xml));
    if (!('invoices' in r)) throw new Error('not an invoice flux');
    return [r.kind, r.invoices[0].attachments.filter((a) => a.isInvoiceDocument).map((a) => a.fileName)];
  };
  it('is a PDF by its bytes', async () => {
    expect(await kindAndDocuments(withAttachments([{ id: 'F', name: 'facture.pdf', mime: 'application/pdf', code: '380', data: PNG_B64 }]))).toEqual(['IN_DP_E1_UBL_INVOICE', []]);
    expect(await kindAndDocuments(withAttachments([{ id: 'F', name: 'facture.bin', mime: 'application/octet-stream', code: '380', data: PDF_B64 }]))).toEqual(['IN_DP_E2_UBL_INVOICE_MIN', ['facture.bin']]);
  });
  it('is one: the first PDF coded as an invoice', async () => {
    const two = withAttachments([
      { id: 'F1', name: 'facture.pdf', mime: 'application/pdf', code: '380', data: PDF_B64 },
      { id: 'F2', name: 'copie.pdf', mime: 'application/pdf', code: '380', data: PDF_B64 },
    ]);
    expect(await kindAndDocuments(two)).toEqual(['IN_DP_E2_UBL_INVOICE_MIN', ['facture.pdf']]);
  });
});

// found by review: the %PDF- test was mended for the flux, not for attachments
it('tells a PDF from an XML that mentions one, the same way for a flux and an attachment', () => {
  const xml = Buffer.from('<?xml version="1.0"?><note>voir le fichier (%PDF-1.7)</note>');
  expect(sniffMime(xml)?.mime).toBe('application/xml');
  expect(isPdf(xml)).toBe(false);
  const junkFirst = Buffer.concat([Buffer.from([0x00, 0x3c, 0x0d, 0x7f]), PDF]); // junk holding a "<", not starting with one
  expect(sniffMime(junkFirst)?.mime).toBe('application/pdf');
  expect(isPdf(junkFirst)).toBe(true);
  const r = typed([{ fileName: 'annexe.xml', mimeCode: 'application/xml', content: xml }]);
  expect(r.attachments[0].pivot).toMatchObject({ nomPJ: 'annexe.xml', mimeTypePJ: 'application/xml' });
});

// found by review: starts that other files share renamed them
it('keeps a name an unsure start does not contradict: an SVG, an XHTML page, a CSV beginning "BM"', () => {
  const r = typed([
    { fileName: 'logo.svg', mimeCode: 'image/svg+xml', content: Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>') },
    { fileName: 'page.xhtml', mimeCode: 'application/xhtml+xml', content: Buffer.from('<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>') },
    { fileName: 'BMW-releve.csv', mimeCode: 'text/csv', content: Buffer.from('BMW;X5;2026\n') },
  ]);
  expect(r.attachments.map((a) => [a.pivot?.nomPJ, a.pivot?.mimeTypePJ])).toEqual([
    ['logo.svg', 'image/svg+xml'],
    ['page.xhtml', 'application/xhtml+xml'],
    ['BMW-releve.csv', 'text/csv'],
  ]);
});
