/**
 * A Factur-X MINIMUM or BASIC WL is not an invoice under EN 16931: it carries no lines (BG-25)
 * and only the totals an accounting entry needs (Factur-X 1.0 specification, §3). Chorus Pro
 * takes the BASIC, EN 16931 and EXTENDED profiles. Such a file fails up to fifteen EN 16931
 * rules (BR-16 "at least one line", BR-CO-10…), none of which tells the supplier what to do;
 * this rule runs first, so that the reason a flow carries (cut at 300 characters) says it.
 */
import type { Rule } from '../rule';

/** BT-24 of the two profiles, as the Factur-X 1.0 specification (and ZUGFeRD 2.x) write them. */
const NOT_INVOICES: ReadonlyMap<string, string> = new Map([
  ['urn:factur-x.eu:1p0:minimum', 'MINIMUM'],
  ['urn:factur-x.eu:1p0:basicwl', 'BASIC WL'],
  ['urn:zugferd.de:2p0:minimum', 'MINIMUM'],
  ['urn:zugferd.de:2p0:basicwl', 'BASIC WL'],
]);

const BT24_PATH = '/rsm:CrossIndustryInvoice/rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID';

export const FACTURX_PROFILE_RULES: Rule[] = [
  {
    id: 'FACTURX-PROFIL',
    severity: 'fatal',
    profile: 'en16931',
    family: 'Factur-X',
    appliesTo: 'invoice (CII, Factur-X)',
    message:
      'The Factur-X profile is {profile} (BT-24 {guideline}): it has no invoice lines and is not an EN 16931 invoice. Chorus Pro takes the BASIC, EN 16931 or EXTENDED profile; send the invoice again in one of them.',
    check: (ctx) => {
      if (ctx.invoice.syntax !== 'CII') return undefined;
      const guideline = ctx.invoice.customizationId?.trim();
      const profile = guideline === undefined ? undefined : NOT_INVOICES.get(guideline.toLowerCase());
      return profile === undefined ? undefined : [{ path: BT24_PATH, values: { profile, guideline } }];
    },
  },
];
