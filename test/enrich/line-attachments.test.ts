/**
 * A document attached to an invoice line (UBL cac:InvoiceLine/cac:DocumentReference/cac:Attachment,
 * CII line ram:AdditionalReferencedDocument with bytes): EN 16931 has supporting documents at
 * document level only (BG-24), so neither the pivot nor the Factur-X can carry it. It was lost
 * without a word — the invoice accepted, no finding; it is now warning CPRO-PJ-LIGNE, naming the
 * line and the document, and the invoice still goes through.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { corpus } from '../helpers/corpus';
import { routedCii } from '../helpers/routed-examples';
import { PAPETERIE } from '../helpers/ubl-attachments';
import { bundledConfig, runOnce, tempDir } from '../helpers/run';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n').toString('base64');

async function runOne(name: string, source: string) {
  const root = tempDir('cf-line-doc-');
  const config = bundledConfig(path.join(root, 'out'));
  mkdirSync(path.join(root, 'in', 'op-alpha'), { recursive: true });
  writeFileSync(path.join(root, 'in', 'op-alpha', name), source);
  const r = (await runOnce(path.join(root, 'in'), config)).results[0];
  const pivot = readFileSync(path.join(config.paths.out, r.outputs.find((o) => o.kind === 'pivot')!.path), 'utf8');
  return { r, pivot };
}

it('names a document attached to a UBL invoice line (CPRO-PJ-LIGNE), and the invoice goes through', async () => {
  const src = readFileSync(PAPETERIE, 'utf8');
  const line = '    <cac:DocumentReference>\n      <cbc:ID>PLAN-1</cbc:ID>\n      <cac:Attachment>\n' +
    `        <cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="plan-ligne.pdf">${PDF}</cbc:EmbeddedDocumentBinaryObject>\n` +
    '      </cac:Attachment>\n    </cac:DocumentReference>\n';
  const source = src.replace(/(<cbc:LineExtensionAmount currencyID="EUR">90.00<\/cbc:LineExtensionAmount>\n)/, `$1${line}`);
  expect(source).toContain('plan-ligne.pdf');
  const { r, pivot } = await runOne('ligne.xml', source);
  expect([r.outcome, r.findings.filter((f) => f.severity === 'fatal')]).toEqual(['accepted', []]);
  const w = r.findings.filter((f) => f.rule === 'CPRO-PJ-LIGNE');
  expect(w.map((f) => [f.severity, f.path])).toEqual([['warning', '/Invoice/cac:InvoiceLine[1]']]);
  expect(w[0].message).toContain('Invoice line 1 has a document attached to it, which neither the pivot nor the Factur-X carries (EN 16931 has none at line level): send it as a supporting document of the invoice (BG-24). The document: PLAN-1 – plan-ligne.pdf.');
  expect(pivot).not.toContain('plan-ligne');
});

it('names a document attached to a CII invoice line (CPRO-PJ-LIGNE)', async () => {
  const cii = routedCii(readFileSync(corpus('en16931', 'cii-examples', 'CII_example1.xml'), 'utf8'), 1);
  const doc = `<ram:AdditionalReferencedDocument><ram:IssuerAssignedID>FICHE-1</ram:IssuerAssignedID><ram:TypeCode>916</ram:TypeCode><ram:AttachmentBinaryObject mimeCode="application/pdf" filename="fiche.pdf">${PDF}</ram:AttachmentBinaryObject></ram:AdditionalReferencedDocument>`;
  const source = cii.replace(/(<\/ram:SpecifiedTradeSettlementLineMonetarySummation>)/, `$1${doc}`);
  expect(source).toContain('fiche.pdf');
  const { r } = await runOne('ligne-cii.xml', source);
  expect([r.outcome, r.findings.filter((f) => f.severity === 'fatal')]).toEqual(['accepted', []]);
  const w = r.findings.filter((f) => f.rule === 'CPRO-PJ-LIGNE');
  expect(w.map((f) => [f.severity, f.path])).toEqual([['warning', '/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem[1]']]);
  expect(w[0].message).toContain('The document: FICHE-1 – fiche.pdf.');
});
