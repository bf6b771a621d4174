/**
 * The supplier as the pivot and the status flows name it (Fournisseur/TypeIdentifiant and
 * Identifiant): its SIRET when it has one, else the identifier a supplier outside the SIRENE
 * register is known by (arrêté of 2016 on Chorus Pro identification), else its VAT or legal id.
 */
import type { Identifier, Invoice } from '../../model/invoice';
import { partySiret } from './siret';

/** Fournisseur/TypeIdentifiant: 1 SIRET, 2 EU outside France, 3 outside the EU. */
const EU = new Set(['AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'GR', 'EL', 'HR', 'HU', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK']);

/**
 * The reform's ISO 6523 schemes of those identifiers (docs/CDAR.md "Identifiers") and the
 * TypeIdentifiant each is: a New Caledonian supplier's RIDET (0228) is 4, a Polynesian one's
 * TAHITI (0229) 5 — by country alone both were 3 "hors UE", their VAT-like id the Identifiant.
 */
const SCHEME_TYPE: Readonly<Record<string, string>> = { '0223': '2', '0227': '3', '0228': '4', '0229': '5' };

/** The seller's BT-30, else BT-29, qualified by one of those schemes. */
function schemedId(inv: Invoice): { type: string; value: string } | undefined {
  const ids: (Identifier | undefined)[] = [inv.seller.legalId, ...inv.seller.identifiers];
  for (const id of ids) {
    const type = SCHEME_TYPE[id?.scheme?.trim() ?? ''];
    const value = id?.value.trim();
    if (type && value) return { type, value };
  }
  return undefined;
}

export function supplierIdType(inv: Invoice): string {
  // a pivot input's own value when the pivot allows it (CPRO-PIVOT-CODE refuses the invoice
  // otherwise); the status line telling that refusal still needs a valid one
  const given = inv.chorus.supplierIdType?.trim();
  if (given && /^0*[1-7]$/.test(given)) return String(Number(given));
  if (partySiret(inv.seller)) return '1';
  const schemed = schemedId(inv);
  if (schemed) return schemed.type;
  const country = inv.seller.address?.countryCode ?? '';
  return EU.has(country) ? '2' : country === 'FR' ? '1' : '3';
}

export function supplierId(inv: Invoice): string | undefined {
  return inv.chorus.supplierId ?? partySiret(inv.seller) ?? schemedId(inv)?.value ?? inv.seller.vatId ?? inv.seller.legalId?.value ?? inv.seller.identifiers[0]?.value;
}
