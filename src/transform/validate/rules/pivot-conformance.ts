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
import type { UblAllowanceChargeFact, UblFacts } from '../../../model/syntax-facts';
import { CODES } from '../codelists';
import { pathOf, PIVOT_UNIT } from '../paths';
import type { Rule, RuleContext, Violation } from '../rule';

/** Where a value of a repeated group sits, as a finding names it: "line 2", "line 2 charge 1". */
type Ordinal = { what: string; n: number; within?: Ordinal };

/**
 * A value and what a finding calls it: `label`, after its group's ordinal when it has one
 * ("line 2 net price"). The name is made by nameOf only for a finding: most values pass.
 */
type Field = { label: string; of?: Ordinal; bt: string; value: string | undefined };

const ordinalText = (o: Ordinal): string => (o.within === undefined ? `${o.what} ${o.n}` : `${ordinalText(o.within)} ${o.what} ${o.n}`);
const nameOf = (f: Field): string => (f.of === undefined ? f.label : `${ordinalText(f.of)} ${f.label}`);

/** a value and where it sits: the business term's path, at `index` for a repeated group */
type Located = Field & {
  index?: number;
  /** blank is CPRO-PIVOT-REQUIS's */ required?: boolean;
};

function required(inv: Invoice): Field[] {
  const out: Field[] = [
    { label: 'Invoice number', bt: 'BT-1', value: inv.number },
    { label: 'Invoice issue date', bt: 'BT-2', value: inv.issueDate },
    { label: 'Invoice currency code', bt: 'BT-5', value: inv.currency },
    { label: 'Seller name', bt: 'BG-4', value: inv.seller.name ?? inv.seller.tradingName },
    { label: 'Invoice total amount without VAT', bt: 'BG-22', value: inv.totals.taxExclusive },
    { label: 'Invoice total amount with VAT', bt: 'BG-22', value: inv.totals.taxInclusive },
    { label: 'Amount due for payment', bt: 'BG-22', value: inv.totals.payable },
  ];
  for (let k = 0; k < inv.vatBreakdown.length; k++) {
    const v = inv.vatBreakdown[k];
    const of: Ordinal = { what: 'VAT breakdown', n: k + 1 };
    out.push({ label: 'taxable amount', of, bt: 'BG-22', value: v.taxableAmount }, { label: 'tax amount', of, bt: 'BG-22', value: v.taxAmount });
  }
  // a pivot input's Type and Cadre are carried over as written (pivotType, pivotCadre)
  if (inv.syntax === 'PIVOT') {
    out.push({ label: 'invoice type (DonneesFacture/Type)', bt: 'BT-3', value: inv.typeCode }, { label: 'billing frame (DonneesFacture/Cadre)', bt: 'BT-23', value: inv.profileId });
  }
  for (let k = 0; k < inv.lines.length; k++) {
    const l = inv.lines[k];
    const of: Ordinal = { what: 'line', n: k + 1 };
    out.push({ label: 'net price', of, bt: 'BG-22', value: l.price.net }, { label: 'quantity', of, bt: 'BG-22', value: l.quantity }, { label: 'net amount', of, bt: 'BG-22', value: l.netAmount });
  }
  return out;
}

/** The amounts of allowances or charges, each named by its kind and rank ("document level charge 2", "line 1 allowance 1"). */
function allowanceAmounts(out: Located[], list: Invoice['allowanceCharges'], kind: { allowance: string; charge: string }, bt: string, index?: number, within?: Ordinal): void {
  for (let k = 0; k < list.length; k++) {
    const a = list[k];
    const of: Ordinal = { what: a.isCharge ? kind.charge : kind.allowance, n: k + 1, within };
    out.push(
      { label: 'amount', of, bt, index, value: a.amount },
      { label: 'base amount', of, bt, index, value: a.baseAmount },
      { label: 'percentage', of, bt, index, value: a.percent },
      { label: 'VAT rate', of, bt, index, value: a.vatRate },
    );
  }
}

const DOCUMENT_LEVEL = { allowance: 'document level allowance', charge: 'document level charge' };
const LINE_LEVEL = { allowance: 'allowance', charge: 'charge' };

/**
 * Every amount, quantity and rate a pivot or a Factur-X carries (the Factur-X XSD types them
 * xs:decimal; the pivot carries the totals, VAT breakdown and lines). Allowances, charges and
 * the totals the pivot does not carry were unchecked: an allowance of "NaN" went into a Factur-X.
 */
