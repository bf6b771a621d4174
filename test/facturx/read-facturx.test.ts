/**
 * Reading Factur-X: every PDF of corpus/facturx-pdfs goes through the embedded runner.
 *
 * What "goes through" means here: each file is detected as IN_DP_E2_CII_FACTURX, its embedded
 * CII is parsed (number and totals equal to what pdfdetach + libxml2 read from the same PDF),
 * it is validated, and it gets an outcome — never a system failure. None of their buyers is a
 * French public body identified by a SIRET (they carry SIRENs under 0002, or a Spanish VAT
 * number), so the routing table cannot hold them: each is refused with the routing rule among
 * its rule ids, the original kept in error/ with a reason file. A Factur-X made by chorus-flux
 * for a routed buyer is accepted: its pivot carries the PDF itself (TypePJ 01) and a new
 * Factur-X (TypePJ 02, DUPLICATA_FACTUR-X).
 */
import Big from 'big.js';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { FLUX_KINDS } from '../../src/model/flux';
import { isFluxError } from '../../src/model/flux-error';
import { makeFacturX } from '../../src/transform/facturx/make';
import { parseFlux } from '../../src/transform/parse/flux';
import { corpusFiles } from '../helpers/corpus';
import { facturxInboxConfig, listFiles, runOnce, tempDir, FIXTURES_INBOX } from '../helpers/run';
import { SCHEMAS } from '../helpers/corpus';
import { validateFiles } from '../helpers/xsd';
import { xpath } from '../helpers/xpath';
import { run } from './oracles';

const PDFS = corpusFiles('facturx-pdfs', /\.pdf$/);

describe('the Factur-X PDFs of the corpus', () => {
  it('finds the 8 PDFs', () => expect(PDFS).toHaveLength(8));

  test.each(PDFS.map((f) => [path.basename(f), f]))('%s parses as IN_DP_E2_CII_FACTURX with the embedded data', async (_n, file) => {
    const parsed = await parseFlux(readFileSync(file));
    if (parsed.kind === 'CPPStatut') throw new Error('not an invoice');
    expect(parsed.kind).toBe(FLUX_KINDS.FACTURX);
    expect(parsed.embeddedXmlName).toBe('factur-x.xml');
    const dir = tempDir('cf-fx-detach-');
    const list = run('pdfdetach', ['-list', file]).stdout;
    const k = /(\d+): factur-x\.xml/.exec(list)?.[1] as string;
    const xml = path.join(dir, 'factur-x.xml');
    expect(run('pdfdetach', ['-save', k, '-o', xml, file]).status).toBe(0);
    const inv = parsed.invoices[0];
    const x = (local: string) => xpath(xml, `string(//*[local-name()='SpecifiedTradeSettlementHeaderMonetarySummation']/*[local-name()='${local}'])`);
    expect(inv.number).toBe(xpath(xml, `string(/*/*[local-name()='ExchangedDocument']/*[local-name()='ID'])`));
    expect(new Big(inv.totals.taxInclusive as string).eq(new Big(x('GrandTotalAmount')))).toBe(true);
    expect(new Big(inv.totals.payable as string).eq(new Big(x('DuePayableAmount')))).toBe(true);
    expect(new Big(inv.totals.taxExclusive as string).eq(new Big(x('TaxBasisTotalAmount')))).toBe(true);
  });

  it('refuses a PDF without an embedded invoice, and reads one named zugferd-invoice.xml', async () => {
    const plain = await PDFDocument.create();
    plain.addPage();
    await expect(parseFlux(await plain.save())).rejects.toMatchObject({ rule: 'FLUX-FACTURX-NOXML' });
    try {
      await parseFlux(await plain.save());
    } catch (e) {
      expect(isFluxError(e)).toBe(true);
      expect((e as Error).message).toMatch(/no embedded factur-x\.xml or zugferd-invoice\.xml/);
    }
    const source = readFileSync(corpusFiles('en16931/cii-examples')[1]);
    const zugferd = await PDFDocument.create();
    zugferd.addPage();
    await zugferd.attach(source, 'zugferd-invoice.xml', { mimeType: 'text/xml' });
    const parsed = await parseFlux(await zugferd.save());
    if (parsed.kind === 'CPPStatut') throw new Error('not an invoice');
    expect(parsed.kind).toBe(FLUX_KINDS.FACTURX);
    expect(parsed.embeddedXmlName).toBe('zugferd-invoice.xml');
  });
});

