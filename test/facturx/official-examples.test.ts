/**
 * Every official EN 16931 example (18 UBL, 15 CII) → a Factur-X EN 16931, checked by oracles
 * that share no code with the generator: xmllint against the Factur-X EN16931 XSD, Saxon-HE
 * with the official EN 16931 CII schematron and the Factur-X EN16931 schematron, qpdf --check,
 * poppler's pdfdetach / pdfinfo / pdffonts, and libxml2 XPath for the totals.
 */
import Big from 'big.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFString, decodePDFRawStream } from 'pdf-lib';
import { makeFacturX, type FacturXResult } from '../../src/transform/facturx/make';
import { parseFlux } from '../../src/transform/parse/flux';
import type { Invoice } from '../../src/model/invoice';
import { corpusFiles } from '../helpers/corpus';
import { validateFiles } from '../helpers/xsd';
import { xpath } from '../helpers/xpath';
import { enFatal, fxErrors, run, saxonBatch, SCHEMATRON, XSD, type Svrl } from './oracles';

const SOURCES = [...corpusFiles('en16931/ubl-examples', /\.(xml|XML)$/), ...corpusFiles('en16931/cii-examples')];

interface Made {
  source: string;
  name: string;
  invoice: Invoice;
  result: FacturXResult;
  pdfPath: string;
  xmlPath: string;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'cf-fx-official-'));
const made = new Map<string, Made>();
let xsd: Map<string, { valid: boolean; errors: string[] }>;
let en: Map<string, Svrl>;
let fx: Map<string, Svrl>;

const key = (f: string) => `${path.basename(path.dirname(f)).slice(0, 3)}-${path.basename(f)}`;

beforeAll(async () => {
  for (const source of SOURCES) {
    const parsed = await parseFlux(readFileSync(source));
    if (parsed.kind === 'CPPStatut') throw new Error('not an invoice');
    const invoice = parsed.invoices[0];
    const result = await makeFacturX(invoice, { profile: 'EN 16931' });
    const name = key(source);
    const pdfPath = path.join(dir, `${name}.pdf`);
    const xmlPath = path.join(dir, `${name}.factur-x.xml`);
    writeFileSync(pdfPath, result.pdf);
    writeFileSync(xmlPath, result.xml);
    made.set(name, { source, name, invoice, result, pdfPath, xmlPath });
  }
  const docs = new Map([...made.values()].map((m) => [m.name, m.result.xml]));
  const files = [...made.values()].map((m) => m.xmlPath);
  const v = validateFiles(XSD['EN 16931'], files);
  xsd = new Map([...made.values()].map((m, k) => [m.name, v[k]]));
  en = saxonBatch(SCHEMATRON.en16931Cii, docs);
  fx = saxonBatch(SCHEMATRON.facturx['EN 16931'], docs);
}, 240_000);

it('covers the 33 official examples', () => {
  expect(SOURCES).toHaveLength(33);
  expect(made.size).toBe(33);
});

const names = SOURCES.map((s) => [key(s)]);