function decimals(inv: Invoice): Located[] {
  const t = inv.totals;
  const out: Located[] = [
    { label: 'Sum of invoice line net amount (BT-106)', bt: 'BG-22', value: t.lineExtension },
    { label: 'Sum of allowances on document level (BT-107)', bt: 'BG-22', value: t.allowanceTotal },
    { label: 'Sum of charges on document level (BT-108)', bt: 'BG-22', value: t.chargeTotal },
    { label: 'Invoice total amount without VAT (BT-109)', bt: 'BG-22', value: t.taxExclusive, required: true },
    { label: 'Invoice total VAT amount (BT-110)', bt: 'BG-22', value: t.taxTotal },
    { label: 'Invoice total VAT amount in accounting currency (BT-111)', bt: 'BG-22', value: t.taxTotalAccounting },
    { label: 'Invoice total amount with VAT (BT-112)', bt: 'BG-22', value: t.taxInclusive, required: true },
    { label: 'Paid amount (BT-113)', bt: 'BG-22', value: t.prepaid },
    { label: 'Rounding amount (BT-114)', bt: 'BG-22', value: t.rounding },
    { label: 'Amount due for payment (BT-115)', bt: 'BG-22', value: t.payable, required: true },
  ];
  allowanceAmounts(out, inv.allowanceCharges, DOCUMENT_LEVEL, 'BG-22');
  for (let k = 0; k < inv.vatBreakdown.length; k++) {
    const v = inv.vatBreakdown[k];
    const of: Ordinal = { what: 'VAT breakdown', n: k + 1 };
    out.push(
      { label: 'taxable amount (BT-116)', of, bt: 'BG-22', value: v.taxableAmount, required: true },
      { label: 'tax amount (BT-117)', of, bt: 'BG-22', value: v.taxAmount, required: true },
      { label: 'rate (BT-119)', of, bt: 'BG-22', value: v.rate },
    );
  }
  for (let k = 0; k < inv.lines.length; k++) {
    const l = inv.lines[k];
    const of: Ordinal = { what: 'line', n: k + 1 };
    const index = k + 1;
    out.push(
      { label: 'net price (BT-146)', of, bt: 'BG-25', index, value: l.price.net, required: true },
      { label: 'gross price (BT-148)', of, bt: 'BG-25', index, value: l.price.gross },
      { label: 'price discount (BT-147)', of, bt: 'BG-25', index, value: l.price.discount },
      { label: 'price base quantity (BT-149)', of, bt: 'BG-25', index, value: l.price.baseQuantity },
      { label: 'quantity (BT-129)', of, bt: 'BG-25', index, value: l.quantity, required: true },
      { label: 'net amount (BT-131)', of, bt: 'BG-25', index, value: l.netAmount, required: true },
      { label: 'VAT rate (BT-152)', of, bt: 'BG-25', index, value: l.vat.rate },
    );
    allowanceAmounts(out, l.allowanceCharges, LINE_LEVEL, 'BG-25', index, of);
  }
  return out;
}

/** The start and end of a period, each a date to check ("Invoicing period (BG-14) start date", "line 3 period (BG-26) end date"). */
function periodDates(out: Located[], p: Invoice['invoicingPeriod'], labels: { start: string; end: string }, bt: string, index?: number, of?: Ordinal): void {
  out.push({ label: labels.start, of, bt, index, value: p?.start }, { label: labels.end, of, bt, index, value: p?.end });
}

const INVOICING_PERIOD = { start: 'Invoicing period (BG-14) start date', end: 'Invoicing period (BG-14) end date' };
const LINE_PERIOD = { start: 'period (BG-26) start date', end: 'period (BG-26) end date' };

/**
 * Every date an output carries: the pivot's, and those the Factur-X writes (format 102, which
 * the EN 16931 schematron checks, CII-DT-097). A UBL date is an xs:date by the UBL schema,
 * which no schematron checks: "2026-13-45" or "٣" in a DueDate would pass everything else.
 */
