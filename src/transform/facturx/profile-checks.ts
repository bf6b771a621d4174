/**
 * Rules beyond the mandatory elements of the table that decide whether a profile can be made:
 * - MINIMUM has no seller identifier (BT-29), so BR-CO-26 needs BT-30 or BT-31 there;
 * - from BASIC WL on, VAT categories are written: a taxed category needs a seller VAT
 *   identifier (BT-31), tax registration (BT-32) or tax representative (BT-63) — BR-S-02,
 *   BR-Z-02, BR-E-02, BR-AE-02, BR-IC-02, BR-G-02 and their -03/-04 siblings. A pivot has none.
 * - the four totals the official CII schematron sums in doubles must come out right there
 *   (double-sums.ts: amounts of more than 15 significant digits).
 * The full EN 16931 rule set is the validation engine's (the CLI runs it too).
 */
import type { Invoice } from '../../model/invoice';
import type { CiiProblem } from './cii-generate';
import { doubleSumProblems } from './double-sums';
import type { FacturXProfile } from './profiles';

const present = (s: string | undefined) => s !== undefined && s.trim() !== '';

export function profileProblems(inv: Invoice, profile: FacturXProfile): CiiProblem[] {
  const out = partyProblems(inv, profile);
  out.push(...doubleSumProblems(inv, profile));
  return out;
}

/**
 * Whether profileProblems finds anything, the cheap checks first: the double sums (exact
 * decimals of doubles, in BigInt) are taken only when the parties pass. Most pivots lack the
 * seller's VAT id and are refused every profile above MINIMUM by that alone.
 */
export function profileRefused(inv: Invoice, profile: FacturXProfile): boolean {
  return partyProblems(inv, profile).length > 0 || doubleSumProblems(inv, profile).length > 0;
}

const TAXED = new Set(['S', 'Z', 'E', 'AE', 'K', 'G', 'L', 'M']);

// made once, not per document (docs/PERFORMANCE.md, thirty-first round)
const breakdownCategory = (v: Invoice['vatBreakdown'][number]) => v.category;
const lineCategory = (l: Invoice['lines'][number]) => l.vat.category;
const acCategory = (a: Invoice['allowanceCharges'][number]) => a.vatCategory;
const trimmedCategory = (c: string | undefined) => (c ?? '').trim();
const isTaxed = (c: string) => TAXED.has(c);

/** The seller identifiers the profile needs (BR-CO-26 for MINIMUM, a VAT id for taxed categories above). */
function partyProblems(inv: Invoice, profile: FacturXProfile): CiiProblem[] {
  const out: CiiProblem[] = [];
  if (profile === 'MINIMUM' && !present(inv.seller.legalId?.value) && !present(inv.seller.vatId)) {
    out.push({
      path: '/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty',
      bt: 'BR-CO-26 seller legal registration identifier (BT-30) or VAT identifier (BT-31): MINIMUM cannot carry BT-29',
    });
  }
  if (profile !== 'MINIMUM') {
    const categories = [...inv.vatBreakdown.map(breakdownCategory), ...inv.lines.map(lineCategory), ...inv.allowanceCharges.map(acCategory)];
    const used = [...new Set(categories.map(trimmedCategory).filter(isTaxed))];
    const hasVatId = present(inv.seller.vatId) || present(inv.seller.taxRegistrationId) || present(inv.taxRepresentative?.vatId);
    if (used.length > 0 && !hasVatId) {
      out.push({
        path: '/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty/ram:SpecifiedTaxRegistration',
        bt: `BT-31 / BT-32 / BT-63 seller VAT identifier, needed by the VAT categories ${used.join(', ')} (BR-${used[0] === 'K' ? 'IC' : used[0]}-02)`,
      });
    }
  }
  return out;
}
