/**
 * The PDF side of an inbound Factur-X: its XMP metadata says which profile it is
 * (fx:ConformanceLevel) and that it is PDF/A-3 (pdfaid:part). The invoice is read from the
 * embedded XML whatever they say, but a PDF whose metadata says BASIC around an EN 16931 XML,
 * or a plain PDF that is no PDF/A at all, went through without a word: now a warning each.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PDFDocument, PDFName } from 'pdf-lib';
import { facturxFindings } from '../helpers/facturx-findings';

const CII = readFileSync(path.resolve(__dirname, '../../../shared/corpus/en16931/cii-examples/CII_example1.xml'));

function xmp(level: string | undefined, part: string | undefined): string {
  return `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">${
    part === undefined ? '' : `<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"><pdfaid:part>${part}</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></rdf:Description>`
  }${level === undefined ? '' : `<rdf:Description rdf:about="" xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#" fx:DocumentType="INVOICE" fx:ConformanceLevel="${level}"/>`}</rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;
}

async function pdf(metadata: string | undefined): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.addPage();
  await doc.attach(CII, 'factur-x.xml', { mimeType: 'text/xml' });
  if (metadata !== undefined) doc.catalog.set(PDFName.of('Metadata'), doc.context.register(doc.context.stream(metadata, { Type: 'Metadata', Subtype: 'XML' })));
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

it('says nothing of a PDF/A-3 whose metadata names the profile of its XML', async () => {
  expect(await facturxFindings(await pdf(xmp('EN 16931', '3')))).toEqual([]);
});

it('warns of metadata that name another profile than the XML', async () => {
  expect(await facturxFindings(await pdf(xmp('BASIC', '3')))).toEqual([
    'FACTURX-XMP warning: The PDF says in its metadata that it is a Factur-X BASIC (fx:ConformanceLevel), but its factur-x.xml is EN 16931 (BT-24 urn:cen.eu:en16931:2017): the invoice is read from the XML; a reader that trusts the metadata takes it for another profile.',
  ]);
});

it('reads the PDF/A part from the PDF/A schema only (an accessible PDF also says pdfuaid:part 1)', async () => {
  const ua = xmp('EN 16931', '3').replace('<rdf:Description rdf:about="" xmlns:pdfaid', '<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" pdfuaid:part="1"/><rdf:Description rdf:about="" xmlns:pdfaid');
  expect(ua).toContain('pdfuaid:part="1"');
  expect(await facturxFindings(await pdf(ua))).toEqual([]);
  // the schema under another prefix, its part an attribute
  const other = xmp('EN 16931', undefined).replace('<rdf:RDF ', '<rdf:RDF ').replace('</rdf:RDF>', '<rdf:Description rdf:about="" xmlns:a="http://www.aiim.org/pdfa/ns/id/" a:part="3" a:conformance="B"/></rdf:RDF>');
  expect(await facturxFindings(await pdf(other))).toEqual([]);
});

it('warns of a PDF that does not say it is PDF/A-3, with or without metadata', async () => {
  expect(await facturxFindings(await pdf(undefined))).toEqual(['FACTURX-PDFA warning: The PDF does not say it is PDF/A-3 (no pdfaid:part 3 in its metadata): it is no Factur-X PDF. The invoice is read from its embedded XML and the PDF kept as sent.']);
  expect(await facturxFindings(await pdf(xmp('EN 16931', '1')))).toEqual(['FACTURX-PDFA warning: The PDF does not say it is PDF/A-3 (no pdfaid:part 3 in its metadata; it says part 1): it is no Factur-X PDF. The invoice is read from its embedded XML and the PDF kept as sent.']);
});