function dates(inv: Invoice): Located[] {
  const out: Located[] = [
    { label: 'Invoice issue date (BT-2)', bt: 'BT-2', value: inv.issueDate },
    { label: 'Payment due date (BT-9)', bt: 'BT-9', value: inv.dueDate },
    { label: 'Value added tax point date (BT-7)', bt: 'BT-7', value: inv.taxPointDate },
    { label: 'Actual delivery date (BT-72)', bt: 'BT-72', value: inv.delivery?.date },
  ];
  periodDates(out, inv.invoicingPeriod, INVOICING_PERIOD, 'BG-14');
  for (let k = 0; k < inv.precedingInvoices.length; k++) out.push({ label: 'issue date (BT-26)', of: { what: 'Preceding invoice', n: k + 1 }, bt: 'BG-3', index: k + 1, value: inv.precedingInvoices[k].issueDate });
  for (let k = 0; k < inv.lines.length; k++) periodDates(out, inv.lines[k].period, LINE_PERIOD, 'BG-25', k + 1, { what: 'line', n: k + 1 });
  out.push(
    { label: 'DateLivraison', bt: 'BT-2', value: inv.chorus.deliveryDate },
    { label: 'DateReception', bt: 'BT-2', value: inv.chorus.receptionDate },
    { label: 'DateMiseADispositionMOE', bt: 'BT-2', value: inv.chorus.moeAvailabilityDate },
  );
  return out;
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

// made once at load, not per check (docs/PERFORMANCE.md, thirty-first round)
const isBlank = (f: Field) => (f.value ?? '').trim() === '';

/** Every UBL allowance and charge, the document's then each line's own and its price's. */
function ublAllowanceCharges(f: UblFacts): UblAllowanceChargeFact[] {
  const out = [...f.allowanceCharges];
  for (const l of f.lines) out.push(...l.allowanceCharges, ...l.priceAllowanceCharges);
  return out;
}

const at = (ctx: RuleContext, bt: string) => pathOf(bt, ctx.invoice.syntax, undefined, ctx.invoice.documentKind);

/** The values that do not fit their type, each at its place; an empty one is skipped where `blankSkipped` says so. */
function misfits(ctx: RuleContext, values: Located[], fits: (v: string) => boolean, fallbackBt: string, blankSkipped: (f: Located) => boolean): Violation[] {
  const out: Violation[] = [];
  for (const f of values) {
    if (f.value !== undefined && !(f.value.trim() === '' && blankSkipped(f)) && !fits(f.value)) {
      out.push({ path: pathOf(f.bt, ctx.invoice.syntax, f.index, ctx.invoice.documentKind) ?? at(ctx, fallbackBt), values: { name: nameOf(f), value: f.value } });
    }
  }
  return out;
}

export const PIVOT_CONFORMANCE_RULES: Rule[] = [
  {
    id: 'CPRO-PIVOT-REQUIS',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'values the pivot requires',
    message: 'The CPPFacturePivot requires the {name}; it is missing or empty.',
    check: (ctx) => required(ctx.invoice).filter(isBlank).map((f): Violation => ({ path: at(ctx, f.bt), values: { name: nameOf(f) } })),
  },
  {
    id: 'CPRO-PIVOT-NOM',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'seller and buyer names (a UBL or CII buyer name; a pivot\'s Debiteur/Nom is optional) made of invisible characters only',
    // the code points last: a name padded with 35 no-break spaces hid the rule it breaks past 300 characters
    message: 'The {name} is made of invisible characters only: the pivot and the Factur-X would show no name, which {rule} requires. Write the name. Its characters: {codes}.',
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
    // an element left empty is no xs:date, which the UBL and pivot schemas require of every date
    // (as of decimals): refused there (until 2026-12-07 it was taken for an absent date; the
    // official UBL XSLT also stops on xs:date('') in a period with both ends, BR-29, BR-30). CII
    // types its dates as strings: an empty one there is an absent date, left out of the outputs
    check: (ctx) => misfits(ctx, dates(ctx.invoice), isXsDate, 'BT-2', () => ctx.invoice.syntax === 'CII'),
  },
  {
    id: 'CPRO-PIVOT-CODE',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'values a pivot input carries over as written (invoice type, billing frame, identifier types, ModeEmission, PJ types, categories and original names, validation cycle)',
    // the value last: a NomPJOrigine of 255 bytes hid what is allowed past the 300 characters a flow's reason keeps
    message: 'The {name} is not a value the CPPFacturePivot allows ({allowed}): "{value}".',
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
        ? ublAllowanceCharges(f.ubl)
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