describe.each(names)('%s', (name) => {
  const m = () => made.get(name) as Made;

  it('has no missing mandatory data for EN 16931', () => {
    expect(m().result.problems).toEqual([]);
    expect(m().result.profile).toBe('EN 16931');
  });

  it('embeds XML valid against the Factur-X EN16931 XSD', () => {
    expect(xsd.get(name)?.errors ?? []).toEqual([]);
    expect(xsd.get(name)?.valid).toBe(true);
  });

  it('passes the official EN 16931 CII schematron (no fatal)', () => {
    expect(enFatal(en.get(name) as Svrl).map((f) => `${f.id} ${f.text}`)).toEqual([]);
  });

  it('passes the Factur-X EN16931 schematron (no error, no element outside the profile)', () => {
    expect(fxErrors(fx.get(name) as Svrl).map((f) => `${f.id ?? ''} ${f.text}`)).toEqual([]);
  });

  it('is a sound PDF for qpdf, with every font embedded as a subset', () => {
    const q = run('qpdf', ['--check', m().pdfPath]);
    expect(q.stderr).toBe('');
    expect(q.status).toBe(0);
    expect(q.stdout).toMatch(/No syntax or stream encoding errors found/);
    const fonts = run('pdffonts', [m().pdfPath]).stdout.trim().split('\n').slice(2);
    expect(fonts.length).toBeGreaterThanOrEqual(1);
    for (const line of fonts) {
      expect(line).toMatch(/^[A-Z]{6}\+DejaVuSans\S*\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    }
  });

  it('gives back through pdfdetach the XML it embedded, byte for byte', () => {
    const list = run('pdfdetach', ['-list', m().pdfPath]).stdout;
    expect(list).toMatch(/1 embedded files?\n1: factur-x\.xml/);
    const out = path.join(dir, `${name}.detached.xml`);
    expect(run('pdfdetach', ['-save', '1', '-o', out, m().pdfPath]).status).toBe(0);
    expect(Buffer.compare(readFileSync(out), Buffer.from(m().result.xml, 'utf8'))).toBe(0);
  });

  it('declares PDF/A-3B and Factur-X EN 16931 in the XMP, with an Info dictionary that says the same', () => {
    const meta = run('pdfinfo', ['-meta', m().pdfPath]).stdout;
    expect(meta).toContain('<pdfaid:part>3</pdfaid:part>');
    expect(meta).toContain('<pdfaid:conformance>B</pdfaid:conformance>');
    expect(meta).toContain('<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>');
    expect(meta).toContain('<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>');
    expect(meta).toContain('<fx:DocumentType>INVOICE</fx:DocumentType>');
    expect(meta).toContain('<fx:Version>1.0</fx:Version>');
    expect(meta).toContain('<pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>');
    const info = Object.fromEntries(
      run('pdfinfo', ['-isodates', m().pdfPath]).stdout.split('\n').map((l) => {
        const i = l.indexOf(':');
        return [l.slice(0, i).trim(), l.slice(i + 1).trim()];
      }),
    );
    const unxml = (s: string | undefined) => (s ?? '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    const x = (re: RegExp) => unxml(re.exec(meta)?.[1]);
    expect(info.Title).toBe(x(/<dc:title><rdf:Alt><rdf:li xml:lang="x-default">([^<]*)</));
    expect(info.Author).toBe(x(/<dc:creator><rdf:Seq><rdf:li>([^<]*)</));
    expect(info.Subject).toBe(x(/<dc:description><rdf:Alt><rdf:li xml:lang="x-default">([^<]*)</));
    expect(info.Keywords).toBe(x(/<pdf:Keywords>([^<]*)</));
    expect(info.Creator).toBe(x(/<xmp:CreatorTool>([^<]*)</));
    expect(info.Producer).toBe(x(/<pdf:Producer>([^<]*)</));
    const created = x(/<xmp:CreateDate>([^<]*)</);
    expect(created).toMatch(/^\d{4}-\d\d-\d\dT00:00:00\+00:00$/);
    expect(created.startsWith(m().invoice.issueDate as string)).toBe(true);
    // poppler prints the Info dates in ISO 8601: the same instants as the XMP
    expect(Date.parse(info.CreationDate)).toBe(Date.parse(created));
    expect(Date.parse(info.ModDate)).toBe(Date.parse(x(/<xmp:ModifyDate>([^<]*)</)));
    expect(info.Pages).toBe(String(m().result.pages));
  });

  it('has the PDF/A-3 structure: /AF, filespec, OutputIntent with an sRGB ICC profile, trailer /ID', async () => {
    const doc = await PDFDocument.load(m().result.pdf, { updateMetadata: false });
    const cat = doc.catalog;
    const af = cat.lookup(PDFName.of('AF'), PDFArray);
    expect(af.size()).toBe(1);
    const spec = af.lookup(0, PDFDict);
    expect(spec.get(PDFName.of('AFRelationship'))).toBe(PDFName.of('Alternative'));
    expect((spec.lookup(PDFName.of('F')) as PDFString).decodeText()).toBe('factur-x.xml');
    expect(spec.lookup(PDFName.of('UF'))).toBeInstanceOf(PDFString); // a literal, as the official samples: pdfdetach -savefile matches it
    expect((spec.lookup(PDFName.of('UF')) as PDFString).decodeText()).toBe('factur-x.xml');
    const ef = spec.lookup(PDFName.of('EF'), PDFDict).lookup(PDFName.of('F')) as PDFRawStream;
    expect(ef.dict.get(PDFName.of('Subtype'))).toBe(PDFName.of('text/xml'));
    expect(ef.dict.get(PDFName.of('Subtype'))?.toString()).toBe('/text#2Fxml');
    const params = ef.dict.lookup(PDFName.of('Params'), PDFDict);
    expect(params.get(PDFName.of('Size'))?.toString()).toBe(String(Buffer.byteLength(m().result.xml)));
    expect((params.lookup(PDFName.of('ModDate')) as PDFString).asString()).toMatch(/^D:\d{14}\+00'00'$/);
    expect(Buffer.from(decodePDFRawStream(ef).decode()).toString('utf8')).toBe(m().result.xml);
    const names = cat.lookup(PDFName.of('Names'), PDFDict).lookup(PDFName.of('EmbeddedFiles'), PDFDict).lookup(PDFName.of('Names'), PDFArray);
    expect((names.lookup(0) as PDFString).decodeText()).toBe('factur-x.xml');
    const intent = cat.lookup(PDFName.of('OutputIntents'), PDFArray).lookup(0, PDFDict);
    expect(intent.get(PDFName.of('S'))).toBe(PDFName.of('GTS_PDFA1'));
    const icc = intent.lookup(PDFName.of('DestOutputProfile')) as PDFRawStream;
    expect(icc.dict.get(PDFName.of('N'))?.toString()).toBe('3');
    const profile = Buffer.from(decodePDFRawStream(icc).decode());
    expect(profile.subarray(36, 40).toString('latin1')).toBe('acsp');
    expect(profile.subarray(16, 20).toString('latin1')).toBe('RGB ');
    expect(profile.readUInt32BE(0)).toBe(profile.length);
    const md = cat.lookup(PDFName.of('Metadata')) as PDFRawStream;
    expect(md.dict.get(PDFName.of('Filter'))).toBeUndefined();
    const id = doc.context.trailerInfo.ID as PDFArray;
    expect(id.size()).toBe(2);
    expect(id.get(0).toString()).toMatch(/^<[0-9a-f]{32}>$/);
    expect(id.get(0).toString()).toBe(id.get(1).toString());
  });

  it('carries the totals of the source (BT-106, BT-109, BT-110, BT-112, BT-115)', () => {
    const src = m().source;
    const ubl = m().name.startsWith('ubl');
    const s = (expr: string) => xpath(src, `string(${expr})`);
    const e = (local: string) => xpath(m().xmlPath, `string(//*[local-name()='SpecifiedTradeSettlementHeaderMonetarySummation']/*[local-name()='${local}'])`);
    const eTax = () => xpath(m().xmlPath, `string(//*[local-name()='SpecifiedTradeSettlementHeaderMonetarySummation']/*[local-name()='TaxTotalAmount'][@currencyID=//*[local-name()='InvoiceCurrencyCode']])`);
    const pairs: [string, string][] = ubl
      ? [
          [s(`/*/*[local-name()='LegalMonetaryTotal']/*[local-name()='LineExtensionAmount']`), e('LineTotalAmount')],
          [s(`/*/*[local-name()='LegalMonetaryTotal']/*[local-name()='TaxExclusiveAmount']`), e('TaxBasisTotalAmount')],
          [s(`/*/*[local-name()='TaxTotal']/*[local-name()='TaxAmount'][@currencyID=/*/*[local-name()='DocumentCurrencyCode']]`), eTax()],
          [s(`/*/*[local-name()='LegalMonetaryTotal']/*[local-name()='TaxInclusiveAmount']`), e('GrandTotalAmount')],
          [s(`/*/*[local-name()='LegalMonetaryTotal']/*[local-name()='PayableAmount']`), e('DuePayableAmount')],
        ]
      : ['LineTotalAmount', 'TaxBasisTotalAmount', 'GrandTotalAmount', 'DuePayableAmount'].map((l) => [
          s(`//*[local-name()='SpecifiedTradeSettlementHeaderMonetarySummation']/*[local-name()='${l}']`),
          e(l),
        ]);
    if (!ubl) {
      pairs.push([
        s(`//*[local-name()='SpecifiedTradeSettlementHeaderMonetarySummation']/*[local-name()='TaxTotalAmount'][@currencyID=//*[local-name()='InvoiceCurrencyCode'] or not(@currencyID)]`),
        eTax(),
      ]);
    }
    for (const [from, to] of pairs) {
      if (from === '') {
        expect(to).toBe('');
        continue;
      }
      expect(new Big(to).eq(new Big(from))).toBe(true);
    }
  });
});

it('is deterministic: the same invoice gives the same bytes', async () => {
  for (const m of [...made.values()].slice(0, 4)) {
    const again = await makeFacturX(m.invoice, { profile: 'EN 16931' });
    expect(Buffer.compare(Buffer.from(again.pdf), Buffer.from(m.result.pdf))).toBe(0);
  }
});
