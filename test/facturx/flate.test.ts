/**
 * flateText joins separately deflated runs into one zlib stream: any zlib reader (here Node's
 * inflate, in the PDF tests qpdf and pdfdetach) must get the text back byte for byte.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { adler32, flate, flateText } from '../../src/transform/facturx/flate';
import { makeFacturX } from '../../src/transform/facturx/make';
import { parseFlux } from '../../src/transform/parse/flux';
import { pseudoRandomBytes } from '../helpers/pseudo-random';
import { withAttachments } from '../helpers/ubl-attachments';
import { run } from './oracles';

/** Deterministic base64 of a compressed-looking file. */
const base64Run = (bytes: number, seed: number) => pseudoRandomBytes(bytes, seed).toString('base64');

const markup = (lines: number) => Array.from({ length: lines }, (_, k) => `  <ram:LineID>${k}</ram:LineID><ram:Name>Prestation é ${k}</ram:Name>`).join('\n');

describe('flateText', () => {
  it.each([
    ['short text (one deflate)', markup(10)],
    ['markup only, long', markup(5000)],
    ['markup, a long base64 attachment, markup', `${markup(300)}<a>${base64Run(300_000, 1)}</a>${markup(300)}`],
    ['several attachments between markup', [0, 1, 2, 3].map((k) => `${markup(50)}<a>${base64Run(70_000 + k * 1000, k + 7)}</a>`).join('') + markup(5)],
    ['a text that ends inside base64', `${markup(200)}<a>${base64Run(200_000, 3)}`],
    ['base64 only', base64Run(150_000, 9)],
  ])('%s: inflates back to the same bytes', (_label, text) => {
    const bytes = Buffer.from(text, 'utf8');
    const z = flateText(bytes);
    expect(inflateSync(z).equals(bytes)).toBe(true);
    // never much bigger than plain level-1 deflate
    expect(z.length).toBeLessThan(flate(bytes).length * 1.1 + 64);
  });

  it('computes Adler-32 as zlib does', () => {
    expect(adler32(Buffer.from('Wikipedia'))).toBe(0x11e60398);
    expect(adler32(Buffer.alloc(0))).toBe(1);
    const big = Buffer.alloc(1_000_000, 0xff);
    // zlib's own checksum is the last 4 bytes of its stream
    expect(adler32(big)).toBe(flate(big).readUInt32BE(flate(big).length - 4));
  });

  it.each([1, 2, 3, 5, 1799, 1801, 1803, 100_003])('computes Adler-32 as zlib does on %i random bytes (lengths across its 4-byte steps and slices)', (n) => {
    const bytes = pseudoRandomBytes(n, n);
    const z = flate(bytes);
    expect(adler32(bytes)).toBe(z.readUInt32BE(z.length - 4));
  });
});

describe('a Factur-X whose CII carries big attachments', () => {
  it('is sound for qpdf and gives its XML back byte for byte through pdfdetach', async () => {
    const ubl = withAttachments([
      { id: 'BL-1', name: 'bon-de-livraison.pdf', mime: 'application/pdf', data: base64Run(250_000, 5) },
      { id: 'PV-2', name: 'proces-verbal.pdf', mime: 'application/pdf', data: base64Run(90_000, 6) },
    ]);
    const parsed = await parseFlux(Buffer.from(ubl, 'utf8'));
    if (parsed.kind === 'CPPStatut') throw new Error('not an invoice');
    const result = await makeFacturX(parsed.invoices[0], { profile: 'EN 16931' });
    expect(result.xml.length).toBeGreaterThan(400_000);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cf-flate-'));
    const pdf = path.join(dir, 'big.pdf');
    writeFileSync(pdf, result.pdf);
    const q = run('qpdf', ['--check', pdf]);
    expect(q.stderr).toBe('');
    expect(q.stdout).toMatch(/No syntax or stream encoding errors found/);
    const out = path.join(dir, 'factur-x.xml');
    expect(run('pdfdetach', ['-save', '1', '-o', out, pdf]).status).toBe(0);
    expect(readFileSync(out).equals(Buffer.from(result.xml, 'utf8'))).toBe(true);
  });
});
