/**
 * The last guard before emission: every value the CPPFacturePivot V2_02 requires is there,
 * and every typed value the pivot or the Factur-X carries fits its XSD type (xs:date,
 * xs:decimal, xs:boolean). The EN 16931 schematron does not check XML Schema types (a UBL
 * IssueDate of "2026-13-45" passes it), but the pivot and Factur-X XSDs do — so these rules
 * make "every pivot and Factur-X emitted validates" hold for any input
 * (test/validation/hostile-*.test.ts).
 */
import { isDecimal } from '../../../model/decimal';
import { hasVisible } from '../../../model/visible';
import { isXsDate } from '../../../model/xs-date';
import { xmlTrim } from '../../../xml/xml-space';
import type { Invoice } from '../../../model/invoice';
import { CODES } from '../codelists';
import { pathOf, PIVOT_UNIT } from '../paths';
import type { Rule, RuleContext, Violation } from '../rule';

type Field = { name: string; bt: string; value: string | undefined };

/** a value and where it sits: the business term's path, at `index` for a repeated group */
type Located = Field & {
  index?: number;
  /** blank is CPRO-PIVOT-REQUIS's */ required?: boolean;
  /** a date of a period with both ends, which the official UBL XSLT casts to xs:date (BR-29, BR-30) */ castBoth?: boolean;
};

function required(inv: Invoice): Field[] {
  return [
    { name: 'Invoice number', bt: 'BT-1', value: inv.number },
    { name: 'Invoice issue date', bt: 'BT-2', value: inv.issueDate },
    { name: 'Invoice currency code', bt: 'BT-5', value: inv.currency },
    { name: 'Seller name', bt: 'BG-4', value: inv.seller.name ?? inv.seller.tradingName },
    { name: 'Invoice total amount without VAT', bt: 'BG-22', value: inv.totals.taxExclusive },
    { name: 'Invoice total amount with VAT', bt: 'BG-22', value: inv.totals.taxInclusive },
    { name: 'Amount due for payment', bt: 'BG-22', value: inv.totals.payable },
    ...inv.vatBreakdown.flatMap((v, k) => [
      { name: `VAT breakdown ${k + 1} taxable amount`, bt: 'BG-22', value: v.taxableAmount },
      { name: `VAT breakdown ${k + 1} tax amount`, bt: 'BG-22', value: v.taxAmount },
    ]),
    // a pivot input's Type and Cadre are carried over as written (pivotType, pivotCadre)
    ...(inv.syntax === 'PIVOT'
      ? [
          { name: 'invoice type (DonneesFacture/Type)', bt: 'BT-3', value: inv.typeCode },
          { name: 'billing frame (DonneesFacture/Cadre)', bt: 'BT-23', value: inv.profileId },
        ]
      : []),
    ...inv.lines.flatMap((l, k) => [
      { name: `line ${k + 1} net price`, bt: 'BG-22', value: l.price.net },
      { name: `line ${k + 1} quantity`, bt: 'BG-22', value: l.quantity },
      { name: `line ${k + 1} net amount`, bt: 'BG-22', value: l.netAmount },
    ]),
  ];
}

/**
 * Every amount, quantity and rate a pivot or a Factur-X carries (the Factur-X XSD types them
 * xs:decimal; the pivot carries the totals, VAT breakdown and lines). Allowances, charges and
 * the totals the pivot does not carry were unchecked: an allowance of "NaN" went into a Factur-X.
 */
