/**
 * The routing table lookups: a buyer SIRET to its recipient (finance SI), and a works
 * invoice to the MOE's outbox when the recipient names one (IPM4-043).
 */
import type { Recipient } from '../../config/config';

export function findRecipientIn(recipients: readonly Recipient[], siret: string | undefined): Recipient | undefined {
  if (siret === undefined) return undefined;
  return recipients.find((r) => r.siret === siret);
}

/** Cadres de facturation of works invoices (travaux): A4–A8, A13–A20, A22–A25. */
export const WORKS_CADRES: ReadonlySet<string> = new Set([
  'A4', 'A5', 'A6', 'A7', 'A8', 'A13', 'A14', 'A15', 'A16', 'A17', 'A18', 'A19', 'A20', 'A22', 'A23', 'A24', 'A25',
]);

export function isWorksCadre(cadre: string): boolean {
  return WORKS_CADRES.has(cadre);
}
