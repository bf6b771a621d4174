/**
 * The Recepteur id written in the status flows sent to a partner: its `statusRecepteurId`, or
 * by default its id's letters and digits, the first 8 (CPPStatut's Recepteur/Id is 3 to 8 of
 * them), padded with 0 to 3.
 */
import type { Partner } from './config';

export function partnerRecepteurId(partner: Pick<Partner, 'id' | 'statusRecepteurId'>): string {
  if (partner.statusRecepteurId) return partner.statusRecepteurId;
  const id = partner.id.replace(/[^A-Za-z0-9]/g, '').slice(0, 8);
  return id.length >= 3 ? id : id.padEnd(3, '0');
}
