/**
 * The Factur-X made for a pivot names the buyer by the SIRET that routed the invoice. Found by
 * an independent check: a CII buyer with its own ram:ID and a SIRET GlobalID (CII D16B's
 * order) kept only the ram:ID in the generated factur-x.xml — the Factur-X disagreed with its
 * own pivot, and deposited again it was refused (CPRO-DESTINATAIRE-SIRET): 5 of the 15 official
 * CII examples.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { extractEmbeddedInvoice } from '../../src/transform/facturx/extract';
import { corpus } from '../helpers/corpus';
import { routedCii, SIRET } from '../helpers/routed-examples';
import { bundledConfig, runOnce, tempDir } from '../helpers/run';

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
