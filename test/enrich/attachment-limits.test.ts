/**
 * Chorus Pro's attachment limits (DESIGN §2: each attachment under 10 MB, an invoice with its
 * attachments at most 120 MB), the suspension for a missing attachment (DESIGN §4) and the
 * payment means table (DESIGN §2), run end to end on limits scaled down to a few kilobytes.
 * - CPRO-PJ-TAILLE refuses a supplier's attachment over the limit, CPRO-PJ-TOTAL an invoice whose
 *   attachments together are over it;
 * - the inbound XML, which goes into the pivot as the invoice document (TypePJ 01), is bound by
 *   the same limit: over it, it is left out when the pivot carries its Factur-X (warning
 *   CPRO-PJ-FACTURE; an E1 embedding a 9 MB document used to put a 12 MB PJ in the pivot), kept
 *   without a Factur-X (said too); an E2's XML is no PJ, and nothing is said of it;
 * - a recipient that requires an attachment suspends an invoice without one (CPRO-PJ-REQUISE);
 *   its completion goes out Complétée with the same IdCPRO.
 */
import { readFileSync } from 'node:fs';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundledConfigPath } from '../../src/config/config';
import { pivotPaymentCode } from '../../src/emit/pivot/mapping';
import PM from '../../schemas/payment-means.json';
import { SCHEMAS } from '../helpers/corpus';
import { FIXTURES_INBOX, resultOf, runOnce, tempDir, testConfig } from '../helpers/run';
import { withAttachments } from '../helpers/ubl-attachments';
import { validateFiles } from '../helpers/xsd';
import { xpath } from '../helpers/xpath';

const PAPETERIE = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8');

function config(out: string, edit: (raw: Record<string, any>) => void) {
  const raw = JSON.parse(readFileSync(bundledConfigPath(), 'utf8')) as Record<string, any>;
  delete raw.paths;
  edit(raw);
  return testConfig(raw, out, path.dirname(bundledConfigPath()));
}

function drop(inbox: string, name: string, content: string): void {
  mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
  writeFileSync(path.join(inbox, 'op-alpha', name), content);
}

const bytesOf = (n: number) => Buffer.alloc(n, 7).toString('base64');
const pjTypes = (pivot: string) => xpath(pivot, "concat(count(//PJ[TypePJ='01']), ' ', count(//PJ[TypePJ='02']), ' ', string(//PJ[TypePJ='02'][1]/CategoriePJ))");

describe('attachment limits, scaled down', () => {
  const root = tempDir('cf-limits-');
  const inbox = path.join(root, 'inbox');
  const out = path.join(root, 'out');
  // the fixture's own XML (6.6 kB) is over the limit of one attachment
  const cfg = config(out, (raw) => (raw.limits = { maxAttachmentBytes: 5000, maxInvoiceBytes: 9000 }));
  let summary: Awaited<ReturnType<typeof runOnce>>;

  beforeAll(async () => {
    drop(inbox, 'big-pj.xml', withAttachments([{ id: 'BL', name: 'BL.pdf', mime: 'application/pdf', data: bytesOf(5001) }], PAPETERIE, 'F-LIM-1'));
    drop(inbox, 'total.xml', withAttachments([{ id: 'A', name: 'a.pdf', mime: 'application/pdf', data: bytesOf(4500) }, { id: 'B', name: 'b.pdf', mime: 'application/pdf', data: bytesOf(4501) }], PAPETERIE, 'F-LIM-2'));
    drop(inbox, 'xml-over.xml', PAPETERIE.replace('<cbc:ID>F-2026-0101</cbc:ID>', '<cbc:ID>F-LIM-3</cbc:ID>'));
    summary = await runOnce(inbox, cfg);
  }, 120_000);

  it('refuses an attachment over the limit, and attachments over the invoice limit together', () => {
    const big = resultOf(summary, 'op-alpha/big-pj.xml');
    expect(big.outcome).toBe('refused');
    expect(big.findings.filter((f) => f.severity === 'fatal').map((f) => f.rule)).toEqual(['CPRO-PJ-TAILLE']);
    const total = resultOf(summary, 'op-alpha/total.xml');
    expect(total.outcome).toBe('refused');
    expect(total.findings.filter((f) => f.severity === 'fatal').map((f) => f.rule)).toEqual(['CPRO-PJ-TOTAL']);
  });

  it('leaves the inbound XML over the limit out of the pivot, its Factur-X there, and says so', () => {
    const r = resultOf(summary, 'op-alpha/xml-over.xml');
    expect(r.outcome).toBe('accepted');
    expect(r.findings.find((f) => f.rule === 'CPRO-PJ-FACTURE')?.message).toMatch(/\(6\d{3} bytes\) is over the 5001-byte limit of one attachment: it is not attached/);
    const pivot = path.join(out, r.outputs.find((o) => o.kind === 'pivot')!.path);
    expect(pjTypes(pivot)).toBe('0 1 DUPLICATA_FACTUR-X');
    expect(validateFiles(SCHEMAS.pivot, [pivot]).flatMap((v) => v.errors)).toEqual([]);
  });

  it('keeps it without a Factur-X (else the pivot held no copy of the invoice, or no PJ at all), and says nothing of an E2', async () => {
    const root2 = tempDir('cf-limits-nofx-');
    const noFx = config(path.join(root2, 'out'), (raw) => {
      raw.limits = { maxAttachmentBytes: 5000 };
      raw.facturx = { enabled: false };
    });
    const in2 = path.join(root2, 'inbox');
    drop(in2, 'xml-over.xml', PAPETERIE);
    // a supporting document given by its reference alone is no PJ: the XML was left out, the pivot had none
    drop(in2, 'ref-only.xml', PAPETERIE.replace('<cbc:ID>F-2026-0101</cbc:ID>', '<cbc:ID>F-LIM-4</cbc:ID>').replace('<cac:AccountingSupplierParty>', '<cac:AdditionalDocumentReference><cbc:ID>DEVIS-42</cbc:ID></cac:AdditionalDocumentReference>\n  <cac:AccountingSupplierParty>'));
    drop(in2, 'small-pj.xml', withAttachments([{ id: 'BL', name: 'BL.pdf', mime: 'application/pdf', data: bytesOf(100) }], PAPETERIE, 'F-LIM-5'));
    // an E2: its PDF is the invoice document, the XML is no PJ
    drop(in2, 'e2.xml', withAttachments([{ id: 'FAC', name: 'facture.pdf', mime: 'application/pdf', code: '380', data: Buffer.from(`%PDF-1.4\n${'x'.repeat(3000)}\n%%EOF\n`).toString('base64') }], PAPETERIE, 'F-LIM-6'));
    const summary2 = await runOnce(in2, noFx);
    const pivotOf = (r: { outputs: { kind: string; path: string }[] }) => path.join(root2, 'out', r.outputs.find((o) => o.kind === 'pivot')!.path);
    for (const [name, types] of [['xml-over.xml', '1 0'], ['ref-only.xml', '1 0'], ['small-pj.xml', '1 1 Document annexe']] as const) {
      const r = resultOf(summary2, `op-alpha/${name}`);
      expect({ name, outcome: r.outcome }).toEqual({ name, outcome: 'accepted' });
      expect(r.findings.find((f) => f.rule === 'CPRO-PJ-FACTURE')?.message).toContain('attached to the pivot all the same, as its invoice document');
      expect({ name, types: pjTypes(pivotOf(r)) }).toEqual({ name, types: expect.stringMatching(new RegExp(`^${types.split(' ').slice(0, 2).join(' ')}`)) });
    }
    const e2 = resultOf(summary2, 'op-alpha/e2.xml');
    expect(e2.outcome).toBe('accepted');
    expect(e2.findings.map((f) => f.rule)).not.toContain('CPRO-PJ-FACTURE');
    expect(xpath(pivotOf(e2), "string(//PJ[TypePJ='01']/NomPJ)")).toBe('facture.pdf');
    expect(validateFiles(SCHEMAS.pivot, ['xml-over.xml', 'ref-only.xml', 'small-pj.xml', 'e2.xml'].map((n) => pivotOf(resultOf(summary2, `op-alpha/${n}`)))).flatMap((v) => v.errors)).toEqual([]);
  }, 60_000);
});