function decimals(inv: Invoice): Located[] {
  const t = inv.totals;
  const allowances = (list: Invoice['allowanceCharges'], where: string, bt: string, index?: number): Located[] =>
    list.flatMap((a, k) => {
      const what = `${where}${a.isCharge ? 'charge' : 'allowance'} ${k + 1}`;
      return [
        { name: `${what} amount`, bt, index, value: a.amount },
        { name: `${what} base amount`, bt, index, value: a.baseAmount },
        { name: `${what} percentage`, bt, index, value: a.percent },
        { name: `${what} VAT rate`, bt, index, value: a.vatRate },
      ];
    });
  return [
    { name: 'Sum of invoice line net amount (BT-106)', bt: 'BG-22', value: t.lineExtension },
    { name: 'Sum of allowances on document level (BT-107)', bt: 'BG-22', value: t.allowanceTotal },
    { name: 'Sum of charges on document level (BT-108)', bt: 'BG-22', value: t.chargeTotal },
    { name: 'Invoice total amount without VAT (BT-109)', bt: 'BG-22', value: t.taxExclusive, required: true },
    { name: 'Invoice total VAT amount (BT-110)', bt: 'BG-22', value: t.taxTotal },
    { name: 'Invoice total VAT amount in accounting currency (BT-111)', bt: 'BG-22', value: t.taxTotalAccounting },
    { name: 'Invoice total amount with VAT (BT-112)', bt: 'BG-22', value: t.taxInclusive, required: true },
    { name: 'Paid amount (BT-113)', bt: 'BG-22', value: t.prepaid },
    { name: 'Rounding amount (BT-114)', bt: 'BG-22', value: t.rounding },
    { name: 'Amount due for payment (BT-115)', bt: 'BG-22', value: t.payable, required: true },
    ...allowances(inv.allowanceCharges, 'document level ', 'BG-22'),
    ...inv.vatBreakdown.flatMap((v, k) => [
      { name: `VAT breakdown ${k + 1} taxable amount (BT-116)`, bt: 'BG-22', value: v.taxableAmount, required: true },
      { name: `VAT breakdown ${k + 1} tax amount (BT-117)`, bt: 'BG-22', value: v.taxAmount, required: true },
      { name: `VAT breakdown ${k + 1} rate (BT-119)`, bt: 'BG-22', value: v.rate },
    ]),
    ...inv.lines.flatMap((l, k): Located[] => [
      { name: `line ${k + 1} net price (BT-146)`, bt: 'BG-25', index: k + 1, value: l.price.net, required: true },
      { name: `line ${k + 1} gross price (BT-148)`, bt: 'BG-25', index: k + 1, value: l.price.gross },
      { name: `line ${k + 1} price discount (BT-147)`, bt: 'BG-25', index: k + 1, value: l.price.discount },
      { name: `line ${k + 1} price base quantity (BT-149)`, bt: 'BG-25', index: k + 1, value: l.price.baseQuantity },
      { name: `line ${k + 1} quantity (BT-129)`, bt: 'BG-25', index: k + 1, value: l.quantity, required: true },
      { name: `line ${k + 1} net amount (BT-131)`, bt: 'BG-25', index: k + 1, value: l.netAmount, required: true },
      { name: `line ${k + 1} VAT rate (BT-152)`, bt: 'BG-25', index: k + 1, value: l.vat.rate },
      ...allowances(l.allowanceCharges, `line ${k + 1} `, 'BG-25', k + 1),
    ]),
  ];
}

/**
 * Every date an output carries: the pivot's, and those the Factur-X writes (format 102, which
 * the EN 16931 schematron checks, CII-DT-097). A UBL date is an xs:date by the UBL schema,
 * which no schematron checks: "2026-13-45" or "٣" in a DueDate would pass everything else.
 */
