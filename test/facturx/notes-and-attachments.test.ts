/**
 * Invoice notes (BG-1) and supporting documents (BG-24) from a UBL into the Factur-X, checked by
 * the official oracles (EN 16931 CII schematron, Factur-X EN 16931 schematron and XSD) and by
 * poppler reading the pages:
 * - a UBL note "#AAB#Pas d'escompte" (BT-21 as the prefix of BT-22, the binding the French
 *   rules BR-FR-05/06 read) became Content "#AAB#Pas d'escompte" without ram:SubjectCode;
 * - an attachment whose bytes contradict its declared mimeCode (a PNG sent as application/pdf)
 *   kept the declared type in the Factur-X while the pivot said image/png;
 * - a CII attachment without mimeCode (its XSD allows it) got application/octet-stream, which
 *   BR-CL-24 refuses and Factur-X's XSD needs;
 * - a note on several lines was drawn as one run of words.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Invoice } from '../../src/model/invoice';
import { makeFacturX } from '../../src/transform/facturx/make';
import { parseFlux } from '../../src/transform/parse/flux';
import { corpus } from '../helpers/corpus';
import { PAPETERIE, withAttachments } from '../helpers/ubl-attachments';
import { validateFiles } from '../helpers/xsd';
import { enFatal, fxErrors, saxonBatch, SCHEMATRON, XSD } from './oracles';
import { lines, pagesOf } from './page-words';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cf-notes-'));

async function invoiceOf(xml: string): Promise<Invoice> {
  const parsed = await parseFlux(Buffer.from(xml));
  if (parsed.kind === 'CPPStatut') throw new Error('not an invoice');
  return parsed.invoices[0];
}

const NOTES = [
  "#AAB#Pas d'escompte pour paiement anticipé",
  '#PMT#Indemnité forfaitaire pour frais de recouvrement : 40 €',
  '#PMD#Pénalités de retard : trois fois le taux légal',
  'Ordered through our website#Ordering information',
  'Première ligne de la note\nDeuxième ligne de la note\n\nTroisième ligne',
];

function ublWithNotes(): string {
  const src = readFileSync(PAPETERIE, 'utf8');
  const notes = NOTES.map((n) => `  <cbc:Note>${n}</cbc:Note>\n`).join('');
  const out = src.replace(/(  <cbc:Note>Fournitures scolaires[^<]*<\/cbc:Note>\n)/, `$1${notes}`);
  expect(out).not.toBe(src);
  return out;
}

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(40)]).toString('base64');

let fx: Awaited<ReturnType<typeof makeFacturX>>;
let inv: Invoice;
beforeAll(async () => {
  inv = await invoiceOf(withAttachments([{ id: 'PJ-1', name: 'photo.png', mime: 'application/pdf', data: PNG, description: 'Photo du colis' }], ublWithNotes()));
  fx = await makeFacturX(inv);
});

it('reads a UBL "#CODE#" note prefix as its subject code (BT-21), and the Factur-X passes the official rules', () => {
  expect(inv.notes).toEqual([
    { text: 'Fournitures scolaires — rentrée de novembre' },
    { subjectCode: 'AAB', text: "Pas d'escompte pour paiement anticipé" },
    { subjectCode: 'PMT', text: 'Indemnité forfaitaire pour frais de recouvrement : 40 €' },
    { subjectCode: 'PMD', text: 'Pénalités de retard : trois fois le taux légal' },
    // a '#' further on is text: the binding's code is a prefix
    { text: 'Ordered through our website#Ordering information' },
    { text: 'Première ligne de la note\nDeuxième ligne de la note\n\nTroisième ligne' },
  ]);
  expect(fx.problems).toEqual([]);
  const xml = fx.xml;
  expect(xml).toContain("<ram:IncludedNote>\n      <ram:Content>Pas d'escompte pour paiement anticipé</ram:Content>\n      <ram:SubjectCode>AAB</ram:SubjectCode>\n    </ram:IncludedNote>");
  expect(xml).toContain('<ram:SubjectCode>PMT</ram:SubjectCode>');
  expect(xml).not.toContain('#AAB#');

  const file = path.join(dir, 'notes.xml');
  writeFileSync(file, xml);
  expect(validateFiles(XSD['EN 16931'], [file])).toEqual([{ file, valid: true, errors: [] }]);
  const en = saxonBatch(SCHEMATRON.en16931Cii, new Map([['notes', xml]])).get('notes')!;
  expect(enFatal(en)).toEqual([]);
  const fxr = saxonBatch(SCHEMATRON.facturx['EN 16931'], new Map([['notes', xml]])).get('notes')!;
  expect(fxErrors(fxr)).toEqual([]);
});

it('labels an attachment in the Factur-X by its content, as the pivot does (a PNG sent as application/pdf)', () => {
  expect(fx.xml).toMatch(/<ram:AttachmentBinaryObject mimeCode="image\/png" filename="photo.png">/);
});

it('draws the code beside its note, and each line of a note on its own line', () => {
  const pdf = path.join(dir, 'notes.pdf');
  writeFileSync(pdf, fx.pdf);
  const drawn = pagesOf(pdf).flatMap(lines).map((l) => l.join(' '));
  expect(drawn).toContain("[AAB] Pas d'escompte pour paiement anticipé");
  expect(drawn).toContain('Première ligne de la note');
  expect(drawn).toContain('Deuxième ligne de la note');
  expect(drawn).toContain('Troisième ligne');
});

it('writes the mimeCode a CII attachment left out from its file name, so that the Factur-X is valid', async () => {
  const cii = readFileSync(corpus('en16931', 'cii-examples', 'CII_example1.xml'), 'utf8');
  const doc = `<ram:AdditionalReferencedDocument><ram:IssuerAssignedID>REL-1</ram:IssuerAssignedID><ram:TypeCode>916</ram:TypeCode><ram:Name>Relevé</ram:Name><ram:AttachmentBinaryObject filename="releve.csv">${Buffer.from('a;b\n1;2\n').toString('base64')}</ram:AttachmentBinaryObject></ram:AdditionalReferencedDocument>`;
  const source = cii.replace(/(<\/ram:BuyerTradeParty>)/, `$1${doc}`);
  expect(source).toContain('filename="releve.csv"');
  const inv = await invoiceOf(source);
  expect(inv.attachments.map((a) => [a.id, a.mimeCode, a.fileName])).toEqual([['REL-1', undefined, 'releve.csv']]);
  const fx = await makeFacturX(inv);
  expect(fx.xml).toContain('<ram:AttachmentBinaryObject mimeCode="text/csv" filename="releve.csv">');
  const en = saxonBatch(SCHEMATRON.en16931Cii, new Map([['csv', fx.xml]])).get('csv')!;
  expect(enFatal(en)).toEqual([]);
});

it('keeps every ram:Content of a CII note (D16B allows several, Factur-X one), with its subject code', async () => {
  const cii = readFileSync(corpus('en16931', 'cii-examples', 'CII_example1.xml'), 'utf8');
  const note = '<ram:IncludedNote><ram:Content>SARL au capital de 50 000 EUR</ram:Content><ram:Content>RCS Bordeaux 123 456 782</ram:Content><ram:SubjectCode>REG</ram:SubjectCode></ram:IncludedNote>';
  const source = cii.replace('</rsm:ExchangedDocument>', `${note}</rsm:ExchangedDocument>`);
  const inv = await invoiceOf(source);
  expect(inv.notes.find((n) => n.subjectCode === 'REG')).toEqual({ subjectCode: 'REG', text: 'SARL au capital de 50 000 EUR\nRCS Bordeaux 123 456 782' });
  const fx = await makeFacturX(inv);
  expect(fx.xml).toContain('<ram:Content>SARL au capital de 50 000 EUR\nRCS Bordeaux 123 456 782</ram:Content>\n      <ram:SubjectCode>REG</ram:SubjectCode>');
  const file = path.join(dir, 'two-contents.xml');
  writeFileSync(file, fx.xml);
  expect(validateFiles(XSD['EN 16931'], [file])).toEqual([{ file, valid: true, errors: [] }]);
});

it('names a CII document sent without a filename after its reference and its type, as the pivot does', async () => {
  const cii = readFileSync(corpus('en16931', 'cii-examples', 'CII_example1.xml'), 'utf8');
  const pdf = Buffer.from('%PDF-1.4\n%%EOF\n').toString('base64');
  const doc = `<ram:AdditionalReferencedDocument><ram:IssuerAssignedID>PV-12</ram:IssuerAssignedID><ram:TypeCode>916</ram:TypeCode><ram:Name>Procès-verbal de réception</ram:Name><ram:AttachmentBinaryObject mimeCode="application/pdf">${pdf}</ram:AttachmentBinaryObject></ram:AdditionalReferencedDocument>`;
  const inv = await invoiceOf(cii.replace(/(<\/ram:BuyerTradeParty>)/, `$1${doc}`));
  expect(inv.attachments.map((a) => [a.id, a.fileName])).toEqual([['PV-12', undefined]]);
  const fx = await makeFacturX(inv);
  expect(fx.xml).toContain('<ram:AttachmentBinaryObject mimeCode="application/pdf" filename="PV-12.pdf">');
});
