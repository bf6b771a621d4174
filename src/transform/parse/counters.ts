/**
 * The counters a flow declares (`CPPFactures@Compteur` of a pivot, `compteur` of a CPPStatut's
 * lists): an xs:nonNegativeInteger, equal to the number of entries that follow. A counter that
 * says otherwise means a flow cut or put together wrong; it is refused whole (FLUX-COMPTEUR), so
 * that no invoice or status of it is taken while others are missing. A flow without a counter
 * is taken (the XSDs make it optional).
 */
import { FluxError } from '../../model/flux-error';
import { xmlTrim } from '../../xml/xml-space';
import { attr, kid, kids, type XNode } from '../../xml/nodes';

const NON_NEGATIVE_INTEGER = /^(\+?\d+|-0+)$/;

/** Throws FLUX-COMPTEUR when `declared` (the attribute as written) is not a count, or not `actual`. */
export function checkCounter(declared: string | undefined, actual: number, where: string, what: string): void {
  if (declared === undefined) return;
  const v = xmlTrim(declared);
  if (!NON_NEGATIVE_INTEGER.test(v)) {
    throw new FluxError('FLUX-COMPTEUR', `${where} is "${declared.slice(0, 40)}", not a count (a whole number, 0 or more).`, where);
  }
  const n = Number(v.replace(/^[+-]/, ''));
  if (n !== actual) {
    throw new FluxError('FLUX-COMPTEUR', `${where} says ${n} ${what}, but the flow holds ${actual}: a flow cut short or put together wrong is refused whole, so that none of it is taken while the rest is missing.`, where);
  }
}

/** The counters of a CPPStatut: its invoice statuses and its flow statuses. */
export function checkStatutCounters(root: XNode): void {
  for (const [list, unit, what] of [
    ['CPPFactureStatuts', 'CPPFactureStatutUnitaire', 'invoice status(es)'],
    ['CPPFluxStatuts', 'CPPFluxStatutUnitaire', 'flow status(es)'],
  ] as const) {
    const node = kid(root, list);
    if (node) checkCounter(attr(node, 'compteur'), kids(node, unit).length, `/CPPStatut/${list}/@compteur`, what);
  }
}