describe('the embedded runner on an inbox of Factur-X PDFs', () => {
  const out = tempDir('cf-fx-run-');
  const inbox = path.join(out, 'inbox', 'op-fx');
  let summary: Awaited<ReturnType<typeof runOnce>>;
  const ours = 'FX-papeterie.pdf';

  beforeAll(async () => {
    mkdirSync(inbox, { recursive: true });
    for (const f of PDFS) copyFileSync(f, path.join(inbox, path.basename(f)));
    // a Factur-X of our own for a buyer the routing table knows (Commune de Valmont-sur-Loire)
    const fixture = await parseFlux(readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml')));
    if (fixture.kind === 'CPPStatut') throw new Error('not an invoice');
    writeFileSync(path.join(inbox, ours), (await makeFacturX(fixture.invoices[0])).pdf);
    summary = await runOnce(path.join(out, 'inbox'), facturxInboxConfig(out));
  }, 120_000);

  it('gives every file an outcome, with no system failure', () => {
    expect(summary.failures).toEqual([]);
    expect(summary.files).toBe(PDFS.length + 1);
    expect(summary.results).toHaveLength(PDFS.length + 1);
    for (const r of summary.results) expect(r.kind).toBe(FLUX_KINDS.FACTURX);
  });

  test.each(PDFS.map((f) => [path.basename(f)]))('%s is refused for its buyer, with rule ids and a reason file', (name) => {
    const r = summary.results.find((x) => path.basename(x.file) === name);
    expect(r).toBeDefined();
    expect(r?.outcome).toBe('refused');
    const fatal = r?.findings.filter((f) => f.severity === 'fatal') ?? [];
    expect(fatal.length).toBeGreaterThan(0);
    for (const f of fatal) expect(f.rule).toMatch(/^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$/);
    expect(fatal.map((f) => f.message).join(' ')).toMatch(/SIRET|destinataire|recipient|routing/i);
    const kept = r?.outputs.find((o) => o.kind === 'error');
    expect(kept).toBeDefined();
    expect(existsSync(path.join(out, `${kept?.path}.reason.json`))).toBe(true);
    const reason = JSON.parse(readFileSync(path.join(out, `${kept?.path}.reason.json`), 'utf8'));
    expect(reason.kind).toBe(FLUX_KINDS.FACTURX);
    expect(reason.findings.length).toBeGreaterThan(0);
  });

  test.each(PDFS.map((f) => [path.basename(f)]))('%s: a MINIMUM or BASIC WL is told so first (FACTURX-PROFIL), in the reason the status flow carries', (name) => {
    const r = summary.results.find((x) => path.basename(x.file) === name);
    const profile = /_MINIMUM\.pdf$/.test(name) ? 'MINIMUM' : /_BASICWL\.pdf$/.test(name) ? 'BASIC WL' : undefined;
    const told = r?.findings.filter((f) => f.rule === 'FACTURX-PROFIL') ?? [];
    if (profile === undefined) {
      expect(told).toEqual([]);
      return;
    }
    expect(r?.findings[0]).toMatchObject({ rule: 'FACTURX-PROFIL', severity: 'fatal' });
    expect(r?.findings[0].message).toContain(`profile is ${profile}`);
    expect(told).toHaveLength(1);
    const statut = r?.outputs.find((o) => o.kind === 'statut');
    expect(validateFiles(SCHEMAS.statut, [path.join(out, statut?.path as string)])[0].errors).toEqual([]);
    const comment = xpath(path.join(out, statut?.path as string), "string(//*[local-name()='Commentaire'])");
    expect(comment).toMatch(new RegExp(`^The Factur-X profile is ${profile} .*send the invoice again in one of them\\.$`));
  });

  it('accepts a Factur-X for a routed buyer: the pivot carries the PDF (01) and a new Factur-X (02)', async () => {
    const r = summary.results.find((x) => path.basename(x.file) === ours);
    expect(r?.outcome).toBe('accepted');
    const pivots = listFiles(out).filter((f) => f.startsWith('pivot/VALM01/'));
    expect(pivots).toHaveLength(1);
    const pivot = path.join(out, pivots[0]);
    expect(validateFiles(SCHEMAS.pivot, [pivot])[0].errors).toEqual([]);
    const pj = (k: number, el: string) => xpath(pivot, `string((//*[local-name()='PJ'])[${k}]/*[local-name()='${el}'])`);
    expect(Number(xpath(pivot, "count(//*[local-name()='PJ'])"))).toBe(2);
    expect(pj(1, 'TypePJ')).toBe('01');
    expect(pj(1, 'MimeTypePJ')).toBe('application/pdf');
    expect(pj(2, 'TypePJ')).toBe('02');
    expect(pj(2, 'CategoriePJ')).toBe('DUPLICATA_FACTUR-X');
    expect(pj(2, 'NomPJ')).toBe('FX_F-2026-0101.pdf');
    const fx = Buffer.from(pj(2, 'Contenu'), 'base64');
    const back = await parseFlux(fx);
    if (back.kind === 'CPPStatut') throw new Error('not an invoice');
    expect(back.kind).toBe(FLUX_KINDS.FACTURX);
    expect(back.invoices[0].number).toBe('F-2026-0101');
    expect(back.invoices[0].totals.payable).toBe('340.65');
  });

  it('emits nothing else: one pivot, the refused originals kept in error/', () => {
    const errors = listFiles(out).filter((f) => f.startsWith('error/') && f.endsWith('.pdf'));
    expect(errors).toHaveLength(PDFS.length);
    expect(readdirSync(path.join(out, 'pivot'))).toEqual(['VALM01']);
  });
});
