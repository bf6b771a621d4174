/**
 * A PDF attachment cut short (it does not reach its %%EOF end mark: a transfer that stopped,
 * a producer that wrote half a file) is no document a finance system can open. The inbound
 * Factur-X was refused so (FLUX-PDF), but the PDF of a UBL E2 — the invoice itself, TypePJ 01 —
 * and a deposited pivot's PJ went out as they came: the pivot carried an invoice nobody can read.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SCHEMAS } from '../helpers/corpus';
import { bundledConfig, FIXTURES_INBOX, runFileOnce, tempDir } from '../helpers/run';
import { validateFiles } from '../helpers/xsd';
import { xpath } from '../helpers/xpath';

const E2 = readFileSync(path.join(FIXTURES_INBOX, 'op-beta/facture-e2-maintenance.xml'), 'utf8');
const LAPOSTE = readFileSync(path.join(FIXTURES_INBOX, 'op-beta/pivot-laposte-3-factures.xml'), 'utf8');
const FIRST_PDF = /(<cbc:EmbeddedDocumentBinaryObject[^>]*>)([^<]+)</;

/** The base64 of a PDF cut to `keep` of its bytes. */
function cut(b64: string, keep = 0.5): string {
  const pdf = Buffer.from(b64, 'base64');
  return pdf.subarray(0, Math.floor(pdf.length * keep)).toString('base64');
}

describe('a PDF attachment cut short', () => {
  const root = tempDir('cf-cut-pdf-');
  const config = bundledConfig(path.join(root, 'out'));
  const out = config.paths.out;
  const run = (name: string, xml: string) => runFileOnce(root, config, 'op-beta', name, xml);

  it('refuses a UBL E2 whose invoice PDF does not reach %%EOF, the original kept untouched in error/', async () => {
    const xml = E2.replace(FIRST_PDF, (_, open: string, b64: string) => `${open}${cut(b64)}<`).replace(/FE2-2026-0042/g, 'FE2-CUT-1');
    const r = await run('e2-cut.xml', xml);
    expect(r.outcome).toBe('refused');
    expect(r.outputs.filter((o) => o.kind === 'pivot')).toEqual([]);
    const f = r.findings.filter((x) => x.severity === 'fatal');
    expect(f.map((x) => x.rule)).toEqual(['CPRO-PJ-CONTENU']);
    expect(f[0].message).toMatch(/^Attachment 1 \(FE2-CUT-1\.pdf\): the PDF is cut short: it does not end with %%EOF/);
    const error = r.outputs.find((o) => o.kind === 'error')!;
    expect(readFileSync(path.join(out, error.path), 'utf8')).toBe(xml);
    const statut = r.outputs.filter((o) => o.kind === 'statut').map((o) => readFileSync(path.join(out, o.path), 'utf8')).join('');
    expect(statut).toContain('<IdStatut>93</IdStatut>');
    expect(statut).toMatch(/<LibelleErreur>Attachment 1 \(FE2-CUT-1\.pdf\): the PDF is cut short[^<]{0,250}<\/LibelleErreur>/);
  });

  it('refuses only the invoice of a deposited pivot whose PDF PJ is cut: a 96, the others emitted valid', async () => {
    const xml = LAPOSTE.replace(/LP-2026-/g, 'LP-CUT-').replace(/<Contenu>([^<]+)<\/Contenu>/, (_, b64: string) => `<Contenu>${cut(b64, 0.9)}</Contenu>`);
    const r = await run('pivot-cut.xml', xml);
    expect(r.outcome).toBe('partial');
    const first = r.invoices[0];
    expect(first).toMatchObject({ number: 'LP-CUT-558812', outcome: 'refused' });
    expect((first.findings ?? []).filter((x) => x.severity === 'fatal').map((x) => x.rule)).toEqual(['CPRO-PJ-CONTENU']);
    const pivots = r.outputs.filter((o) => o.kind === 'pivot').map((o) => path.join(out, o.path));
    expect(pivots.length).toBeGreaterThan(0);
    expect(validateFiles(SCHEMAS.pivot, pivots).flatMap((v) => v.errors)).toEqual([]);
    const ids = pivots.flatMap((p) => xpath(p, "//*[local-name()='DonneesFacture']/*[local-name()='Id']/text()").split(/\s+/)).filter(Boolean);
    expect(ids).not.toContain('LP-CUT-558812');
    const answer = r.outputs.filter((o) => o.kind === 'statut').map((o) => readFileSync(path.join(out, o.path), 'utf8')).find((s) => s.includes('<IdStatut>96</IdStatut>'));
    expect(answer).toMatch(/<LibelleErreur>Facture LP-CUT-558812 : Attachment 1 \(LP-CUT-558812\.pdf\): the PDF is cut short/);
  });

  it('takes a whole PDF followed by a few bytes of padding, as readers do', async () => {
    const padded = Buffer.concat([Buffer.from(/<Contenu>([^<]+)</.exec(LAPOSTE)![1], 'base64'), Buffer.from('\r\n\0\0 ')]).toString('base64');
    const xml = LAPOSTE.replace(/LP-2026-/g, 'LP-PAD-').replace(/<Contenu>[^<]+<\/Contenu>/, `<Contenu>${padded}</Contenu>`);
    const r = await run('pivot-pad.xml', xml);
    expect(r.invoices[0]).toMatchObject({ number: 'LP-PAD-558812', outcome: 'accepted' });
  });
});
