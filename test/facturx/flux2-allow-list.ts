/**
 * The French Flux 2 rules (AFNOR XP Z12-012, BR-FR-Flux2-Schematron-CII.xslt) our Factur-X
 * does not meet, each with why, and the documents of flux2-documents.ts that fail it (none
 * listed: every document). Every other rule is met by every one of them: a change of the
 * mapping that breaks one is caught. Each entry is one of:
 * - `no data`: the rule needs data the input does not carry, or carries otherwise than the
 *   rule wants (the CII writes the input's data as it is; nothing is invented);
 * - `B2G`: the rule asks for the reform's own B2B conventions, which Chorus Pro flows do not use.
 * docs/FACTURX.md "French Flux 2 rules (XP Z12-012)" says the same in words.
 */
export interface Flux2Allowed {
  kind: 'no data' | 'B2G';
  why: string;
  /** the document labels that fail it (a bench kind, `bench:pivot`, names all its documents); absent: every document */
  in?: readonly string[];
}

const o = (...names: string[]) => names.map((n) => `official:${n}`);

/** Official examples in a currency other than EUR without the accounting currency EUR (BT-6) and its VAT total (BT-111). */
const NOT_EUR_WITHOUT_BT6 = o('BIS3_Invoice_negativ.XML', 'BIS3_Invoice_positive.XML', 'CII_business_example_01.xml', 'CII_example2.xml', 'CII_example3.xml', 'CII_example4.xml', 'CII_example6.xml', 'CII_example7.xml', 'guide-example2.xml', 'guide-example3.xml', 'huf_example_cii.xml', 'issue116.xml', 'ubl-tc434-example2.xml', 'ubl-tc434-example3.xml', 'ubl-tc434-example4.xml', 'ubl-tc434-example6.xml', 'ubl-tc434-example7.xml');

/** Official examples with a VAT rate outside the French list (Danish 25 %, Norwegian 25 %, German 19 %, Hungarian 27 %…). */
const FOREIGN_RATES = o('BIS3_Invoice_negativ.XML', 'BIS3_Invoice_positive.XML', 'CII-BR-CO-10-RoundingIssue.xml', 'CII_business_example_01.xml', 'CII_business_example_02.xml', 'CII_example1.xml', 'CII_example2.xml', 'CII_example3.xml', 'CII_example4.xml', 'CII_example5.xml', 'CII_example6.xml', 'CII_example8.xml', 'CII_example9.xml', 'guide-example1.xml', 'guide-example2.xml', 'guide-example3.xml', 'huf_example_cii.xml', 'issue116.xml', 'sample-discount-price.xml', 'ubl-tc434-example1.xml', 'ubl-tc434-example10.xml', 'ubl-tc434-example2.xml', 'ubl-tc434-example3.xml', 'ubl-tc434-example4.xml', 'ubl-tc434-example5.xml', 'ubl-tc434-example6.xml', 'ubl-tc434-example8.xml', 'ubl-tc434-example9.xml');

/** The official CII examples: routed by the buyer's SIRET as a GlobalID (test/helpers/routed-examples.ts). */
const OFFICIAL_CII = o('CII-BR-CO-10-RoundingIssue.xml', 'CII_business_example_01.xml', 'CII_business_example_02.xml', 'CII_business_example_Z.xml', 'CII_example1.xml', 'CII_example2.xml', 'CII_example3.xml', 'CII_example4.xml', 'CII_example5.xml', 'CII_example6.xml', 'CII_example7.xml', 'CII_example8.xml', 'CII_example9.xml', 'XRechnung-O.xml', 'huf_example_cii.xml');

/** Inputs with no buyer electronic address: the Chorus pivot has none; official CII examples without one. */
const NO_BUYER_ADDRESS = ['bench:pivot', 'fixture:LP-2026-558812', 'fixture:LP-2026-558813', ...OFFICIAL_CII.filter((n) => !/CII_example5|XRechnung-O/.test(n)), 'official:XRechnung-O.xml'];

/** Inputs with no seller electronic address: the pivot; official examples without one. */
const NO_SELLER_ADDRESS = ['bench:pivot', 'fixture:LP-2026-558812', 'fixture:LP-2026-558813', ...OFFICIAL_CII.filter((n) => !/CII_example5|XRechnung-O/.test(n)), ...o('guide-example1.xml', 'guide-example2.xml', 'guide-example3.xml', 'sample-discount-price.xml', 'ubl-tc434-example1.xml', 'ubl-tc434-example10.xml', 'ubl-tc434-example2.xml', 'ubl-tc434-example3.xml', 'ubl-tc434-example4.xml', 'ubl-tc434-example6.xml', 'ubl-tc434-example7.xml', 'ubl-tc434-example8.xml', 'ubl-tc434-example9.xml')];

const LEGAL_NOTE = 'the B2B legal mentions of the code de commerce (L441-9) as notes with their subject code; no input of ours carries them (a public buyer owes late-payment interest by the code de la commande publique) and the CII does not invent legal text';

