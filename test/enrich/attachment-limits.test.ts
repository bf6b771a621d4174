/**
 * Chorus Pro's attachment limits (DESIGN §2: each attachment under 10 MB, an invoice with its
 * attachments at most 120 MB), the suspension for a missing attachment (DESIGN §4) and the
 * payment means table (DESIGN §2), run end to end on limits scaled down to a few kilobytes.
 * - CPRO-PJ-TAILLE refuses a supplier's attachment over the limit, CPRO-PJ-TOTAL an invoice whose
 *   attachments together are over it;
 * - the inbound XML, which goes into the pivot as the invoice document (TypePJ 01), is bound by
 *   the same limit: over it, it is left out when the pivot carries its Factur-X (warning
 *   CPRO-PJ-FACTURE; an E1 embedding a 9 MB document used to put a 12 MB PJ in the pivot), kept
 *   when it would be the pivot's only PJ;
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

  it('keeps it when it would be the only PJ (no Factur-X)', async () => {
    const root2 = tempDir('cf-limits-nofx-');
    const noFx = config(path.join(root2, 'out'), (raw) => {
      raw.limits = { maxAttachmentBytes: 5000 };
      raw.facturx = { enabled: false };
    });
    drop(path.join(root2, 'inbox'), 'xml-over.xml', PAPETERIE);
    const r = resultOf(await runOnce(path.join(root2, 'inbox'), noFx), 'op-alpha/xml-over.xml');
    expect(r.outcome).toBe('accepted');
    expect(r.findings.find((f) => f.rule === 'CPRO-PJ-FACTURE')?.message).toContain('attached to the pivot all the same, as its only PJ');
    expect(pjTypes(path.join(root2, 'out', r.outputs.find((o) => o.kind === 'pivot')!.path))).toBe('1 0');
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
