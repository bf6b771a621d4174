/**
 * Values the CII writes in a normalised form, and which the visible page shows the same way,
 * so that the page and the factur-x.xml say one thing: whether an account is an IBAN (IBANID
 * in the CII, "IBAN" on the page; another id is ProprietaryID and "Compte"), and a VATEX
 * exemption code in upper case (the code list is upper case; the Factur-X schematron compares
 * it as written), a quantity or VAT rate without the zeros past the French Flux 2 limits.
 */
import { unsignedZero, withDecimals } from './cii-tree';

const IBAN = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;

export function isIban(id: string | undefined): boolean {
  return id !== undefined && IBAN.test(id.replace(/\s+/g, '').toUpperCase());
}

/** A VATEX code upper-cased and trimmed; another code trimmed; empty → undefined. */
export function vatexCode(s: string | undefined): string | undefined {
  if (s === undefined || s.trim() === '') return undefined;
  return /^vatex-/i.test(s) ? s.trim().toUpperCase() : s.trim();
}

/** A quantity (BT-129, BT-149) as the CII writes it: at most 4 decimals when the others are zeros (withDecimals). */
export function ciiQuantity(s: string | undefined): string | undefined {
  return s === undefined ? undefined : withDecimals(s, 4);
}

/** A VAT rate (BT-96, BT-103, BT-119, BT-152) as the CII writes it: unsigned zero, at most 2 decimals when the others are zeros. */
export function ciiRate(s: string | undefined): string | undefined {
  return s === undefined ? undefined : withDecimals(unsignedZero(s).trim(), 2);
}
