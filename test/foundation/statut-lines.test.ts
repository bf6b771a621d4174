/**
 * A CPPStatut invoice line is written for invoices that were refused, often for the very values
 * it would carry: it takes only what the CPPStatut V1_19 XSD accepts (the official schema is
 * the oracle), and leaves out an optional value it cannot carry rather than write an invalid flow.
 */
import { readFileSync } from 'node:fs';
import { invoiceStatusLine } from '../../src/emit/statut/build';
import { serializeStatut } from '../../src/emit/statut/serialize';
import { parseFlux } from '../../src/transform/parse/flux';
import { SCHEMAS } from '../helpers/corpus';
import { PAPETERIE } from '../helpers/ubl-attachments';
import { validateStrings } from '../helpers/xsd';

async function papeterie() {
  const flux = await parseFlux(readFileSync(PAPETERIE));
  if (flux.kind === 'CPPStatut') throw new Error('not an invoice');
  return flux.invoices[0];
}

function flowOf(line: NonNullable<ReturnType<typeof invoiceStatusLine>>): string {
  return serializeStatut({ dtPrd: '2026-12-05', idFlx: 'CFXTEST', recepteur: { id: 'OPALPHA' }, emetteur: { id: 'CFX001' }, factures: [line] });
}

it('leaves out a code service over 100 characters, an impossible date, and cuts a complement to 40', async () => {
  const inv = await papeterie();
  inv.buyerReference = 'S'.repeat(101);
  inv.issueDate = '2026-13-45';
  inv.chorus.supplierIdType = 'NaN';
  const line = invoiceStatusLine(inv, '05', '2026-12-05T10:00:00.000Z', 'refusée', 'Rejetée pour un motif qui ne tient pas en quarante caractères')!;
  expect(line.buyer.codeService).toBeUndefined();
  expect(line.dateFacture).toBeUndefined();
  expect(line.supplier.typeId).toBe('1'); // the seller's SIRET, not the pivot input's junk
  const xml = flowOf(line);
  expect(validateStrings(SCHEMAS.statut, [xml]).map((r) => r.errors)).toEqual([[]]);
  expect(/<ComplementStatut>([^<]*)</.exec(xml)?.[1].length).toBeLessThanOrEqual(40);
});

it('keeps them when they fit', async () => {
  const inv = await papeterie();
  inv.buyerReference = 'SERVICE-01';
  const line = invoiceStatusLine(inv, '05', '2026-12-05T10:00:00.000Z', undefined, 'Rejetée')!;
  expect(line.buyer.codeService).toBe('SERVICE-01');
  expect(line.dateFacture).toBe(inv.issueDate);
  expect(validateStrings(SCHEMAS.statut, [flowOf(line)]).map((r) => r.errors)).toEqual([[]]);
});
