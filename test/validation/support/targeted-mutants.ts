/**
 * Targeted lexical mutations of the official examples, for the differential campaign against
 * the official schematron (`node -r ./test/helpers/ts-register.js
 * test/validation/support/targeted-diff.ts`) and its test (lexical-forms-oracle.test.ts).
 *
 * Where seeded-mutants.ts makes a supplier's business mistakes at random, this writes one
 * value otherwise, deterministically, at each kind of place the rules read: an amount,
 * quantity or rate with many digits, an exponent, a leading "+" or zeros, a comma, white space
 * around it, empty; a date with white space, a time zone, a leap day, year 1 or five digits; a
 * code, an identifier or an indicator with white space around it, or empty. The first value
 * of each element name is mutated, once per form.
 */
import type { Mutant, Syntax } from './seeded-mutants';
import { leaves, local, officialExamples, parentOf, replaceLeaf, type Example, type Leaf } from './seeded-mutants';

type Form = [label: string, change: (v: string) => string];

const WS: Form[] = [
  ['space-before', (v) => ` ${v}`],
  ['space-after', (v) => `${v} `],
  ['newlines', (v) => `\n      ${v}\n    `],
  ['tab-after', (v) => `${v}\t`],
];

const NUMERIC: Form[] = [
  ...WS,
  ['exponent', (v) => `${v}E0`],
  ['plus', (v) => (v.startsWith('-') ? v : `+${v}`)],
  ['leading-zeros', (v) => (v.startsWith('-') ? `-00${v.slice(1)}` : `00${v}`)],
  ['comma', (v) => (v.includes('.') ? v.replace('.', ',') : `${v},00`)],
  ['trailing-point', (v) => (v.includes('.') ? `${v}0000` : `${v}.`)],
  ['many-digits', (v) => `123456789012345${v.replace(/^[-+]/, '')}`],
  ['empty', () => ''],
];

const DATE_UBL: Form[] = [
  ...WS,
  ['zulu', (v) => `${v}Z`],
  ['offset', (v) => `${v}+01:00`],
  ['leap-day', () => '2016-02-29'],
  ['not-leap', () => '2015-02-29'],
  ['year-1', () => '0001-01-01'],
  ['year-5-digits', () => '12016-01-31'],
  ['empty', () => ''],
];

const DATE_CII: Form[] = [...WS, ['leap-day', () => '20160229'], ['not-leap', () => '20150229'], ['year-1', () => '00010101'], ['empty', () => '']];

const CODE: Form[] = [...WS, ['empty', () => ''], ['lower-case', (v) => v.toLowerCase()]];
const TEXT: Form[] = [...WS, ['empty', () => '']];
const ATTR: Form[] = [
  ['space-before', (v) => ` ${v}`],
  ['space-after', (v) => `${v} `],
];

interface Site {
  kind: string;
  forms: Form[];
  leaf: (l: Leaf, xml: string) => boolean;
  /** an attribute of the leaf rather than its text */
  attr?: string;
}

const name = (re: RegExp) => (l: Leaf) => re.test(local(l.name));
const NUM = /^\s*[-+]?\d+(\.\d+)?\s*$/;