function dates(inv: Invoice): Located[] {
  const period = (p: Invoice['invoicingPeriod'], what: string, bt: string, index?: number): Located[] => {
    const castBoth = p?.start !== undefined && p.end !== undefined;
    return [
      { name: `${what} start date`, bt, index, value: p?.start, castBoth },
      { name: `${what} end date`, bt, index, value: p?.end, castBoth },
    ];
  };
  return [
    { name: 'Invoice issue date (BT-2)', bt: 'BT-2', value: inv.issueDate },
    { name: 'Payment due date (BT-9)', bt: 'BT-9', value: inv.dueDate },
    { name: 'Value added tax point date (BT-7)', bt: 'BT-7', value: inv.taxPointDate },
    { name: 'Actual delivery date (BT-72)', bt: 'BT-72', value: inv.delivery?.date },
    ...period(inv.invoicingPeriod, 'Invoicing period (BG-14)', 'BG-14'),
    ...inv.precedingInvoices.map((r, k): Located => ({ name: `Preceding invoice ${k + 1} issue date (BT-26)`, bt: 'BG-3', index: k + 1, value: r.issueDate })),
    ...inv.lines.flatMap((l, k) => period(l.period, `line ${k + 1} period (BG-26)`, 'BG-25', k + 1)),
    { name: 'DateLivraison', bt: 'BT-2', value: inv.chorus.deliveryDate },
    { name: 'DateReception', bt: 'BT-2', value: inv.chorus.receptionDate },
    { name: 'DateMiseADispositionMOE', bt: 'BT-2', value: inv.chorus.moeAvailabilityDate },
  ];
}

/**
 * The party names every output shows (BR-06, BR-07; the Factur-X needs both in every profile),
 * each with the test under which another rule already refuses it blank: the seller's is
 * CPRO-PIVOT-REQUIS's (JavaScript's trim), the buyer's BR-07's (normalize-space, XML's white
 * space). A pivot's Debiteur/Nom is optional (the routing table names the buyer without it).
 */
function names(inv: Invoice): { name: string; bt: string; rule: string; value: string | undefined; blankElsewhere: (v: string) => boolean }[] {
  return [
    { name: 'Seller name (BT-27)', bt: 'BG-4', rule: 'BR-06', value: inv.seller.name ?? inv.seller.tradingName, blankElsewhere: (v) => v.trim() === '' },
    ...(inv.syntax === 'PIVOT' ? [] : [{ name: 'Buyer name (BT-44)', bt: 'BG-7', rule: 'BR-07', value: inv.buyer.name ?? inv.buyer.tradingName, blankElsewhere: (v: string) => xmlTrim(v) === '' }]),
  ];
}

/** The code points of `s`, as U+XXXX (an invisible value shown in a message). */
const codePoints = (s: string) => [...s].map((c) => `U+${(c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`).join(' ');

/** Coded values a pivot input carries over as they are, and what the pivot XSD allows for each. */
type Coded = { name: string; path: string; value: string | undefined; fits: (v: string) => boolean; allowed: string; /** blank is CPRO-PIVOT-REQUIS's */ required?: boolean };

// codes are read as the XSD reads numbers and tokens (around white space); lengths as written
const code = (re: RegExp) => (v: string) => re.test(xmlTrim(v));
const atMost = (n: number) => (v: string) => [...v].length <= n;

