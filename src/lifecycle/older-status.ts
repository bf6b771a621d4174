/**
 * The words of CPRO-STATUT-ANTERIEUR: a finance SI's status dated before one the invoice already
 * has. Its reason goes into a status flow, cut at 300 characters (IPM4-009): with the line's
 * label (a 20-character invoice, a SIRET), two Horodatage of 35 characters (nanoseconds and an
 * offset) and the state names (up to 28 characters each, four of them), the wording before
 * 2026-12-08 lost its why past the cut. So the statuses are named by their codes, as the SI sent
 * them (IdStatut), the facts first, and the whole fits (test/validation/reason-key-facts.test.ts).
 */
import { CODE_OF, type StateName } from './states';

export interface OlderStatus {
  /** the status refused and its Horodatage */
  to: StateName;
  siAt: string;
  /** the status it is older than, and its Horodatage */
  newer: { to: StateName; siAt: string };
}

/** Older than the invoice's last status; `then`: the state it was in at that moment, when that is why a late step is refused. */
export function olderThanLast({ to, siAt, newer }: OlderStatus, then?: StateName): string {
  const wasThen = then ? ` (then ${CODE_OF[then]}, which cannot become ${CODE_OF[to]})` : '';
  return `status ${CODE_OF[to]} of ${siAt} is older than the invoice's last, ${CODE_OF[newer.to]} of ${newer.siAt}${wasThen}: a late status does not replace a newer one.`;
}

/** Not later than a status the supplier has since answered (the invoice went out again with `renvoi`). */
export function olderThanAnswered({ to, siAt, newer }: OlderStatus, renvoi: string | undefined): string {
  return `status ${CODE_OF[to]} of ${siAt} is ${to === newer.to ? 'not later than' : 'older than'} ${CODE_OF[newer.to]} of ${newer.siAt}, which the supplier has since answered (sent again, Renvoi ${renvoi}): it is about the invoice as it was.`;
}