export const FLUX2_ALLOWED: Record<string, Flux2Allowed> = {
  'BR-FR-05_BT-22_PMT': { kind: 'no data', why: `recovery fee note (PMT): ${LEGAL_NOTE}` },
  'BR-FR-05_BT-22_PMD': { kind: 'no data', why: `late-payment penalties note (PMD): ${LEGAL_NOTE}` },
  'BR-FR-05_BT-22_AAB': { kind: 'no data', why: `early-payment discount note (AAB): ${LEGAL_NOTE}` },
  'BR-FR-08_BT-23': { kind: 'B2G', why: 'BT-23 carries the Chorus Pro cadre de facturation of the input (A1, A2…) or the input\'s own process id; the reform\'s billing modes (B1, S1, M1…) say goods, services or both, which no input says' },
  'BR-FR-10_BT-30': { kind: 'B2G', why: 'Chorus Pro identifies the supplier by its SIRET, which the input and the CII write as BT-30 (scheme 0009); the reform wants the SIREN (scheme 0002) there: rewriting the legal identifier the supplier sent is left to a decision (docs/FACTURX.md)' },
  'BR-FR-12_BT-49': { kind: 'no data', why: 'the buyer electronic address (BT-49) is absent from the input (a Chorus pivot has none); an address is not made up from a SIRET', in: NO_BUYER_ADDRESS },
  'BR-FR-13_BT-34': { kind: 'no data', why: 'the seller electronic address (BT-34) is absent from the input (a Chorus pivot has none)', in: NO_SELLER_ADDRESS },
  'BR-FR-09_BT-46': { kind: 'no data', why: 'the buyer\'s SIRET is given (GlobalID 0009, as the tests route these examples) without the buyer SIREN (BT-47, scheme 0002) the rule compares it with', in: OFFICIAL_CII },
  'BR-FR-17_BT-123': { kind: 'no data', why: 'an attachment\'s description (BT-123) is the input\'s free text ("Facture PDF", "Bon de livraison"); the reform wants one of its codes (LISIBLE, BON_LIVRAISON…), a reading the input does not give', in: ['bench:e2', 'bench:ubl+pj', 'fixture:FE2-2026-0042', 'fixture:TR-2026-0311', ...o('CII_business_example_01.xml', 'CII_example2.xml', 'CII_example5.xml', 'guide-example2.xml', 'ubl-tc434-example2.xml', 'ubl-tc434-example5.xml', 'ubl-tc434-example8.xml')] },
  'BR-FR-16_BT-119': { kind: 'no data', why: 'a VAT rate (BT-119) outside the French list: the foreign examples\' own rates', in: FOREIGN_RATES },
  'BR-FR-16_BT-152': { kind: 'no data', why: 'a line VAT rate (BT-152) outside the French list: the foreign examples\' own rates', in: FOREIGN_RATES },
  'BR-FR-16_BT-96_BT-103': { kind: 'no data', why: 'an allowance or charge VAT rate outside the French list: the foreign examples\' own rates', in: o('CII_business_example_01.xml', 'CII_business_example_02.xml', 'CII_example2.xml', 'CII_example3.xml', 'CII_example5.xml', 'guide-example2.xml', 'guide-example3.xml', 'issue116.xml', 'ubl-tc434-example2.xml', 'ubl-tc434-example3.xml', 'ubl-tc434-example5.xml') },
  'BR-FR-CO-12_BT-5': { kind: 'no data', why: 'an invoice in another currency than EUR whose input has no accounting currency EUR (BT-6) nor VAT total in it (BT-111)', in: NOT_EUR_WITHOUT_BT6 },
  'BR-FR-CO-07_BT-9': { kind: 'no data', why: 'the input\'s due date (BT-9) is before its issue date (XRechnung-O: 2021-01-01 for 2021-01-14)', in: o('CII_business_example_02.xml', 'XRechnung-O.xml') },
  'BR-FR-CO-05_BT-3': { kind: 'no data', why: 'a credit note whose input names no preceding invoice (BT-25)', in: o('ubl-tc434-creditnote1.xml') },
  'BR-FR-02_BT-1': { kind: 'no data', why: 'the input\'s invoice number has spaces ("018304 / 28865", "test decimal 1"); BT-1 is the supplier\'s number, kept as sent', in: o('sample-discount-price.xml', 'ubl-tc434-creditnote1.xml') },
  'BR-FR-DEC-02_BT-149': { kind: 'no data', why: 'a base quantity with a real fifth decimal (0.00101): trailing zeros are dropped to 4 decimals, a real digit is not', in: o('CII_example8.xml') },
};

/** The rule ids `label` is allowed to fail, sorted. */
export function allowedFor(label: string): string[] {
  const kindOf = label.replace(/^(bench:[^:]+):.*$/, '$1');
  return Object.entries(FLUX2_ALLOWED)
    .filter(([, a]) => a.in === undefined || a.in.includes(label) || a.in.includes(kindOf))
    .map(([id]) => id)
    .sort();
}