function coded(inv: Invoice): Coded[] {
  const u = PIVOT_UNIT;
  return [
    { name: 'Fournisseur/TypeIdentifiant', path: `${u}/Fournisseur/TypeIdentifiant`, value: inv.chorus.supplierIdType, fits: code(/^0*[1-7]$/), allowed: '1 to 7' },
    { name: 'Debiteur/TypeIdentifiant', path: `${u}/Debiteur/TypeIdentifiant`, value: inv.chorus.buyerIdType, fits: code(/^0*1$/), allowed: '1 (SIRET)' },
    { name: 'Fournisseur/ModeEmission', path: `${u}/Fournisseur/ModeEmission`, value: inv.chorus.emissionMode, fits: code(/^(flux|numérisation|saisie|PDF)$/), allowed: 'flux, numérisation, saisie or PDF' },
    { name: 'DonneesFacture/Type', path: `${u}/DonneesFacture/Type`, value: inv.typeCode, fits: code(/^38[01]$/), allowed: '380 invoice, 381 credit note', required: true },
    { name: 'DonneesFacture/Cadre', path: `${u}/DonneesFacture/Cadre`, value: inv.profileId, fits: code(/^A([1-9]|1[02-9]|2[0-5])$/), allowed: 'A1 to A25, A11 excepted', required: true },
    ...inv.attachments.flatMap((a, k): Coded[] => [
      // read as 01 or 02 when it is one (V1_20 writes 1 and 2); anything else was re-typed 02 unseen
      { name: `PJ ${k + 1} TypePJ`, path: `${u}/PJ[${k + 1}]/TypePJ`, value: a.pivot?.typePJGiven, fits: () => false, allowed: '01 invoice document, 02 complementary' },
      { name: `PJ ${k + 1} CategoriePJ`, path: `${u}/PJ[${k + 1}]/CategoriePJ`, value: a.pivot?.categoriePJ, fits: atMost(50), allowed: 'at most 50 characters' },
      { name: `PJ ${k + 1} NomPJOrigine`, path: `${u}/PJ[${k + 1}]/NomPJOrigine`, value: a.pivot?.nomPJOrigine, fits: atMost(50), allowed: 'at most 50 characters' },
    ]),
    ...(inv.chorus.validationCycle ?? []).flatMap((v, k): Coded[] => {
      const at = `${u}/CycleDeValidation/ValidationUnitaire[${k + 1}]`;
      return [
        { name: `ValidationUnitaire ${k + 1} DateStatut`, path: `${at}/DateStatut`, value: v.date, fits: isXsDate, allowed: 'a calendar date YYYY-MM-DD' },
        { name: `ValidationUnitaire ${k + 1} CodeStatut`, path: `${at}/CodeStatut`, value: v.statusCode, fits: code(/^\d+$/), allowed: 'digits' },
        { name: `ValidationUnitaire ${k + 1} ProducteurStatut/TypeIdentifiant`, path: `${at}/ProducteurStatut/TypeIdentifiant`, value: v.producer.idType, fits: code(/^0*[1-6]$/), allowed: '1 to 6' },
        { name: `ValidationUnitaire ${k + 1} ProducteurStatut/CodePays`, path: `${at}/ProducteurStatut/CodePays`, value: v.producer.countryCode, fits: (c) => [...c].length === 2, allowed: 'two characters' },
      ];
    }),
  ];
}

const at = (ctx: RuleContext, bt: string) => pathOf(bt, ctx.invoice.syntax, undefined, ctx.invoice.documentKind);

/** The values that do not fit their type, each at its place; an empty one is skipped where `blankSkipped` says so. */
function misfits(ctx: RuleContext, values: Located[], fits: (v: string) => boolean, fallbackBt: string, blankSkipped: (f: Located) => boolean): Violation[] {
  return values
    .filter((f) => f.value !== undefined && !(f.value.trim() === '' && blankSkipped(f)) && !fits(f.value))
    .map((f) => ({ path: pathOf(f.bt, ctx.invoice.syntax, f.index, ctx.invoice.documentKind) ?? at(ctx, fallbackBt), values: { name: f.name, value: f.value } }));
}

