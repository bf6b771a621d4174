/**
 * Damaged, encrypted and truncated PDFs: each is a FLUX-PDF refusal in words a partner can act
 * on (never pdf-lib's internals, never a TypeError), with nothing on stderr from pdf-lib's
 * lenient parser; `validate` goes on with the files after one, and `run` refuses it with that
 * reason in error/.
 */
import { readdirSync, readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { isFluxError } from '../../src/model/flux-error';
import { makeFacturX } from '../../src/transform/facturx/make';
import { parseFlux } from '../../src/transform/parse/flux';
import { cli } from '../helpers/cli';
import { bundledConfig, FIXTURES_INBOX, listFiles, runOnce, tempDir } from '../helpers/run';
import { run } from './oracles';

const sample = path.resolve(__dirname, '../../../shared/corpus/facturx-pdfs/Facture_FR_MINIMUM.pdf');
const akretion = path.resolve(__dirname, '../../../shared/corpus/facturx-pdfs/akretion-invoice_EN16931.pdf');

/** Where each object of a PDF ends (just after its `endobj` and line end), the last excepted. */
function objectEnds(pdf: Buffer): number[] {
  const ends: number[] = [];
  for (let i = pdf.indexOf('endobj'); i >= 0; i = pdf.indexOf('endobj', i + 6)) ends.push(i + 6 + (pdf[i + 6] === 0x0d ? 2 : 1));
  return ends.filter((e) => e < pdf.lastIndexOf('startxref'));
}

async function refusal(bytes: Buffer): Promise<{ rule: string; message: string }> {
  try {
    await parseFlux(bytes);
  } catch (e) {
    if (!isFluxError(e)) throw new Error(`not a FluxError: ${(e as Error).stack}`);
    return { rule: e.rule, message: e.message };
  }
  throw new Error('accepted');
}

function encrypted(dir: string, user: string): Buffer {
  const out = path.join(dir, `enc-${user || 'owner-only'}.pdf`);
  const r = run('qpdf', ['--encrypt', user, 'owner-secret', '256', '--', sample, out]);
  expect(r.status).toBe(0);
  return readFileSync(out);
}

describe('damaged PDFs', () => {
  const dir = tempDir('cf-badpdf-');
  const cases: [string, () => Buffer, RegExp][] = [
    ['a PDF header and nothing else', () => Buffer.from('%PDF-1.7\n'), /^The PDF cannot be read: it is damaged or incomplete/],
    ['a Factur-X cut in half', () => readFileSync(sample).subarray(0, Math.floor(readFileSync(sample).length / 2)), /^The PDF (cannot be read: it is damaged or incomplete|holds no embedded factur-x\.xml)/],
    ['a Factur-X encrypted with a user password', () => encrypted(dir, 'user-secret'), /^The PDF is encrypted \(password-protected\)/],
    ['a Factur-X encrypted with an owner password only', () => encrypted(dir, ''), /^The PDF is encrypted \(password-protected\)/],
  ];

  it.each(cases)('%s: FLUX-PDF in plain words, nothing from pdf-lib on stderr', async (_what, make, message) => {
    const warn = jest.spyOn(console, 'warn');
    const before = console.warn;
    const r = await refusal(make());
    expect(r.rule).toMatch(/^FLUX-(PDF|FACTURX-NOXML)$/);
    expect(r.message).toMatch(message);
    expect(r.message).not.toMatch(/PDFDocument|ignoreEncryption|lookup|undefined|TypeError/);
    expect(r.message.length).toBeLessThanOrEqual(300);
    expect(warn).not.toHaveBeenCalled();
    expect(console.warn).toBe(before); // restored once the load is over
    warn.mockRestore();
  });

  // found by an audit: pdf-lib reads a cut file's first objects as a whole PDF; the catalog and
  // factur-x.xml often come first, and the official EN 16931 sample cut to an eighth of its size
  // was accepted as a Factur-X, its broken PDF sent to the finance SI as the invoice's own
  it('a Factur-X cut after any of its objects is refused as cut, whatever pdf-lib can still read', async () => {
    const whole = readFileSync(akretion);
    const ends = objectEnds(whole);
    expect(ends.length).toBeGreaterThan(40);
    for (const end of ends) {
      const r = await refusal(whole.subarray(0, end));
      expect({ end, ...r }).toEqual({ end, rule: 'FLUX-PDF', message: expect.stringMatching(/^The PDF cannot be read: it is damaged or incomplete, it does not end with %%EOF/) });
    }
  });

  it('bytes after %%EOF (a gateway line, padding) do not make a whole Factur-X cut', async () => {
    const whole = readFileSync(akretion);
    for (const tail of [Buffer.from('\r\n-- \r\nScanned by the mail gateway\r\n'), Buffer.alloc(4096), Buffer.alloc(700, 0x41)]) {
      const parsed = await parseFlux(Buffer.concat([whole, tail]));
      expect(parsed.kind).toBe('IN_DP_E2_CII_FACTURX');
    }
    expect((await refusal(Buffer.concat([whole, Buffer.alloc(1100, 0x41)]))).message).toMatch(/does not end with %%EOF/);
  });

  it('run refuses a routed Factur-X cut during the transfer: kept in error/ as received, no pivot', async () => {
    const fixture = await parseFlux(readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml')));
    if (fixture.kind === 'CPPStatut') throw new Error('not an invoice');
    const whole = Buffer.from((await makeFacturX(fixture.invoices[0])).pdf);
    // cut just after factur-x.xml's object: everything a reader of the invoice needs is there
    const xmlObject = whole.indexOf('/EmbeddedFile');
    const cut = whole.subarray(0, objectEnds(whole).find((e) => e > xmlObject));
    const inbox = path.join(dir, 'cut-inbox', 'op-alpha');
    mkdirSync(inbox, { recursive: true });
    writeFileSync(path.join(inbox, 'facture-coupee.pdf'), cut);
    const out = path.join(dir, 'cut-out');
    const summary = await runOnce(path.join(dir, 'cut-inbox'), bundledConfig(out));
    expect(summary.failures).toEqual([]);
    expect(summary.results.map((r) => [r.outcome, r.findings.map((f) => f.rule)])).toEqual([['refused', ['FLUX-PDF']]]);
    expect(listFiles(out).filter((f) => f.startsWith('pivot/'))).toEqual([]);
    const day = readdirSync(path.join(out, 'error'))[0];
    expect(readFileSync(path.join(out, 'error', day, 'facture-coupee.pdf'))).toEqual(cut);
  });

  it('validate reports each file, the damaged one included, and goes on with the next', async () => {
    const bad = path.join(dir, 'header-only.pdf');
    writeFileSync(bad, '%PDF-1.7\n');
    const r = await cli(['validate', '--profile', 'en16931', bad, sample], { timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`${bad}: UNREADABLE`);
    expect(r.stdout).toMatch(/FLUX-PDF: The PDF cannot be read: it is damaged or incomplete/);
    expect(r.stdout).toContain(`${sample}: INVALID`); // reported too (a MINIMUM profile lacks what EN 16931 asks)
  });

  it('run refuses them with that reason, each original kept in error/', async () => {
    const inbox = path.join(dir, 'inbox', 'op-alpha');
    mkdirSync(inbox, { recursive: true });
    writeFileSync(path.join(inbox, 'header-only.pdf'), '%PDF-1.7\n');
    copyFileSync(path.join(dir, 'enc-user-secret.pdf'), path.join(inbox, 'encrypted.pdf'));
    const out = path.join(dir, 'out');
    const summary = await runOnce(path.join(dir, 'inbox'), bundledConfig(out));
    expect(summary.failures).toEqual([]);
    const day = readdirSync(path.join(out, 'error'))[0];
    const reasons = Object.fromEntries(['header-only.pdf', 'encrypted.pdf'].map((n) => [n, JSON.parse(readFileSync(path.join(out, 'error', day, `${n}.reason.json`), 'utf8'))]));
    expect(JSON.stringify(reasons['header-only.pdf'])).toContain('The PDF cannot be read: it is damaged or incomplete');
    expect(JSON.stringify(reasons['encrypted.pdf'])).toContain('The PDF is encrypted (password-protected)');
    expect(readFileSync(path.join(out, 'error', day, 'encrypted.pdf'))).toEqual(readFileSync(path.join(dir, 'enc-user-secret.pdf')));
  });
});
