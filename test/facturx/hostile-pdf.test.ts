/**
 * PDFs built to hurt the reader, not damaged by accident: a name tree that lists itself (ten
 * kids, each the node itself: 10^20 visits under a depth bound alone, which hung `run` and
 * `validate` for ever on 476 bytes) and a compression bomb (1.5 MB of deflated zeros that
 * inflated to 1.5 GB, 4 GB of RSS, then a wrong reason). Each is now a refusal in a moment.
 * And a PDF with two different invoices embedded: the first was taken, silently.
 */
import { deflateSync } from 'node:zlib';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isFluxError } from '../../src/model/flux-error';
import { parseFlux, type ParseOptions } from '../../src/transform/parse/flux';
import { cli } from '../helpers/cli';
import { bundledConfig, listFiles, runOnce, tempDir } from '../helpers/run';
import { pdfText } from '../helpers/pdf-mutations';
import { xpath } from '../helpers/xpath';

/** A PDF of the given objects (1 is the catalog), with a correct cross-reference table. */
function pdfOf(objects: Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let size = parts[0].length;
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(size);
    const b = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), o, Buffer.from('\nendobj\n')]);
    parts.push(b);
    size += b.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`, ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${size}\n%%EOF\n`));
  return Buffer.concat(parts);
}

const PAGES = ['<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 4 0 R >> >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>'].map((s) => Buffer.from(s));

/** A name tree node (object 4) that is ten times its own kid. */
const kidsBomb = () => pdfOf([...PAGES, Buffer.from(`<< /Kids [${Array(10).fill('4 0 R').join(' ')}] >>`)]);

/** A Factur-X whose factur-x.xml is `bytes` bytes of zeros, deflated. */
function flateBomb(bytes: number): Buffer {
  const z = deflateSync(Buffer.alloc(bytes), { level: 9 });
  return pdfOf([
    ...PAGES,
    Buffer.from('<< /Names [(factur-x.xml) 5 0 R] >>'),
    Buffer.from('<< /Type /Filespec /F (factur-x.xml) /UF (factur-x.xml) /EF << /F 6 0 R >> >>'),
    Buffer.concat([Buffer.from(`<< /Type /EmbeddedFile /Filter /FlateDecode /Length ${z.length} >>\nstream\n`), z, Buffer.from('\nendstream')]),
  ]);
}

/** A Factur-X whose /AF lists `specs` file specifications of factur-x.xml, all naming one stream of `xml` (deflated). */
function oneStreamNamedMany(specs: number, xml: Buffer): Buffer {
  const z = deflateSync(xml, { level: 9 });
  return pdfOf([
    Buffer.from(`<< /Type /Catalog /Pages 2 0 R /AF [${Array.from({ length: specs }, (_, k) => `${5 + k} 0 R`).join(' ')}] >>`),
    ...PAGES.slice(1),
    Buffer.concat([Buffer.from(`<< /Type /EmbeddedFile /Filter /FlateDecode /Length ${z.length} >>\nstream\n`), z, Buffer.from('\nendstream')]),
    ...Array.from({ length: specs }, () => Buffer.from('<< /Type /Filespec /F (factur-x.xml) /UF (factur-x.xml) /EF << /F 4 0 R >> >>')),
  ]);
}

/** A Factur-X embedding `copies` streams of the same `xml`, each under its own factur-x.xml file specification. */
function sameXmlManyStreams(copies: number, xml: Buffer): Buffer {
  const z = deflateSync(xml, { level: 9 });
  return pdfOf([
    Buffer.from(`<< /Type /Catalog /Pages 2 0 R /AF [${Array.from({ length: copies }, (_, k) => `${4 + 2 * k} 0 R`).join(' ')}] >>`),
    ...PAGES.slice(1),
    ...Array.from({ length: copies }, (_, k) => [
      Buffer.from(`<< /Type /Filespec /F (factur-x.xml) /UF (factur-x.xml) /EF << /F ${5 + 2 * k} 0 R >> >>`),
      Buffer.concat([Buffer.from(`<< /Type /EmbeddedFile /Filter /FlateDecode /Length ${z.length} >>\nstream\n`), z, Buffer.from('\nendstream')]),
    ]).flat(),
  ]);
}

async function refusal(bytes: Buffer, opts?: ParseOptions): Promise<{ rule: string; message: string }> {
  try {
    await parseFlux(bytes, opts);
  } catch (e) {
    if (!isFluxError(e)) throw new Error(`not a FluxError: ${(e as Error).stack}`);
    return { rule: e.rule, message: e.message };
  }
  throw new Error('accepted');
}