export const PIVOT_CONFORMANCE_RULES: Rule[] = [
  {
    id: 'CPRO-PIVOT-REQUIS',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'values the pivot requires',
    message: 'The CPPFacturePivot requires the {name}; it is missing or empty.',
    check: (ctx) => required(ctx.invoice).filter((f) => (f.value ?? '').trim() === '').map((f): Violation => ({ path: at(ctx, f.bt), values: { name: f.name } })),
  },
  {
    id: 'CPRO-PIVOT-NOM',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'seller and buyer names (a UBL or CII buyer name; a pivot\'s Debiteur/Nom is optional) made of invisible characters only',
    message: 'The {name} is made of invisible characters only ({codes}): the pivot and the Factur-X would show no name, which {rule} requires. Write the name.',
    // a buyer name of U+FEFF alone passed BR-07: a UBL invoice went out without its Factur-X
    // (which needs BT-44) and with an invisible Debiteur/Nom; U+200B alone went out in both
    check: (ctx) =>
      names(ctx.invoice)
        .filter((n) => n.value !== undefined && !n.blankElsewhere(n.value) && !hasVisible(n.value))
        .map((n): Violation => ({ path: at(ctx, n.bt), values: { name: n.name, codes: codePoints(n.value as string), rule: n.rule } })),
  },
  {
    id: 'CPRO-PIVOT-DECIMAL',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'amounts, quantities and rates carried by the pivot and the Factur-X',
    message: 'The {name} "{value}" is not a decimal number (digits, one optional point, optional sign).',
    // an element left empty is no xs:decimal either (the UBL, CII and pivot schemas agree);
    // a required one left empty is CPRO-PIVOT-REQUIS's
    check: (ctx) => misfits(ctx, decimals(ctx.invoice), isDecimal, 'BG-22', (f) => f.required === true),
  },
  {
    id: 'CPRO-PIVOT-DATE',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'dates carried by the pivot and the Factur-X',
    message: 'The {name} "{value}" is not a calendar date (YYYY-MM-DD; in CII, format 102: YYYYMMDD).',
    // a date left empty is left out of the outputs (mapping.ts), but not a UBL period's start
    // or end when the period has both: the official XSLT stops on xs:date('') there (BR-29, BR-30)
    check: (ctx) => misfits(ctx, dates(ctx.invoice), isXsDate, 'BT-2', (f) => !(ctx.invoice.syntax === 'UBL' && f.castBoth === true)),
  },
  {
    id: 'CPRO-PIVOT-CODE',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'values a pivot input carries over as written (invoice type, billing frame, identifier types, ModeEmission, PJ types, categories and original names, validation cycle)',
    message: 'The {name} "{value}" is not a value the CPPFacturePivot allows ({allowed}).',
    check: (ctx) =>
      ctx.invoice.syntax !== 'PIVOT'
        ? undefined
        : coded(ctx.invoice)
            .filter((c) => c.value !== undefined && !(c.required && c.value.trim() === '') && !c.fits(c.value))
            .map((c) => ({ path: c.path, values: { name: c.name, value: c.value, allowed: c.allowed } })),
  },
  {
    id: 'CPRO-PIVOT-INDICATEUR',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'allowance and charge indicators (UBL cbc:ChargeIndicator, CII udt:Indicator)',
    message: 'The allowance or charge indicator "{value}" is neither true nor false: whether the amount is taken off or added cannot be told.',
    // xs:boolean for both schemas; the official rules select by it, and skip what is neither.
    // A price's own allowance (BT-147) too: the official XSLTs cast it with the others (UBL
    // //cac:AllowanceCharge[cbc:ChargeIndicator = false()]), and one that is no xs:boolean ("", "TRUE") stops them
    check: (ctx) => {
      const f = ctx.invoice.syntaxFacts;
      const all: { path: string; indicator?: string; charge?: boolean }[] = f?.ubl
        ? [...f.ubl.allowanceCharges, ...f.ubl.lines.flatMap((l) => [...l.allowanceCharges, ...l.priceAllowanceCharges])]
        : [...(f?.cii?.allAllowanceCharges ?? []), ...(f?.cii?.grossPriceAllowances ?? [])];
      return all.filter((a) => a.charge === undefined).map((a) => ({ path: a.path, values: { value: a.indicator ?? '' } }));
    },
  },
  {
    id: 'CPRO-PIVOT-DEVISE',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'invoice currency (a deposited pivot\'s against the ISO 4217 list too, as BR-CL-04 checks UBL and CII)',
    message: 'The invoice currency code "{value}" is not an ISO 4217 currency code (three capital letters, e.g. EUR).',
    check: (ctx) => {
      const v = ctx.invoice.currency;
      // XML's white space only: a no-break space is kept in Devise, which its pattern then refuses
      const code = v === undefined ? '' : xmlTrim(v);
      // BR-CL-04 never runs on a pivot: a Devise "XYZ" or "EUE" went to the finance system
      const known = ctx.invoice.syntax !== 'PIVOT' || CODES.currency.has(code);
      return v === undefined || v.trim() === '' || (/^[A-Z]{3}$/.test(code) && known) ? undefined : [{ path: at(ctx, 'BT-5'), values: { value: v } }];
    },
  },
];
