/**
 * Many distinct, valid UBL invoices (and some broken files) from the Papeterie fixture, for
 * the production-mode tests; big multi-invoice pivots from the La Poste fixture.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const PAPETERIE = readFileSync(path.resolve(__dirname, '../../fixtures/inbox/op-alpha/facture-e1-papeterie.xml'), 'utf8');

export function invoiceNumbered(n: number, note = ''): string {
  const number = `F-2026-${String(n).padStart(6, '0')}`.slice(0, 20);
  return PAPETERIE.replace('<cbc:ID>F-2026-0101</cbc:ID>', `<cbc:ID>${number}</cbc:ID>`).replace('Fournitures scolaires — rentrée de novembre', `Fournitures scolaires ${n}${note}`);
}

export function brokenFile(n: number): string {
  return invoiceNumbered(n).slice(0, 900 + (n % 400));
}

const LAPOSTE = readFileSync(path.resolve(__dirname, '../../fixtures/inbox/op-beta/pivot-laposte-3-factures.xml'), 'utf8');

/** The La Poste pivot's first invoice `n` times (to Valmont), each with its own number. */
export function bigPivot(n: number): string {
  const [head, first] = LAPOSTE.split('<CPPFacturePivotUnitaire');
  const unit = `<CPPFacturePivotUnitaire${first.replace(/<\/CPPFactures>[\s\S]*$/, '')}`;
  const tail = `</CPPFactures>${LAPOSTE.split('</CPPFactures>')[1]}`;
  const body = Array.from({ length: n }, (_, k) => unit.replace(/LP-2026-558812/g, `LP-GROS-${k}`).replace(/NumOrdre="1"/, `NumOrdre="${k + 1}"`)).join('\n');
  return head.replace(/ompteur="\d+"/, `ompteur="${n}"`) + body + tail;
}
