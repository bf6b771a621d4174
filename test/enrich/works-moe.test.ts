/**
 * Works invoices (IPM4-027, IPM4-043): cadres A4–A8, A13–A20, A22–A25. Those a supplier deposits,
 * addressed to a code service the routing table gives a MOE for, go to the MOE's outbox with CSMOE; everything else
 * goes to the recipient's finance SI. Every works invoice carries DateMiseADispositionMOE.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Recipient } from '../../src/config/config';
import { routeOf, enrichInvoice } from '../../src/transform/enrich/enrich';
import { isWorksCadre, WORKS_CADRES } from '../../src/transform/chorus/routing';
import { parseFlux } from '../../src/transform/parse/flux';
import type { Invoice } from '../../src/model/invoice';
import { FIXTURES_INBOX } from '../helpers/run';

const recipient: Recipient = {
  siret: '21787789300016',
  recepteurId: 'VALM01',
  name: 'Commune de Valmont-sur-Loire',
  codeServices: [{ code: 'TRAVAUX' }, { code: 'FINANCES' }],
  requiresCodeService: true,
  requiresEngagement: false,
  requiredAttachment: false,
  moe: { siret: '91485253800018', codeService: 'MOE01', recepteurId: 'MOEMOR01', forCodeServices: ['TRAVAUX'] },
};

async function works(): Promise<Invoice> {
  const r = await parseFlux(readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/decompte-travaux-a4.xml')));
  if (r.kind === 'CPPStatut') throw new Error('status');
  return r.invoices[0];
}

it('knows the works cadres', () => {
  expect([...WORKS_CADRES].sort()).toEqual(['A13', 'A14', 'A15', 'A16', 'A17', 'A18', 'A19', 'A20', 'A22', 'A23', 'A24', 'A25', 'A4', 'A5', 'A6', 'A7', 'A8'].sort());
  for (const c of ['A1', 'A2', 'A3', 'A9', 'A10', 'A12', 'A21']) expect(isWorksCadre(c)).toBe(false);
});

it('routes a works invoice for the MOE code service to the MOE, with the MOE fields', async () => {
  const inv = await works();
  const e = enrichInvoice(inv, { idCpro: '42', receptionDate: '2026-11-27', renvoi: 'Non', recipient });
  expect(e.route).toEqual({ recepteurId: 'MOEMOR01', recepteurLabel: 'MOE 91485253800018', toMoe: true, csmoe: 'MOE01' });
  expect(e.invoice.chorus.moeAvailabilityDate).toBe('2026-11-27');
  expect(e.invoice.chorus.deliveryDate).toBe('2026-10-31'); // BT-72
});

it('keeps a works invoice for another code service, and a non-works cadre, with the finance SI', async () => {
  const inv = await works();
  expect(routeOf({ ...inv, buyerReference: 'FINANCES' }, recipient).toMoe).toBe(false);
  // a works invoice carries DateMiseADispositionMOE wherever it goes (IPM4-027): it had it only when routed to an MOE
  const toSi = enrichInvoice({ ...inv, buyerReference: 'FINANCES' }, { idCpro: '44', receptionDate: '2026-11-27', renvoi: 'Non', recipient });
  expect(toSi.route.toMoe).toBe(false);
  expect(toSi.invoice.chorus.moeAvailabilityDate).toBe('2026-11-27');
  const noMoe = enrichInvoice(inv, { idCpro: '45', receptionDate: '2026-11-28', renvoi: 'Non', recipient: { ...recipient, moe: undefined } });
  expect(noMoe.invoice.chorus.moeAvailabilityDate).toBe('2026-11-28');
  expect(routeOf({ ...inv, profileId: 'A1' }, recipient)).toMatchObject({ recepteurId: 'VALM01', toMoe: false });
  const e = enrichInvoice({ ...inv, profileId: 'A1', delivery: undefined }, { idCpro: '43', receptionDate: '2026-11-27', renvoi: 'Non', recipient });
  expect(e.invoice.chorus.moeAvailabilityDate).toBeUndefined();
  expect(e.invoice.chorus.deliveryDate).toBe(inv.issueDate); // DateLivraison defaults to the issue date
  expect(e.invoice.delivery).toBeUndefined(); // BT-72 itself stays as sent
  expect(e.invoice.chorus.renvoi).toBe('Non');
  expect(e.invoice.chorus.idCpro).toBe('43');
});

it('sends the MOE the works invoices a supplier deposits, not those the MOE or the MOA deposits (V2_02 Cadre annotation)', async () => {
  const inv = await works();
  for (const cadre of ['A4', 'A5', 'A6', 'A7', 'A8', 'A13', 'A14', 'A22', 'A23']) expect(routeOf({ ...inv, profileId: cadre }, recipient)).toMatchObject({ recepteurId: 'MOEMOR01', toMoe: true, csmoe: 'MOE01' });
  // A15–A20 "Dépôt par une MOE …", A24 / A25 by the maîtrise d'ouvrage: to the recipient's finance SI, which pays them
  for (const cadre of ['A15', 'A16', 'A17', 'A18', 'A19', 'A20', 'A24', 'A25']) {
    const e = enrichInvoice({ ...inv, profileId: cadre }, { idCpro: '46', receptionDate: '2026-11-29', renvoi: 'Non', recipient });
    expect(e.route).toEqual({ recepteurId: 'VALM01', recepteurLabel: 'Commune de Valmont-sur-Loire', toMoe: false });
    expect(e.invoice.chorus.moeAvailabilityDate).toBe('2026-11-29'); // still a works invoice (IPM4-027)
  }
});
