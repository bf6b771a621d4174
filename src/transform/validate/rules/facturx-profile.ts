/**
 * A Factur-X MINIMUM or BASIC WL is not an invoice under EN 16931: it carries no lines (BG-25)
 * and only the totals an accounting entry needs (Factur-X 1.0 specification, §3). Chorus Pro
 * takes the BASIC, EN 16931 and EXTENDED profiles. Such a file fails up to fifteen EN 16931
 * rules (BR-16 "at least one line", BR-CO-10…), none of which tells the supplier what to do;
 * this rule runs first, so that the reason a flow carries (cut at 300 characters) says it.
 */
import type { Rule } from '../rule';
import { shownActions } from './shown-actions';
import { parseProfile, PROFILE_INFO, PROFILES, type FacturXProfile } from '../../facturx/profiles';

/** BT-24 of the two profiles, as the Factur-X 1.0 specification (and ZUGFeRD 2.x) write them. */
const NOT_INVOICES: ReadonlyMap<string, string> = new Map([
  ['urn:factur-x.eu:1p0:minimum', 'MINIMUM'],
  ['urn:factur-x.eu:1p0:basicwl', 'BASIC WL'],
  ['urn:zugferd.de:2p0:minimum', 'MINIMUM'],
  ['urn:zugferd.de:2p0:basicwl', 'BASIC WL'],
]);

const BT24_PATH = '/rsm:CrossIndustryInvoice/rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID';

/** The profiles by their BT-24 in lower case, the first of PROFILES kept for a BT-24 two share (a table, not a search per invoice). */
const PROFILE_OF_GUIDELINE: ReadonlyMap<string, FacturXProfile> = new Map(
  [...PROFILES].reverse().map((p) => [PROFILE_INFO[p].guideline.toLowerCase(), p]),
);

/** The profile a BT-24 names (Factur-X 1.0 and ZUGFeRD 2.x spellings), undefined when none. */
function profileOfGuideline(guideline: string | undefined): FacturXProfile | undefined {
  const g = guideline?.trim().toLowerCase().replace('urn:zugferd.de:2p0:', 'urn:factur-x.eu:1p0:');
  return g === undefined ? undefined : PROFILE_OF_GUIDELINE.get(g);
}

/** PDF/A-2 and -3 forbid these actions and /AA entries (ISO 19005-2 §6.6): a warning, as the PDF is kept as sent, untouched. */
const ACTIONS_MESSAGE =
  'The PDF holds active content PDF/A-3 forbids ({found}): it is no valid Factur-X PDF. The invoice is read from its embedded XML and the PDF kept as sent, unchanged.';

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
  {
    id: 'FACTURX-XMP',
    severity: 'warning',
    profile: 'en16931',
    family: 'Factur-X',
    appliesTo: 'inbound Factur-X PDF (its XMP metadata)',
    message:
      'The PDF says in its metadata that it is a Factur-X {said} (fx:ConformanceLevel), but its factur-x.xml is {is} (BT-24 {guideline}): the invoice is read from the XML; a reader that trusts the metadata takes it for another profile.',
    check: (ctx) => {
      const said = ctx.invoice.facturxPdf?.conformance;
      const is = profileOfGuideline(ctx.invoice.customizationId);
      if (said === undefined || is === undefined || parseProfile(said) === is) return undefined;
      return [{ path: BT24_PATH, values: { said, is, guideline: ctx.invoice.customizationId ?? '' } }];
    },
  },
  {
    id: 'FACTURX-PDFA',
    severity: 'warning',
    profile: 'en16931',
    family: 'Factur-X',
    appliesTo: 'inbound Factur-X PDF (its XMP metadata)',
    message: 'The PDF does not say it is PDF/A-3 (no pdfaid:part 3 in its metadata{found}): it is no Factur-X PDF. The invoice is read from its embedded XML and the PDF kept as sent.',
    check: (ctx) => {
      const pdf = ctx.invoice.facturxPdf;
      if (pdf === undefined || pdf.pdfaPart?.trim() === '3') return undefined;
      return [{ path: '/', values: { found: pdf.pdfaPart === undefined ? '' : `; it says part ${pdf.pdfaPart}` } }];
    },
  },
  {
    id: 'FACTURX-ACTIONS',
    severity: 'warning',
    profile: 'en16931',
    family: 'Factur-X',
    appliesTo: 'inbound Factur-X PDF (catalog, pages, annotations, form fields)',
    message: ACTIONS_MESSAGE,
    check: (ctx) => {
      const actions = ctx.invoice.facturxPdf?.actions;
      if (actions === undefined || actions.length === 0) return undefined;
      return [{ path: '/', values: { found: shownActions(actions, ACTIONS_MESSAGE) } }];
    },
  },
];
