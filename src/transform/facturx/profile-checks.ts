/**
 * Rules a profile cannot meet for want of room, beyond the mandatory elements of the table:
 * MINIMUM has no seller identifier (BT-29), so BR-CO-26 needs BT-30 or BT-31 there.
 */
import type { Invoice } from '../../model/invoice';
import type { CiiProblem } from './cii-generate';
import type { FacturXProfile } from './profiles';

const present = (s: string | undefined) => s !== undefined && s.trim() !== '';

export function profileProblems(inv: Invoice, profile: FacturXProfile): CiiProblem[] {
  const out: CiiProblem[] = [];
  if (profile === 'MINIMUM' && !present(inv.seller.legalId?.value) && !present(inv.seller.vatId)) {
    out.push({
      path: '/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty',
      bt: 'BR-CO-26 seller legal registration identifier (BT-30) or VAT identifier (BT-31): MINIMUM cannot carry BT-29',
    });
  }
  return out;
}
