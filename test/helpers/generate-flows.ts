/**
 * Many distinct, valid UBL invoices (and some broken files) from the Papeterie fixture, for
 * the production-mode tests.
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
