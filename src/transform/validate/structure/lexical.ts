/**
 * The lexical forms of the built-in XML Schema types the official schemas give dates, times,
 * amounts, quantities, counts and indicators (XML Schema 1.0 part 2, 3.2 and 3.3): what
 * structure.ts checks a typed leaf's text against, as xmllint does. Their white space is
 * collapsed first (fixed for these types): "\n 2026-01-25 " is a date, "2026 -01-25" is not.
 */
import type { LexicalType } from './content-model';

const ZONE = '(?:Z|[+-](?:(?:0\\d|1[0-3]):[0-5]\\d|14:00))?';
const DATE = '(-?(?:[1-9]\\d{3,}|0\\d{3}))-(\\d\\d)-(\\d\\d)';
const TIME = '(\\d\\d):(\\d\\d):(\\d\\d)(?:\\.(\\d+))?';
const DATE_RE = new RegExp(`^${DATE}${ZONE}$`);
const TIME_RE = new RegExp(`^${TIME}${ZONE}$`);
const DATE_TIME_RE = new RegExp(`^${DATE}T${TIME}${ZONE}$`);
const DECIMAL_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const INTEGER_RE = /^[+-]?\d+$/;
const NON_NEGATIVE_RE = /^(?:\+?\d+|-0+)$/;
const BOOLEAN_RE = /^(?:true|false|1|0)$/;

/**
 * A day that exists (no year 0000 in XML Schema 1.0). A year before 1 has a leap day when its
 * number does (appendix E's maximumDayInMonthFor, as xmllint reads it): -0004, -0400, not -0001.
 */
function isDay(year: string, month: string, day: string): boolean {
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  if (y === 0 || mo < 1 || mo > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
}

/** hh:mm:ss[.s]: 00:00:00 to 23:59:59.999…, and 24:00:00 (the end of the day, which XML Schema 1.0 takes) */
function isTime(h: string, m: string, s: string, fraction: string | undefined): boolean {
  if (h === '24') return m === '00' && s === '00' && (fraction === undefined || /^0+$/.test(fraction));
  return Number(h) < 24 && Number(m) < 60 && Number(s) < 60;
}

const XML_SPACE = /^[ \t\r\n]+|[ \t\r\n]+$/g;

/**
 * Why `value` (a leaf's text, references resolved) is not of `type`, as a phrase ("an xs:time
 * (hh:mm:ss)"); undefined when it is.
 */
export function lexicalProblem(type: LexicalType, value: string): string | undefined {
  const v = value.replace(XML_SPACE, '');
  switch (type) {
    case 'date': {
      const m = DATE_RE.exec(v);
      return m && isDay(m[1], m[2], m[3]) ? undefined : 'an xs:date (YYYY-MM-DD, a day that exists, an optional time zone)';
    }
    case 'time': {
      const m = TIME_RE.exec(v);
      return m && isTime(m[1], m[2], m[3], m[4]) ? undefined : 'an xs:time (hh:mm:ss)';
    }
    case 'dateTime': {
      const m = DATE_TIME_RE.exec(v);
      return m && isDay(m[1], m[2], m[3]) && isTime(m[4], m[5], m[6], m[7]) ? undefined : 'an xs:dateTime (YYYY-MM-DDThh:mm:ss)';
    }
    case 'decimal':
      return DECIMAL_RE.test(v) ? undefined : 'an xs:decimal (digits, one optional point, an optional sign)';
    case 'integer':
      return INTEGER_RE.test(v) ? undefined : 'an xs:integer (digits, an optional sign)';
    case 'nonNegativeInteger':
      return NON_NEGATIVE_RE.test(v) ? undefined : 'an xs:nonNegativeInteger (digits)';
    case 'boolean':
      return BOOLEAN_RE.test(v) ? undefined : 'an xs:boolean (true, false, 1 or 0)';
  }
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * A leaf's text in `text[from, to)` as the schema reads it: comments and processing
 * instructions left out, CDATA sections' content kept, references resolved (the document is
 * well-formed: its markup is checked before).
 */
export function textOf(text: string, from: number, to: number): string {
  const raw = text.slice(from, to);
  if (!raw.includes('<') && !raw.includes('&')) return raw;
  return raw.replace(/<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[([\s\S]*?)\]\]>|&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (all, cdata: string | undefined, ref: string | undefined) => {
    if (cdata !== undefined) return cdata;
    if (ref === undefined) return '';
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number(ref.slice(1)));
    return ENTITIES[ref] ?? all;
  });
}

const local = (tag: string | undefined) => (tag === undefined ? '' : tag.slice(tag.indexOf(':') + 1));

/**
 * The typed values the model reads and a rule judges, in its own words (CPRO-PIVOT-DATE,
 * -DECIMAL, -INDICATEUR, -CODE, the EN 16931 rules, which the official XSLT's oracle tests
 * compare): `parent/element`, or `grandparent/parent/element` where that decides (false: not
 * read there), or `root>parent/element`. Every other typed leaf is structure.ts's.
 */
