/**
 * The Factur-X's document information (Info /Title, /Author, /Subject, and the XMP that must
 * equal them) names the seller: a name of any length made them as long. Found by the ingest
 * fuzz's values of a megabyte (test/validation/ingest-fuzz.test.ts): a UBL whose seller
 * RegistrationName was 1 MB was accepted with a Factur-X of 15 MB — its name three times in
 * the Info dictionary as UTF-16 hex and three times in the XMP —, over the 10 MB Chorus Pro
 * allows an attachment, with strings past PDF/A's implementation limit (32,767 bytes), and a
 * pivot whose base64 text of 20 MB libxml2 (xmllint, the official XSD's oracle) refuses to read
 * ("huge text node"). The seller's name is now cut there at 200 characters (whole characters,
 * "…"); the pages and the CII keep it as they always did (cut to four lines on the page, whole
 * in the XML).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PDFDocument, PDFHexString, PDFName, PDFString, PDFDict } from 'pdf-lib';
import { makeFacturX } from '../../src/transform/facturx/make';
import { parseFlux } from '../../src/transform/parse/flux';
import { SCHEMAS } from '../helpers/corpus';
import { bundledConfig, FIXTURES_INBOX, runFileOnce, tempDir } from '../helpers/run';
import { validateFiles } from '../helpers/xsd';

const UBL = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8');
const withSeller = (name: string) => UBL.replace('<cbc:RegistrationName>Papeterie Lemoine SAS</cbc:RegistrationName>', `<cbc:RegistrationName>${name}</cbc:RegistrationName>`);

async function info(pdf: Uint8Array): Promise<Record<string, string>> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const dict = doc.context.lookup(doc.context.trailerInfo.Info, PDFDict);
  const out: Record<string, string> = {};
  for (const k of ['Title', 'Author', 'Subject']) {
    const v = dict.get(PDFName.of(k));
    out[k] = v instanceof PDFHexString || v instanceof PDFString ? v.decodeText() : String(v);
  }
  return out;
}

describe('a seller name of 100,000 characters', () => {
  it('is cut at 200 in the Factur-X metadata, the XMP saying the same; the PDF stays small', async () => {
    const flux = await parseFlux(Buffer.from(withSeller(`${'Papeterie '.repeat(10_000)}SAS`)));
    if (flux.kind === 'CPPStatut') throw new Error('an invoice expected');
    const { pdf } = await makeFacturX(flux.invoices[0]);
    expect(pdf.length).toBeLessThan(1 << 20);
    const i = await info(pdf);
    expect([...i.Author].length).toBeLessThanOrEqual(200);
    expect(i.Author).toMatch(/^Papeterie Papeterie .*…$/);
    expect(i.Title).toBe(`${i.Author} : Facture F-2026-0101`);
    expect(i.Subject).toBe(`Facture F-2026-0101 du 2026-11-02 émise par ${i.Author}`);
    // every string under PDF/A's 32,767 bytes; the XMP says what the Info says
    const file = path.join(tempDir('cf-long-seller-'), 'f.pdf');
    writeFileSync(file, pdf);
    const meta = spawnSync('pdfinfo', ['-meta', file], { encoding: 'utf8' }).stdout;
    expect(meta).toContain(`<rdf:li>${i.Author}</rdf:li>`);
    expect(meta.length).toBeLessThan(32_767);
  });

  it('a name that fits is written as before', async () => {
    const flux = await parseFlux(Buffer.from(withSeller(`Papeterie  Lemoine ${'é'.repeat(150)}`)));
    if (flux.kind === 'CPPStatut') throw new Error('an invoice expected');
    const i = await info((await makeFacturX(flux.invoices[0])).pdf);
    expect(i.Author).toBe(`Papeterie  Lemoine ${'é'.repeat(150)}`);
  });
});

it('run: a UBL whose seller name is 1 MB is accepted with a Factur-X under 10 MB, its pivot readable by the official XSD', async () => {
  const root = tempDir('cf-long-seller-run-');
  const config = bundledConfig(path.join(root, 'out'));
  const r = await runFileOnce(root, config, 'op-alpha', 'long-seller.xml', withSeller('A'.repeat(1_000_000)));
  expect(r.outcome).toBe('accepted');
  const pivot = path.join(config.paths.out, r.outputs.find((o) => o.kind === 'pivot')!.path);
  const xml = readFileSync(pivot, 'utf8');
  const fx = [...xml.matchAll(/<Contenu>([^<]*)<\/Contenu>\s*<NomPJ>[^<]*<\/NomPJ>\s*<CategoriePJ>DUPLICATA_FACTUR-X</g)];
  expect(fx).toHaveLength(1);
  expect(Buffer.from(fx[0][1], 'base64').length).toBeLessThan(10 * 1024 * 1024);
  expect(validateFiles(SCHEMAS.pivot, [pivot]).flatMap((v) => v.errors)).toEqual([]);
}, 120_000);
