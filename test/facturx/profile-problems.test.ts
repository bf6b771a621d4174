/**
 * What a profile lacks, as the Factur-X reports it, is unchanged by the cheaper ways it is now
 * found: the CII walk makes a problem's path only when it reports one (it built the path of
 * every element walked), and makeBestFacturX asks `profileRefused`, which takes the double sums
 * only when the seller's identifiers pass, before walking a profile. The paths of a line's
 * missing name, of an amount with three decimals, of a missing unit attribute and of a double
 * sum are those the walk gave before; `profileRefused` says the same as profileProblems over
 * every official example at every profile, as given and without the seller's identifiers.
 */
import { readFileSync } from 'node:fs';
import type { Invoice } from '../../src/model/invoice';
import { facturXData, makeBestFacturX } from '../../src/transform/facturx/make';
import { profileProblems, profileRefused } from '../../src/transform/facturx/profile-checks';
import { completeForFacturX } from '../../src/transform/facturx/complete';
import { PROFILES } from '../../src/transform/facturx/profiles';
import { parseFlux } from '../../src/transform/parse/flux';
import { corpus, corpusFiles } from '../helpers/corpus';

async function invoiceOf(file: string): Promise<Invoice> {
  const flux = await parseFlux(readFileSync(file));
  if (flux.kind === 'CPPStatut') throw new Error('not an invoice');
  return flux.invoices[0];
}

const LINE = '/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem';
const SUMMATION = '/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeSettlementHeaderMonetarySummation';

describe('Factur-X profile problems', () => {
  it('a problem names the element where it is, repeated elements by their rank', async () => {
    const inv = structuredClone(await invoiceOf(corpus('en16931/ubl-examples/ubl-tc434-example1.xml')));
    inv.lines[0].unitCode = undefined;
    inv.lines[1].item.name = undefined;
    inv.lines[2].netAmount = '12.345';
    expect(facturXData(inv, 'EN 16931').problems).toEqual([
      { path: `${LINE}[1]/ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode`, bt: 'BT-130 invoiced quantity unit of measure (BR-23)' },
      { path: `${LINE}[2]/ram:SpecifiedTradeProduct/ram:Name`, bt: 'BT-153 item name' },
      {
        path: `${LINE}[3]/ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount`,
        bt: 'BT-131 invoice line net amount',
        detail: '"12.345" has more than 2 decimals (BR-DEC)',
      },
      {
        path: `${SUMMATION}/ram:LineTotalAmount`,
        bt: 'BR-CO-10',
        detail: 'ram:LineTotalAmount 229.60 is not what the official CII schematron sums in binary floating point (233.65): an amount has more significant digits than a double holds',
      },
    ]);
    // the richest profile without lines takes it, with nothing missing
    const best = await makeBestFacturX(inv, 'EN 16931');
    expect([best.profile, best.problems]).toEqual(['BASIC WL', []]);
  });

  it('profileRefused agrees with profileProblems on every official example, with and without the seller identifiers', async () => {
    const files = [...corpusFiles('en16931/ubl-examples'), ...corpusFiles('en16931/cii-examples')];
    let refused = 0;
    let compared = 0;
    for (const file of files) {
      let inv: Invoice;
      try {
        inv = await invoiceOf(file);
      } catch {
        continue; // an example that is no invoice of ours
      }
      const bare = structuredClone(inv);
      bare.seller.vatId = undefined;
      bare.seller.legalId = undefined;
      bare.seller.taxRegistrationId = undefined;
      for (const variant of [inv, bare].map((i) => completeForFacturX(i))) {
        for (const profile of PROFILES) {
          const problems = profileProblems(variant, profile);
          expect({ file, profile, refused: profileRefused(variant, profile) }).toEqual({ file, profile, refused: problems.length > 0 });
          if (problems.length > 0) refused++;
          compared++;
        }
      }
    }
    // both answers met: the comparison is not all of one kind
    expect(compared).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(10);
    expect(refused).toBeLessThan(compared);
  });
});