const JUDGED: Record<string, Map<string, boolean>> = {
  'UBL 2.1': new Map([
    ...['Invoice/IssueDate', 'CreditNote/IssueDate', 'Invoice/DueDate', 'Invoice/TaxPointDate', 'CreditNote/TaxPointDate', 'InvoicePeriod/StartDate', 'InvoicePeriod/EndDate', 'Delivery/ActualDeliveryDate', 'InvoiceDocumentReference/IssueDate', 'CreditNote>PaymentMeans/PaymentDueDate'].map((k): [string, boolean] => [k, true]),
    ['InvoiceLine/Delivery/ActualDeliveryDate', false],
    ['CreditNoteLine/Delivery/ActualDeliveryDate', false],
    ...['AllowanceCharge/ChargeIndicator', 'AllowanceCharge/Amount', 'AllowanceCharge/BaseAmount', 'AllowanceCharge/MultiplierFactorNumeric', 'TaxCategory/Percent', 'ClassifiedTaxCategory/Percent'].map((k): [string, boolean] => [k, true]),
    ['Price/AllowanceCharge/MultiplierFactorNumeric', false],
    ...['InvoiceLine/InvoicedQuantity', 'CreditNoteLine/CreditedQuantity', 'InvoiceLine/LineExtensionAmount', 'CreditNoteLine/LineExtensionAmount', 'Price/PriceAmount', 'Price/BaseQuantity'].map((k): [string, boolean] => [k, true]),
    ...['TaxTotal/TaxAmount', 'TaxSubtotal/TaxableAmount', 'TaxSubtotal/TaxAmount'].map((k): [string, boolean] => [k, true]),
    ['InvoiceLine/TaxTotal/TaxAmount', false],
    ['CreditNoteLine/TaxTotal/TaxAmount', false],
    ...['LineExtensionAmount', 'TaxExclusiveAmount', 'TaxInclusiveAmount', 'AllowanceTotalAmount', 'ChargeTotalAmount', 'PrepaidAmount', 'PayableRoundingAmount', 'PayableAmount'].map((e): [string, boolean] => [`LegalMonetaryTotal/${e}`, true]),
  ]),
  'CII D16B': new Map([
    ...[
      'ChargeIndicator/Indicator',
      'SpecifiedTradeAllowanceCharge/ActualAmount',
      'SpecifiedTradeAllowanceCharge/BasisAmount',
      'SpecifiedTradeAllowanceCharge/CalculationPercent',
      'AppliedTradeAllowanceCharge/ActualAmount',
      'ApplicableTradeTax/BasisAmount',
      'ApplicableTradeTax/CalculatedAmount',
      'ApplicableTradeTax/RateApplicablePercent',
      'CategoryTradeTax/RateApplicablePercent',
      'NetPriceProductTradePrice/ChargeAmount',
      'NetPriceProductTradePrice/BasisQuantity',
      'GrossPriceProductTradePrice/ChargeAmount',
      'SpecifiedLineTradeDelivery/BilledQuantity',
      'SpecifiedTradeSettlementLineMonetarySummation/LineTotalAmount',
      ...['LineTotalAmount', 'ChargeTotalAmount', 'AllowanceTotalAmount', 'TaxBasisTotalAmount', 'TaxTotalAmount', 'RoundingAmount', 'GrandTotalAmount', 'TotalPrepaidAmount', 'DuePayableAmount'].map((e) => `SpecifiedTradeSettlementHeaderMonetarySummation/${e}`),
    ].map((k): [string, boolean] => [k, true]),
  ]),
  'CPPFacturePivot V2_02': new Map(
    [
      ...['DateEmissionFacture', 'DateLivraison', 'DateReception', 'DateMiseADispositionMOE'].map((e) => `DonneesFacture/${e}`),
      'ValidationUnitaire/DateStatut',
      'ValidationUnitaire/CodeStatut',
      ...['MontantHT', 'MontantTVA', 'MontantTTC', 'MontantNetAPayer'].map((e) => `Montants/${e}`),
      ...['BaseHt', 'MontantTVA', 'Taux'].map((e) => `TVA/${e}`),
      ...['PrixUnitaire', 'Quantite', 'TauxTVA', 'MontantHT'].map((e) => `Ligne/${e}`),
      'Fournisseur/TypeIdentifiant',
      'Debiteur/TypeIdentifiant',
      'ProducteurStatut/TypeIdentifiant',
    ].map((k): [string, boolean] => [k, true]),
  ),
};

const judgedIn = new Map<string, Set<string>>();
const NONE = new Set<string>();

/**
 * The local names of the typed leaves whose values the model reads and a rule judges, in an
 * element `parent` (itself in `grandparent`, in a document whose root is `root`): asked once
 * per element holding a typed leaf, not per leaf (structure.ts keeps it on the frame). A status
 * flow's typed values (DateFacture, Horodatage, IdStatut, TypeIdentifiant) are all read and
 * judged by the status reader: undefined, every one.
 */
export function judgedByRules(schema: string, parent: string, grandparent: string | undefined, root: string): Set<string> | undefined {
  if (schema === 'CPPStatut V1_19') return undefined;
  const judged = JUDGED[schema];
  if (judged === undefined) return NONE;
  const [p, g, r] = [local(parent), local(grandparent), local(root)];
  const memo = `${schema}|${r}|${g}|${p}`;
  let names = judgedIn.get(memo);
  if (names === undefined) {
    names = new Set<string>();
    for (const [k, yes] of judged) {
      const slash = k.lastIndexOf('/');
      const name = k.slice(slash + 1);
      const at = k.slice(0, slash);
      // the most precise key decides: grandparent/parent, then parent, then root>parent
      const precise = judged.get(`${g}/${p}/${name}`) ?? judged.get(`${p}/${name}`) ?? judged.get(`${r}>${p}/${name}`);
      if ((at === `${g}/${p}` || at === p || at === `${r}>${p}`) && yes && precise === true) names.add(name);
    }
    judgedIn.set(memo, names);
  }
  return names;
}
