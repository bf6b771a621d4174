/**
 * The routing table lookups: a buyer SIRET to its recipient (finance SI), and a works
 * invoice a supplier deposits to the MOE's outbox when the recipient names one (IPM4-043).
 */
import type { Recipient } from '../../config/config';

export function findRecipientIn(recipients: readonly Recipient[], siret: string | undefined): Recipient | undefined {
  if (siret === undefined) return undefined;
  // a loop, not a closure over the SIRET per call (docs/PERFORMANCE.md, thirty-first round)
  for (const r of recipients) if (r.siret === siret) return r;
  return undefined;
}

/** Cadres de facturation of works invoices (travaux): A4–A8, A13–A20, A22–A25. */
export const WORKS_CADRES: ReadonlySet<string> = new Set([
  'A4', 'A5', 'A6', 'A7', 'A8', 'A13', 'A14', 'A15', 'A16', 'A17', 'A18', 'A19', 'A20', 'A22', 'A23', 'A24', 'A25',
]);

export function isWorksCadre(cadre: string): boolean {
  return WORKS_CADRES.has(cadre);
}

/**
 * Works cadres the MOE (A15–A20) or the maîtrise d'ouvrage (A24, A25) deposits itself, as the
 * V2_02 XSD's Cadre annotation says: the MOE sends those, it is not who receives them. Routed to
 * the MOE, an état d'acompte the MOE had validated (A16) went back to the MOE's outbox and never
 * reached the recipient's finance SI, which pays it.
 */
export const DEPOSITED_BY_MOE_OR_MOA: ReadonlySet<string> = new Set(['A15', 'A16', 'A17', 'A18', 'A19', 'A20', 'A24', 'A25']);

/** A works invoice a supplier (or co-contractor) deposits: the one the MOE receives (IPM4-043). */
export function isForMoe(cadre: string): boolean {
  return isWorksCadre(cadre) && !DEPOSITED_BY_MOE_OR_MOA.has(cadre);
}
