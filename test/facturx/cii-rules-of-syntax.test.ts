/**
 * A UBL invoice the official UBL schematron finds valid can make a CII the official CII
 * schematron refuses: the two differ (UBL BR-S-08 takes a VAT base within 1 of its lines' sum,
 * the CII one wants it equal; an empty UBL reason element counts as a reason, and the CII wrote
 * none; a zero written "-0.00" is zero to the UBL rules, not to the CII ones' `= 0`). Such a Factur-X went out attached to the pivot as an EN 16931 one. Oracles: Saxon-HE
 * with the official UBL and CII schematrons; the Factur-X kept is valid, or is a profile
 * without lines (not an EN 16931 invoice, which that schematron does not judge).
 */
import { readFileSync } from 'node:fs';
import { makeBestFacturX } from '../../src/transform/facturx/make';
import { PROFILE_INFO } from '../../src/transform/facturx/profiles';
import { parseFlux } from '../../src/transform/parse/flux';
import { corpus } from '../helpers/corpus';
import { fatalIds, saxonValidate } from '../validation/support/saxon';

const ubl = (name: string) => readFileSync(corpus('en16931/ubl-examples', name), 'utf8');

const CASES: { name: string; xml: string; keepsProfile?: boolean }[] = [
  // 183.23 is the sum of the lines at 25 %: one cent more is within the UBL tolerance
  { name: 'vat-base-one-cent-off', xml: ubl('ubl-tc434-example1.xml').replace('<cbc:TaxableAmount currencyID="EUR">183.23<', '<cbc:TaxableAmount currencyID="EUR">183.24<') },
  // an empty reason with no code counts as a reason in both syntaxes: written empty, as sent
  { name: 'charge-reason-empty', xml: ubl('ubl-tc434-example2.xml').replace('<cbc:AllowanceChargeReason>Freight<', '<cbc:AllowanceChargeReason><'), keepsProfile: true },
  { name: 'exemption-reason-empty', xml: ubl('ubl-tc434-creditnote1.xml').replace('<cbc:TaxExemptionReason>Taxes are not applicable<', '<cbc:TaxExemptionReason><'), keepsProfile: true },
  // a zero signed: the same value, kept in an EN 16931 Factur-X
  { name: 'exempt-vat-minus-zero', xml: ubl('ubl-tc434-example2.xml').replace('<cbc:TaxAmount currencyID="NOK">0.00<', '<cbc:TaxAmount currencyID="NOK">-0.00<'), keepsProfile: true },
  { name: 'exempt-rate-minus-zero', xml: ubl('ubl-tc434-creditnote1.xml').replaceAll('<cbc:Percent>0.00<', '<cbc:Percent>-0.00<'), keepsProfile: true },
];

describe('the Factur-X of a UBL invoice valid in UBL', () => {
  const ublFatal = new Map<string, string[]>();
  const made = new Map<string, { profile: string; xml: string }>();
  let ciiFatal: Map<string, string>;

  beforeAll(async () => {
    const svrl = saxonValidate(CASES.map((c) => ({ name: c.name, syntax: 'UBL' as const, xml: c.xml })));
    for (const c of CASES) {
      ublFatal.set(c.name, fatalIds(svrl.get(c.name) as string));
      const flux = await parseFlux(Buffer.from(c.xml, 'utf8'));
      if (flux.kind === 'CPPStatut') throw new Error('not an invoice');
      const r = await makeBestFacturX(flux.invoices[0], 'EN 16931');
      made.set(c.name, { profile: r.profile, xml: r.xml });
    }
    const withLines = CASES.filter((c) => PROFILE_INFO[made.get(c.name)!.profile as keyof typeof PROFILE_INFO].lines);
    ciiFatal = saxonValidate(withLines.map((c) => ({ name: c.name, syntax: 'CII' as const, xml: made.get(c.name)!.xml })));
  }, 120_000);

  it.each(CASES.map((c) => [c.name]))('%s: the UBL is valid, and the CII made is valid or no EN 16931 invoice', (name) => {
    expect(ublFatal.get(name)).toEqual([]);
    const m = made.get(name)!;
    if (CASES.find((c) => c.name === name)?.keepsProfile) expect(m.profile).toBe('EN 16931');
    if (PROFILE_INFO[m.profile as keyof typeof PROFILE_INFO].lines) {
      expect({ profile: m.profile, fatal: fatalIds(ciiFatal.get(name) as string) }).toEqual({ profile: m.profile, fatal: [] });
    } else {
      expect(['MINIMUM', 'BASIC WL']).toContain(m.profile);
    }
  });
});
