/**
 * Amounts as the pivot writes them. The pivot takes at most 6 decimals (Chorus Pro external
 * specifications, CPRO-MONTANT-FORMAT); the validation judges these values, not the ones sent,
 * so that what is checked is what goes out.
 */
import { dec } from '../../model/decimal';
import type { InvoiceLine } from '../../model/invoice';
import { xmlTrim } from '../../xml/xml-space';

const PAST_SIX = /^([+-]?\d*\.\d{6})(\d*)$/;

/**
 * Zeros past the sixth decimal dropped: "50.00000000", as many ERPs print a price, is 50.000000
 * (they change nothing); a value with a significant seventh decimal is left for the check to refuse.
 */
export function pivotAmount(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const m = PAST_SIX.exec(xmlTrim(v));
  return m && /^0+$/.test(m[2]) ? m[1] : v;
}

/**
 * Ligne/PrixUnitaire: the price of one unit of Quantite. EN 16931 gives a price per BT-149
 * units ("15.24 per 12"); the pivot has no base quantity, so a price per 12 written as it came
 * made PrixUnitaire × Quantite twelve times MontantHT. Divided, rounded half up to the
 * pivot's 6 decimals; as written when BT-149 is absent, 1, or not a positive decimal.
 */
export function pivotUnitPrice(l: InvoiceLine): string | undefined {
  const net = l.price.net;
  const base = dec(l.price.baseQuantity);
  const price = dec(net);
  if (!price || !base || base.lte(0) || base.eq(1)) return pivotAmount(net);
  return price.div(base).round(6, 1 /* half up */).toFixed();
}