it('suspends an invoice without the attachment its recipient requires, and sends its completion Complétée', async () => {
  const root = tempDir('cf-required-');
  const inbox = path.join(root, 'inbox');
  const out = path.join(root, 'out');
  const cfg = config(out, (raw) => (raw.recipients.find((r: { siret: string }) => r.siret === '21787789300016').requiredAttachment = true));
  drop(inbox, '1-sans-pj.xml', PAPETERIE);
  const first = resultOf(await runOnce(inbox, cfg), 'op-alpha/1-sans-pj.xml');
  expect(first.outcome).toBe('suspended');
  expect(first.findings.filter((f) => f.severity === 'fatal').map((f) => f.rule)).toEqual(['CPRO-PJ-REQUISE']);
  const idCpro = first.invoices[0].idCpro;
  drop(inbox, '2-avec-pj.xml', withAttachments([{ id: 'BL', name: 'BL.pdf', mime: 'application/pdf', data: bytesOf(300) }]));
  const second = resultOf(await runOnce(inbox, cfg), 'op-alpha/2-avec-pj.xml');
  expect(second.invoices.map((i) => [i.outcome, i.idCpro])).toEqual([['completed', idCpro]]);
  const pivot = path.join(out, second.outputs.find((o) => o.kind === 'pivot')!.path);
  expect(xpath(pivot, 'string(//DonneesFacture/Renvoi)')).toBe('Complétée');
  expect(second.outputs.filter((o) => o.path.startsWith('statut/si-valmont/'))).toHaveLength(1);
}, 60_000);

it('maps every payment means code of its table to a code the pivot allows (58 → 30, 59 → 49 as DESIGN says)', () => {
  const allowed = new Set(Object.keys(PM.pivotCodes));
  expect([...allowed].sort()).toEqual(['10', '20', '30', '31', '42', '48', '49', '97']);
  for (const [code, m] of Object.entries(PM.map as Record<string, { pivot: string }>)) {
    expect({ code, pivot: pivotPaymentCode(code), allowed: allowed.has(pivotPaymentCode(code)) }).toEqual({ code, pivot: m.pivot, allowed: true });
  }
  expect([pivotPaymentCode('58'), pivotPaymentCode('59'), pivotPaymentCode('ZZZ'), pivotPaymentCode(' 31 '), pivotPaymentCode('nonsense'), pivotPaymentCode(undefined)]).toEqual(['30', '49', '30', '31', '30', '30']);
});
