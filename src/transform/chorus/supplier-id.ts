/**
 * The supplier as the pivot and the status flows name it (Fournisseur/TypeIdentifiant and
 * Identifiant): its SIRET when it has one, else its VAT or legal id.
 */
import type { Invoice } from '../../model/invoice';
import { partySiret } from './siret';

/** Fournisseur/TypeIdentifiant: 1 SIRET, 2 EU outside France, 3 outside the EU. */
const EU = new Set(['AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'GR', 'EL', 'HR', 'HU', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK']);
export function supplierIdType(inv: Invoice): string {
  // a pivot input's own value when the pivot allows it (CPRO-PIVOT-CODE refuses the invoice
  // otherwise); the status line telling that refusal still needs a valid one
  const given = inv.chorus.supplierIdType?.trim();
  if (given && /^0*[1-7]$/.test(given)) return String(Number(given));
  if (partySiret(inv.seller)) return '1';
  const country = inv.seller.address?.countryCode ?? '';
  return EU.has(country) ? '2' : country === 'FR' ? '1' : '3';
}

export function supplierId(inv: Invoice): string | undefined {
  return inv.chorus.supplierId ?? partySiret(inv.seller) ?? inv.seller.vatId ?? inv.seller.legalId?.value ?? inv.seller.identifiers[0]?.value;
}
