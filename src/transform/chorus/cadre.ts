/**
 * The cadre de facturation (BT-23, pivot `Cadre`): A1 … A25 (A11 is not one of the pivot's),
 * default A1. A UBL or CII business process may name it as such (`A5`, `a5`) or end with it
 * after a separator (`urn:…:A5`, `Cadre A5`); anything else — a Peppol process id, a typo, `A26` — is the default A1, said by
 * warning CPRO-CADRE (a works invoice read as A1 goes to the finance SI, not the MOE).
 */
import type { Invoice } from '../../model/invoice';

const CADRE = /^A([1-9]|1[0-9]|2[0-5])$/;
// the cadre ending the value after any separator ("urn:…:A5", "Cadre A4", "CADRE_A4"), not inside a word ("DATA12", "FRA5")
const ENDS_WITH_CADRE = /(?:^|[^A-Z0-9])(A(?:[1-9]|1[0-9]|2[0-5]))$/;

/** The cadre BT-23 names, if it names one. */
export function namedCadre(profileId: string | undefined): string | undefined {
  const p = (profileId ?? '').trim().toUpperCase();
  if (CADRE.test(p)) return p === 'A11' ? undefined : p;
  const m = ENDS_WITH_CADRE.exec(p);
  return m && m[1] !== 'A11' ? m[1] : undefined;
}

/** BT-23 → Cadre de facturation (A1 … A25); anything else is the default A1. */
export function pivotCadre(inv: Invoice): string {
  return namedCadre(inv.profileId) ?? 'A1';
}