const SITES: Record<Syntax, Site[]> = {
  UBL: [
    { kind: 'amount', forms: NUMERIC, leaf: (l) => /currencyID=/.test(l.attrs) && NUM.test(l.text) },
    { kind: 'quantity', forms: NUMERIC, leaf: (l) => /Quantity$/.test(local(l.name)) && NUM.test(l.text) },
    { kind: 'percent', forms: NUMERIC, leaf: (l) => name(/^(Percent|MultiplierFactorNumeric)$/)(l) && NUM.test(l.text) },
    { kind: 'date', forms: DATE_UBL, leaf: (l) => /Date$/.test(local(l.name)) && /^\d{4}-\d{2}-\d{2}$/.test(l.text) },
    { kind: 'code', forms: CODE, leaf: name(/^(InvoiceTypeCode|CreditNoteTypeCode|DocumentCurrencyCode|TaxCurrencyCode|IdentificationCode|PaymentMeansCode|AllowanceChargeReasonCode|TaxExemptionReasonCode|DescriptionCode)$/) },
    { kind: 'category', forms: CODE, leaf: (l, xml) => local(l.name) === 'ID' && /^(ClassifiedTaxCategory|TaxCategory)$/.test(local(parentOf(xml, l.start))) },
    { kind: 'tax-scheme', forms: CODE, leaf: (l, xml) => local(l.name) === 'ID' && local(parentOf(xml, l.start)) === 'TaxScheme' },
    { kind: 'identifier', forms: TEXT, leaf: (l, xml) => (local(l.name) === 'ID' && local(parentOf(xml, l.start)) === 'Invoice') || name(/^(CompanyID|EndpointID|CustomizationID|BuyerReference)$/)(l) },
    { kind: 'indicator', forms: [...WS, ['one', (v) => (v === 'true' ? '1' : '0')]], leaf: name(/^ChargeIndicator$/) },
    { kind: 'currency-attr', forms: ATTR, attr: 'currencyID', leaf: (l) => /currencyID=/.test(l.attrs) },
    { kind: 'unit-attr', forms: ATTR, attr: 'unitCode', leaf: (l) => /unitCode=/.test(l.attrs) },
    { kind: 'scheme-attr', forms: ATTR, attr: 'schemeID', leaf: (l) => /schemeID=/.test(l.attrs) },
  ],
  CII: [
    { kind: 'amount', forms: NUMERIC, leaf: (l) => /Amount$/.test(local(l.name)) && NUM.test(l.text) },
    { kind: 'quantity', forms: NUMERIC, leaf: (l) => /Quantity$/.test(local(l.name)) && NUM.test(l.text) },
    { kind: 'percent', forms: NUMERIC, leaf: (l) => name(/^(RateApplicablePercent|CalculationPercent)$/)(l) && NUM.test(l.text) },
    { kind: 'date', forms: DATE_CII, leaf: (l) => local(l.name) === 'DateTimeString' },
    { kind: 'code', forms: CODE, leaf: (l, xml) => name(/^(InvoiceCurrencyCode|TaxCurrencyCode|CountryID|DueDateTypeCode|ReasonCode|ExemptionReasonCode)$/)(l) || (local(l.name) === 'TypeCode' && local(parentOf(xml, l.start)) !== 'ApplicableTradeTax') },
    { kind: 'category', forms: CODE, leaf: name(/^CategoryCode$/) },
    { kind: 'tax-scheme', forms: CODE, leaf: (l, xml) => local(l.name) === 'TypeCode' && /TradeTax$/.test(local(parentOf(xml, l.start))) },
    { kind: 'identifier', forms: TEXT, leaf: (l, xml) => (local(l.name) === 'ID' && /^(ExchangedDocument|GuidelineSpecifiedDocumentContextParameter|SpecifiedTaxRegistration)$/.test(local(parentOf(xml, l.start)))) || name(/^(BuyerReference|URIID)$/)(l) },
    { kind: 'indicator', forms: [...WS, ['one', (v) => (v === 'true' ? '1' : '0')]], leaf: name(/^Indicator$/) },
    { kind: 'unit-attr', forms: ATTR, attr: 'unitCode', leaf: (l) => /unitCode=/.test(l.attrs) },
    { kind: 'scheme-attr', forms: ATTR, attr: 'schemeID', leaf: (l) => /schemeID=/.test(l.attrs) },
    { kind: 'format-attr', forms: ATTR, attr: 'format', leaf: (l) => /format=/.test(l.attrs) },
  ],
};

/** The examples the campaign mutates by default: a spread of features, not all 33. */
export const TARGETED_BASES = ['ubl-tc434-example1.xml', 'ubl-tc434-example2.xml', 'ubl-tc434-creditnote1.xml', 'guide-example1.xml', 'CII_example4.xml', 'CII_example2.xml', 'CII_example5.xml', 'CII_business_example_Z.xml', 'XRechnung-O.xml'];

/**
 * Every (site, element name, form) of the examples once: the first leaf of each element name a
 * site takes, written in each form. `only` keeps the sites of some kinds.
 */
export function targetedMutants(examples: Example[] = officialExamples().filter((e) => TARGETED_BASES.includes(e.base)), only?: (kind: string, form: string) => boolean): Mutant[] {
  const out: Mutant[] = [];
  for (const ex of examples) {
    const ls = leaves(ex.xml);
    for (const site of SITES[ex.syntax]) {
      const seen = new Set<string>();
      for (const l of ls) {
        if (!site.leaf(l, ex.xml) || seen.has(l.name)) continue;
        seen.add(l.name);
        for (const [label, change] of site.forms) {
          if (only && !only(site.kind, label)) continue;
          let xml: string;
          let what: string;
          if (site.attr) {
            const m = new RegExp(`\\b${site.attr}="([^"]*)"`).exec(l.attrs);
            if (!m) continue;
            const v = change(m[1]);
            xml = replaceLeaf(ex.xml, l, l.text, l.attrs.replace(m[0], `${site.attr}="${v}"`));
            what = `${site.kind} ${label} @${site.attr} of ${local(l.name)} "${m[1]}"→${JSON.stringify(v)}`;
          } else {
            const v = change(l.text);
            if (v === l.text) continue;
            xml = replaceLeaf(ex.xml, l, v);
            what = `${site.kind} ${label} ${local(l.name)} "${l.text}"→${JSON.stringify(v)}`;
          }
          // the prefix too: udt:DateTimeString and qdt:DateTimeString are two element names
          out.push({ name: `t-${ex.base.replace(/\.[^.]+$/, '')}-${site.kind}-${l.name.replace(':', '.')}${site.attr ? `-${site.attr}` : ''}-${label}`, syntax: ex.syntax, base: ex.base, ops: [what], xml });
        }
      }
    }
  }
  return out;
}
