/**
 * What the Factur-X made for a pivot keeps of a CII, found by an independent check:
 * - the buyer by the SIRET that routed the invoice: a CII buyer with its own ram:ID and a SIRET GlobalID (CII D16B's
 * order) kept only the ram:ID in the generated factur-x.xml — the Factur-X disagreed with its
 * own pivot, and deposited again it was refused (CPRO-DESTINATAIRE-SIRET): 5 of the 15 official
 * CII examples;
 * - the remittance information, mandate and creditor references (BT-83, BT-89, BT-90) of a CII
 *   without a payment means: read only inside one, they were lost;
 * - the gross price's own base quantity: the net price's replaced it (1498 became 1273).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { extractEmbeddedInvoice } from '../../src/transform/facturx/extract';
import { corpus } from '../helpers/corpus';
import { routedCii, SIRET } from '../helpers/routed-examples';
import { withAttachments } from '../helpers/ubl-attachments';
import { bundledConfig, runOnce, tempDir } from '../helpers/run';

async function facturXOf(config: ReturnType<typeof bundledConfig>, root: string, name: string, source: string): Promise<{ cii: string; pdf: Buffer }> {
  mkdirSync(path.join(root, name, 'op-alpha'), { recursive: true });
  writeFileSync(path.join(root, name, 'op-alpha', `${name}.xml`), source);
  const r = (await runOnce(path.join(root, name), config)).results[0];
  expect([r.outcome, r.findings.filter((f) => f.severity === 'fatal')]).toEqual(['accepted', []]);
  const pivot = readFileSync(path.join(config.paths.out, r.outputs.find((o) => o.kind === 'pivot')!.path), 'utf8');
  const pdf = Buffer.from(/<Contenu>([^<]*)<\/Contenu>\s*<NomPJ>[^<]*<\/NomPJ>\s*<CategoriePJ>DUPLICATA_FACTUR-X</.exec(pivot)![1], 'base64');
  return { cii: Buffer.from((await extractEmbeddedInvoice(pdf)).xml).toString('utf8'), pdf };
}

it('keeps the remittance information, mandate and creditor references of a CII without a payment means', async () => {
  const root = tempDir('cf-payment-refs-');
  const config = bundledConfig(path.join(root, 'out'));
  const source = routedCii(readFileSync(corpus('en16931', 'cii-examples', 'CII_example6.xml'), 'utf8'), 6)
    .replace('<ram:InvoiceCurrencyCode>', '<ram:CreditorReferenceID>DK12ZZZ123456</ram:CreditorReferenceID><ram:PaymentReference>REF-2013-0510</ram:PaymentReference><ram:InvoiceCurrencyCode>')
    .replace(/(<ram:DueDateDateTime>[^]*?<\/ram:DueDateDateTime>)/, '$1<ram:DirectDebitMandateID>MANDATE-77</ram:DirectDebitMandateID>');
  expect(source).not.toContain('SpecifiedTradeSettlementPaymentMeans');
  const { cii } = await facturXOf(config, root, 'refs', source);
  const settlement = /<ram:ApplicableHeaderTradeSettlement>([^]*?)<\/ram:ApplicableHeaderTradeSettlement>/.exec(cii)![1];
  expect(settlement).toContain('<ram:CreditorReferenceID>DK12ZZZ123456</ram:CreditorReferenceID>');
  expect(settlement).toContain('<ram:PaymentReference>REF-2013-0510</ram:PaymentReference>');
  expect(settlement).toMatch(/<ram:SpecifiedTradePaymentTerms>[^]*<ram:DirectDebitMandateID>MANDATE-77<\/ram:DirectDebitMandateID>/);
});

it('keeps the buyer SIRET beside its own identifier, and the Factur-X deposited again is accepted', async () => {
  const root = tempDir('cf-buyer-siret-');
  const config = bundledConfig(path.join(root, 'out'));
  const source = routedCii(readFileSync(corpus('en16931', 'cii-examples', 'CII_example1.xml'), 'utf8'), 1);
  expect(source).toMatch(/<ram:BuyerTradeParty>\s*<ram:ID>10202<\/ram:ID><ram:GlobalID schemeID="0009">/);
  mkdirSync(path.join(root, 'in', 'op-alpha'), { recursive: true });
  writeFileSync(path.join(root, 'in', 'op-alpha', 'cii.xml'), source);
  const first = (await runOnce(path.join(root, 'in'), config)).results[0];
  expect([first.outcome, first.findings.filter((f) => f.severity === 'fatal')]).toEqual(['accepted', []]);
  const pivot = readFileSync(path.join(config.paths.out, first.outputs.find((o) => o.kind === 'pivot')!.path), 'utf8');
  const pdf = Buffer.from(/<Contenu>([^<]*)<\/Contenu>\s*<NomPJ>[^<]*<\/NomPJ>\s*<CategoriePJ>DUPLICATA_FACTUR-X</.exec(pivot)![1], 'base64');
  const cii = Buffer.from((await extractEmbeddedInvoice(pdf)).xml).toString('utf8');
  const buyer = /<ram:BuyerTradeParty>([^]*?)<\/ram:BuyerTradeParty>/.exec(cii)![1];
  expect(buyer).toContain(`<ram:GlobalID schemeID="0009">${SIRET}</ram:GlobalID>`);
  expect(buyer).not.toContain('<ram:ID>'); // BT-46 is one identifier

  // the Factur-X, deposited (as another invoice number: the same one would be a DOUBLON)
  const again = Buffer.from(pdf);
  mkdirSync(path.join(root, 'in2', 'op-alpha'), { recursive: true });
  writeFileSync(path.join(root, 'in2', 'op-alpha', 'fx.pdf'), again);
  const second = (await runOnce(path.join(root, 'in2'), config)).results[0];
  expect(second.findings.map((f) => f.rule)).not.toContain('CPRO-DESTINATAIRE-SIRET');
  expect(second.invoices[0].buyerSiret).toBe(SIRET);
});

it("keeps the gross price's own base quantity", async () => {
  const root = tempDir('cf-gross-base-');
  const config = bundledConfig(path.join(root, 'out'));
  const source = routedCii(readFileSync(corpus('en16931', 'cii-examples', 'CII_business_example_01.xml'), 'utf8'), 1);
  const line1 = (xml: string) => /<ram:IncludedSupplyChainTradeLineItem>([^]*?)<\/ram:IncludedSupplyChainTradeLineItem>/.exec(xml)![1];
  const basis = (xml: string, price: string) => new RegExp(`<ram:${price}>[^]*?<ram:BasisQuantity[^>]*>([^<]*)<`).exec(line1(xml))?.[1];
  expect([basis(source, 'GrossPriceProductTradePrice'), basis(source, 'NetPriceProductTradePrice')]).toEqual(['1498', '1273']);
  const { cii } = await facturXOf(config, root, 'gross', source);
  expect([basis(cii, 'GrossPriceProductTradePrice'), basis(cii, 'NetPriceProductTradePrice')]).toEqual(['1498', '1273']);
});

// found by an audit: the duplicate's CII copied every supporting document's bytes, which the
// pivot carries as its PJ already: four 10 MB attachments made a pivot of 136 MB per invoice
it('names the supporting documents in the duplicate without copying their bytes', async () => {
  const root = tempDir('cf-fx-refs-');
  const config = bundledConfig(path.join(root, 'out'));
  const big = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2_000_000, 0x41), Buffer.from('\n%%EOF\n')]);
  const source = withAttachments([{ id: 'PLAN-1', name: 'plan.pdf', mime: 'application/pdf', code: '916', data: big.toString('base64'), description: 'Plan du chantier' }], undefined, 'F-2026-FXREF');
  const { cii, pdf } = await facturXOf(config, root, 'refs', source);
  const doc = /<ram:AdditionalReferencedDocument>([^]*?)<\/ram:AdditionalReferencedDocument>/.exec(cii)?.[1] ?? '';
  expect(doc).toContain('<ram:IssuerAssignedID>PLAN-1</ram:IssuerAssignedID>');
  expect(doc).not.toContain('AttachmentBinaryObject');
  expect(pdf.length).toBeLessThan(big.length / 4);
});
