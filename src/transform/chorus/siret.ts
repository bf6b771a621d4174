/**
 * SIRET: 14 digits (SIREN 9 + NIC 5) with a Luhn key, except the La Poste family
 * (SIREN 356000000) whose establishments are numbered with a key "digit sum mod 5 = 0".
 */
import type { Identifier, Party } from '../../model/invoice';

export const LA_POSTE_SIREN = '356000000';
/** ISO 6523 ICD for SIRET / SIRENE establishment numbers */
export const SIRET_SCHEME = '0009';

export function luhnValid(digits: string): boolean {
  let total = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    total += d;
  }
  return total % 10 === 0;
}

export type SiretCheck = { ok: true } | { ok: false; reason: string };

export function checkSiret(value: string): SiretCheck {
  if (!/^\d{14}$/.test(value)) return { ok: false, reason: `"${value}" is not 14 digits` };
  if (value.startsWith(LA_POSTE_SIREN)) {
    let s = 0;
    for (const c of value) s += c.charCodeAt(0) - 48;
    return s % 5 === 0 ? { ok: true } : { ok: false, reason: `"${value}" (La Poste family) has a bad key: its digit sum is not a multiple of 5` };
  }
  return luhnValid(value) ? { ok: true } : { ok: false, reason: `"${value}" has a bad Luhn key` };
}

function fromIdentifier(id: Identifier | undefined): string | undefined {
  if (!id) return undefined;
  const v = id.value.trim();
  if (id.scheme === SIRET_SCHEME) return v;
  return undefined;
}

/**
 * The SIRET of a party, from (in order) its legal registration id, its identifiers and its
 * electronic address when qualified by scheme 0009; else a bare 14-digit legal id of a French party.
 */
export function partySiret(p: Party): string | undefined {
  const qualified = fromIdentifier(p.legalId) ?? p.identifiers.map(fromIdentifier).find((x) => x !== undefined) ?? fromIdentifier(p.electronicAddress);
  if (qualified !== undefined) return qualified;
  const bare = p.legalId?.value.trim();
  if (bare && p.legalId?.scheme === undefined && /^\d{14}$/.test(bare) && (p.address?.countryCode ?? 'FR') === 'FR') return bare;
  return undefined;
}