/** A PDF embedding each of `files` (name, content) in its EmbeddedFiles name tree. */
function withEmbedded(files: [string, string][]): Buffer {
  const names = files.map((f, k) => `(${f[0]}) ${5 + 2 * k} 0 R`).join(' ');
  const objects = files.flatMap(([name, content], k) => [
    Buffer.from(`<< /Type /Filespec /F (${name}) /UF (${name}) /EF << /F ${6 + 2 * k} 0 R >> >>`),
    Buffer.from(`<< /Type /EmbeddedFile /Length ${Buffer.byteLength(content)} >>\nstream\n${content}\nendstream`),
  ]);
  return pdfOf([...PAGES, Buffer.from(`<< /Names [${names}] >>`), ...objects]);
}

describe('hostile PDFs', () => {
  it('a name tree that is its own kid is walked once per node', async () => {
    expect(kidsBomb().length).toBeLessThan(600);
    expect(await refusal(kidsBomb())).toEqual({ rule: 'FLUX-FACTURX-NOXML', message: expect.stringMatching(/^The PDF holds no embedded factur-x\.xml/) });
  });

  it('an embedded XML that inflates past the limit is refused as too large, not read further', async () => {
    const bomb = flateBomb(8 << 20);
    expect(bomb.length).toBeLessThan(20_000);
    expect(await refusal(bomb, { maxEmbeddedBytes: 4 << 20 })).toEqual({
      rule: 'FLUX-TAILLE',
      message: `The embedded file "factur-x.xml" decompresses to more than ${4 << 20} bytes (the limit of an invoice with its attachments); it is not read further.`,
    });
    // under the limit it is read whole, and judged for what it is (zeros are not XML)
    expect((await refusal(bomb, { maxEmbeddedBytes: 9 << 20 })).rule).not.toBe('FLUX-TAILLE');
  });

  it('the default limit is the invoice limit (120 MB): a 1.5 GB bomb stops there', async () => {
    const before = process.memoryUsage().rss;
    const r = await refusal(flateBomb(130 << 20));
    expect(r.rule).toBe('FLUX-TAILLE');
    expect(r.message).toContain('more than 125829120 bytes');
    // what was inflated is dropped with the refusal (the old reader held all of it, 4 GB of RSS)
    expect(process.memoryUsage().rss - before).toBeLessThan(600 << 20);
  });

  // found by an audit: each file specification's stream was decoded anew, so a 75 KB PDF naming one
  // stream of 50 MB 200 times took 44 s of CPU (an hour for 20,000), under every size limit
  it('a stream named by many file specifications is decoded once', async () => {
    const cii = readFileSync(path.resolve(__dirname, '../../../shared/corpus/en16931/cii-examples/CII_example1.xml'));
    // the invoice, then 8 MB of white space (allowed after the root element)
    const pdf = oneStreamNamedMany(1000, Buffer.concat([cii, Buffer.alloc(8 << 20, 0x20)]));
    expect(pdf.length).toBeLessThan(200_000);
    // CPU time, not wall time: 3.7 s alone, 10 s of wall on a machine running the whole suite
    const cpu = process.cpuUsage();
    const parsed = await parseFlux(pdf);
    const spent = process.cpuUsage(cpu);
    expect((spent.user + spent.system) / 1000).toBeLessThan(10_000); // 8 GB to inflate before: about 35 s
    expect(parsed.kind === 'IN_DP_E2_CII_FACTURX' && parsed.invoices[0].number).toBe('12115118');
  }, 180_000);

  it('copies of one invoice in as many streams share the size limit', async () => {
    const cii = readFileSync(path.resolve(__dirname, '../../../shared/corpus/en16931/cii-examples/CII_example1.xml'));
    const pdf = sameXmlManyStreams(20, Buffer.concat([cii, Buffer.alloc(3 << 20, 0x20)]));
    expect(await refusal(pdf, { maxEmbeddedBytes: 8 << 20 })).toEqual({
      rule: 'FLUX-TAILLE',
      message: `The embedded invoice files ("factur-x.xml" and those read before it) decompress to more than ${8 << 20} bytes (the limit of an invoice with its attachments); it is not read further.`,
    });
    // two copies fit: the same invoice, taken once
    const two = await parseFlux(sameXmlManyStreams(2, Buffer.concat([cii, Buffer.alloc(3 << 20, 0x20)])), { maxEmbeddedBytes: 8 << 20 });
    expect(two.kind === 'IN_DP_E2_CII_FACTURX' && two.invoices[0].number).toBe('12115118');
  });

  it('two different invoices embedded in one PDF are refused as ambiguous; the same one under two names is taken', async () => {
    const cii = readFileSync(path.resolve(__dirname, '../../../shared/corpus/en16931/cii-examples/CII_example1.xml'), 'utf8');
    const other = cii.replace(/<ram:ID>([^<]*)<\/ram:ID>/, '<ram:ID>$1-AUTRE</ram:ID>');
    expect(other).not.toBe(cii);
    expect(await refusal(withEmbedded([['factur-x.xml', cii], ['factur-x.xml', other]]))).toEqual({
      rule: 'FLUX-FACTURX-AMBIGU',
      message: 'The PDF embeds different invoice files (factur-x.xml, factur-x.xml): which one is the invoice cannot be told. Send a Factur-X with one.',
    });
    expect((await refusal(withEmbedded([['factur-x.xml', cii], ['zugferd-invoice.xml', other]]))).rule).toBe('FLUX-FACTURX-AMBIGU');
    const same = await parseFlux(withEmbedded([['zugferd-invoice.xml', cii], ['factur-x.xml', cii]]));
    expect([same.kind, same.kind === 'IN_DP_E2_CII_FACTURX' && 'embeddedXmlName' in same ? same.embeddedXmlName : undefined]).toEqual(['IN_DP_E2_CII_FACTURX', 'factur-x.xml']);
    // one copy saved with a byte-order mark and CRLF line ends is still the same invoice (it was refused as two)
    const saved = await parseFlux(withEmbedded([['zugferd-invoice.xml', `\ufeff${cii.replace(/\n/g, '\r\n')}`], ['factur-x.xml', cii]]));
    expect([saved.kind, 'embeddedXmlName' in saved ? saved.embeddedXmlName : undefined]).toEqual(['IN_DP_E2_CII_FACTURX', 'factur-x.xml']);
  });

  // found by an audit: a 27 KB PDF whose factur-x.xml was empty was refused as "The file is empty
  // (0 bytes)", one whose XML was broken "Malformed XML at line 29": the partner looks at the PDF
  // (it has no line 29; it is not empty) and, told it is empty, sends the same one again
  it('a refusal of the embedded XML names that file, not the PDF', async () => {
    const cii = readFileSync(path.resolve(__dirname, '../../../shared/corpus/en16931/cii-examples/CII_example1.xml'), 'utf8');
    const zugferd1 = '<?xml version="1.0" encoding="UTF-8"?>\n<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"/>';
    const cases: [string, string, string][] = [
      ['', 'FLUX-EMPTY', 'In the XML embedded in the PDF (factur-x.xml): the file is empty (0 bytes).'],
      [cii.replace(/^(<\?xml[^>]*\?>)/, '$1<!DOCTYPE x [<!ENTITY a "b">]>'), 'FLUX-DTD', 'In the XML embedded in the PDF (factur-x.xml): the file declares a DTD'],
      [cii.replace('</ram:Name>', '</ram:Nom>'), 'FLUX-MALFORMED', 'In the XML embedded in the PDF (factur-x.xml): malformed XML at line '],
      [zugferd1, 'FLUX-ROOT', 'In the XML embedded in the PDF (factur-x.xml): the root element is a ZUGFeRD 1.0 invoice ({urn:ferd:CrossIndustryDocument:invoice:1p0}CrossIndustryDocument), not a CII D16B CrossIndustryInvoice (Factur-X, ZUGFeRD 2).'],
      ['<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>', 'FLUX-ROOT', 'In the XML embedded in the PDF (factur-x.xml): the root element is a {urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice, not a CII D16B'],
    ];
    for (const [xml, rule, start] of cases) {
      const r = await refusal(withEmbedded([['factur-x.xml', xml]]));
      expect(r).toEqual({ rule, message: expect.stringContaining(start) });
      expect(r.message.startsWith(start)).toBe(true);
    }
    // the same words reach the partner, in the 93 of the status flow
    const root = tempDir('cf-embedded-words-');
    mkdirSync(path.join(root, 'inbox', 'op-alpha'), { recursive: true });
    writeFileSync(path.join(root, 'inbox', 'op-alpha', 'vide.pdf'), withEmbedded([['factur-x.xml', '']]));
    const summary = await runOnce(path.join(root, 'inbox'), bundledConfig(path.join(root, 'out')));
    expect(summary.results.map((r) => [r.outcome, r.findings.map((f) => f.rule)])).toEqual([['refused', ['FLUX-EMPTY']]]);
    const statut = listFiles(path.join(root, 'out')).filter((f) => f.startsWith('statut/'));
    expect(statut).toHaveLength(1);
    expect(xpath(path.join(root, 'out', statut[0]), "string(//*[local-name()='LibelleErreur'])")).toBe('In the XML embedded in the PDF (factur-x.xml): the file is empty (0 bytes).');
  });

  // found by the PDF fuzz (pdf-fuzz.test.ts): the names of the files a PDF embeds were shown as
  // the PDF gave them, a 5000-character one whole (a reason of 5205 characters, its end cut off in
  // the status flow), a NUL, a right-to-left override that shows "facture\u202Egnp.exe" as "…exe.png"
  it('the embedded files a refusal names are shown short and without control or direction characters', async () => {
    const names = ['a'.repeat(5000), 'facture\u202Egnp.exe', 'factur-x.xml\u0000.exe', '\u202E', 'bon de livraison.pdf'];
    const specs = names.map((n) => Buffer.from(`<< /Type /Filespec /F ${pdfText(n)} /UF ${pdfText(n)} /EF << /F ${5 + names.length} 0 R >> >>`, 'latin1'));
    const pdf = pdfOf([
      ...PAGES,
      Buffer.from(`<< /Names [${names.map((n, k) => `${pdfText(n)} ${5 + k} 0 R`).join(' ')}] >>`, 'latin1'),
      ...specs,
      Buffer.from('<< /Type /EmbeddedFile /Length 5 >>\nstream\nhello\nendstream'),
    ]);
    const r = await refusal(pdf);
    expect(r).toEqual({
      rule: 'FLUX-FACTURX-NOXML',
      message: `The PDF holds no embedded factur-x.xml or zugferd-invoice.xml (embedded files: ${'a'.repeat(15)}…${'a'.repeat(14)}, facturegnp.exe, factur-x.xml.exe, ?, bon de livraison.pdf): a PDF alone is not a structured invoice.`,
    });
    expect(r.message.length).toBeLessThanOrEqual(300);
  });

  // found by the PDF fuzz: pdf-lib's words went to the partner ("Expected instance of PDFName or
  // PDFArray, but got instance of PDFString", "Unknown compression method in flate stream: 97, 98")
  it('an embedded invoice that cannot be decoded is refused in words a partner can act on', async () => {
    const withFilter = (filter: string, data: string) =>
      pdfOf([
        ...PAGES,
        Buffer.from('<< /Names [(factur-x.xml) 5 0 R] >>'),
        Buffer.from('<< /Type /Filespec /F (factur-x.xml) /UF (factur-x.xml) /EF << /F 6 0 R >> >>'),
        Buffer.from(`<< /Type /EmbeddedFile /Filter ${filter} /Length ${data.length} >>\nstream\n${data}\nendstream`, 'latin1'),
      ]);
    const said = 'The embedded file "factur-x.xml" cannot be decoded: ';
    const cases: [string, string, string][] = [
      ['/NoSuchDecode', '<x/>', 'its filter "/NoSuchDecode" is not one a PDF reader knows (a Factur-X\'s XML is FlateDecode).'],
      [`/${'X'.repeat(500)}`, '<x/>', `its filter "/${'X'.repeat(14)}…${'X'.repeat(14)}" is not one a PDF reader knows (a Factur-X's XML is FlateDecode).`],
      ['(FlateDecode)', '<x/>', 'its /Filter is neither a filter name nor a list of them.'],
      ['/FlateDecode', 'abc', 'its compressed data is damaged.'],
    ];
    for (const [filter, data, why] of cases) expect(await refusal(withFilter(filter, data))).toEqual({ rule: 'FLUX-FACTURX-NOXML', message: said + why });
  });

  it('run refuses both with their reason, keeps them, and goes on with the other files; validate says why', async () => {
    const root = tempDir('cf-hostile-pdf-');
    const inbox = path.join(root, 'inbox');
    mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
    writeFileSync(path.join(inbox, 'op-alpha', 'kids.pdf'), kidsBomb());
    writeFileSync(path.join(inbox, 'op-alpha', 'bomb.pdf'), flateBomb(8 << 20));
    writeFileSync(path.join(inbox, 'op-alpha', 'facture.xml'), readFileSync(path.resolve(__dirname, '../../fixtures/inbox/op-alpha/facture-e1-papeterie.xml')));
    const config = bundledConfig(path.join(root, 'out'));
    config.limits.maxInvoiceBytes = 4 << 20;
    const summary = await runOnce(inbox, config);
    const byFile = Object.fromEntries(summary.results.map((r) => [r.file, [r.outcome, r.findings.map((f) => f.rule)]]));
    expect(byFile).toEqual({
      'op-alpha/kids.pdf': ['refused', ['FLUX-FACTURX-NOXML']],
      'op-alpha/bomb.pdf': ['refused', ['FLUX-TAILLE']],
      'op-alpha/facture.xml': ['accepted', []],
    });
    const errorDay = readdirSync(path.join(config.paths.out, 'error'))[0];
    expect(readFileSync(path.join(config.paths.out, 'error', errorDay, 'bomb.pdf')).equals(flateBomb(8 << 20))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(config.paths.out, 'error', errorDay, 'bomb.pdf.reason.json'), 'utf8')).findings[0].message).toMatch(/decompresses to more than 4194304 bytes/);

    const v = await cli(['validate', path.join(inbox, 'op-alpha', 'kids.pdf')]);
    expect([v.code, v.stdout]).toEqual([2, expect.stringContaining('FLUX-FACTURX-NOXML')]);
  });
});
