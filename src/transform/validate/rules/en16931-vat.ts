/**
 * EN 16931 VAT category rules: standard rated (BR-S), zero rated (BR-Z), exempt (BR-E),
 * reverse charge (BR-AE), intra-community supply (BR-IC, code K), export (BR-G), not subject
 * to VAT (BR-O), IGIC (BR-AF, code L), IPSI (BR-AG, code M) and split payment (BR-B).
 *
 * Rule n of every family has the same shape (01 breakdown present, 02–04 party identifiers
 * for lines / allowances / charges, 05–07 rates, 08 taxable amount, 09 tax amount, 10
 * exemption reason); the families differ in details that follow the official schematron of
 * each syntax closely (which identifiers count, tolerances, rate conditions).
 */
import type { CiiTaxFact, UblFacts, UblTaxCategoryFact } from '../../../model/syntax-facts';
import type { Rule, RuleContext, Violation } from '../rule';
import { cmp, d, dsum, eq, eqUntyped, ns, percentOf, untypedAsDecimal, within1, xround, zero, type D } from '../xpath';
import { ALWAYS, C, each, eachIf, eachIfIn, en, HOLDS, isVatType, memo, U, unless } from './define';

type Family = 'S' | 'Z' | 'E' | 'AE' | 'IC' | 'G' | 'O' | 'AF' | 'AG';
const CODE: Record<Family, string> = { S: 'S', Z: 'Z', E: 'E', AE: 'AE', IC: 'K', G: 'G', O: 'O', AF: 'L', AG: 'M' };
const FAMILIES: Family[] = ['AE', 'E', 'G', 'IC', 'AF', 'AG', 'O', 'S', 'Z'];
const NAME: Record<Family, string> = {
  S: 'standard rated',
  Z: 'zero rated',
  E: 'exempt from VAT',
  AE: 'reverse charge',
  IC: 'intra-community supply',
  G: 'export outside the EU',
  O: 'not subject to VAT',
  AF: 'IGIC',
  AG: 'IPSI',
};
function count<T>(items: readonly T[], pred: (item: T) => boolean): number {
  let n = 0;
  for (let i = 0; i < items.length; i++) if (pred(items[i])) n++;
  return n;
}

/*
 * count and some with a category code passed along: the tests below are made once, where a
 * closure over the code made on every check lost its optimized code at each full collection
 * (docs/PERFORMANCE.md, thirty-first round).
 */
function countIs<T>(items: readonly T[], test: (item: T, code: string) => boolean, code: string): number {
  let n = 0;
  for (let i = 0; i < items.length; i++) if (test(items[i], code)) n++;
  return n;
}

function someIs<T>(items: readonly T[], test: (item: T, code: string) => boolean, code: string): boolean {
  for (let i = 0; i < items.length; i++) if (test(items[i], code)) return true;
  return false;
}

const HEADER_KEY: Record<Family, string> = { S: 'headerS', Z: 'headerZ', E: 'headerE', AE: 'headerAE', IC: 'headerIC', G: 'headerG', O: 'headerO', AF: 'headerAF', AG: 'headerAG' };
const id = (fam: Family, n: number) => `BR-${fam}-${String(n).padStart(2, '0')}`;

/* ======================================================================================= UBL */

const ublIs = (t: UblTaxCategoryFact, code: string) => t.code === code;
const ublIsVat = (t: UblTaxCategoryFact, code: string) => t.vat && t.code === code;
const acIs = (x: { cat: UblTaxCategoryFact }, code: string) => ublIs(x.cat, code);
const acIsVat = (x: { cat: UblTaxCategoryFact }, code: string) => ublIsVat(x.cat, code);
const idIs = (t: UblTaxCategoryFact, id: string) => t.id === id;
const textIs = (c: { text: string }, text: string) => c.text === text;
const taxesOf = (l: { taxes: CiiTaxFact[] }) => l.taxes;
const acIdIs = (x: { cat: UblTaxCategoryFact }, id: string) => x.cat.id === id;

// The checks below are made once per rule, not per invoice: a closure made inside a check is
// a new function on every call, and V8 compiled the same ones again and again.
const pathOf = (x: { path: string }) => x.path;
const catPathOf = (x: { cat: UblTaxCategoryFact }) => x.cat.path;
const taxPathOf = (x: { tax: CiiTaxFact }) => x.tax.path;
const FAILS = () => false;
const ZERO = d('0');

interface UblView {
  /** //cac:ClassifiedTaxCategory */
  classified: UblTaxCategoryFact[];
  /** //cac:AllowanceCharge/cac:TaxCategory with the allowance/charge's indicator */
  acCats: { cat: UblTaxCategoryFact; charge?: boolean; root: boolean }[];
  /** cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory (document level) */
  subCats: { cat: UblTaxCategoryFact; taxable?: string; tax?: string; path: string }[];
  sellerAny: boolean;
  sellerVat: boolean;
  taxRepVat: boolean;
  buyerVat: boolean;
  buyerLegal: boolean;
}

const ublViews = new WeakMap<object, UblView>();

function ublView(ctx: RuleContext): UblView {
  const f = U(ctx);
  let v = ublViews.get(f);
  if (v) return v;
  const acCats: UblView['acCats'] = [];
  for (const ac of f.allowanceCharges) for (const cat of ac.taxCategories) acCats.push({ cat, charge: ac.charge, root: true });
  for (const l of f.lines) for (const ac of l.allowanceCharges) for (const cat of ac.taxCategories) acCats.push({ cat, charge: ac.charge, root: false });
  const subCats: UblView['subCats'] = [];
  for (const t of f.taxTotals) for (const s of t.subtotals) if (s.category) subCats.push({ cat: s.category, taxable: s.taxableAmount, tax: s.taxAmount, path: s.category.path });
  v = {
    classified: f.lines.flatMap((l) => l.classified),
    acCats,
    subCats,
    sellerAny: f.sellerTaxSchemes.some((t) => t.companyIdCount > 0),
    sellerVat: f.sellerTaxSchemes.some((t) => t.vat && t.companyIdCount > 0),
    taxRepVat: f.taxRepTaxSchemes.some((t) => t.vat && t.companyIdCount > 0),
    buyerVat: f.buyerTaxSchemes.some((t) => t.vat && t.companyIdCount > 0),
    buyerLegal: (f.counts['AccountingCustomerParty/Party/PartyLegalEntity/CompanyID'] ?? 0) > 0,
  };
  ublViews.set(f, v);
  return v;
}

/** The seller/buyer identifiers rules 02–04 require, per family (UBL). */
function ublPartiesOk(fam: Family, v: UblView): boolean {
  switch (fam) {
    case 'AE':
      return (v.sellerAny || v.taxRepVat) && (v.buyerVat || v.buyerLegal);
    case 'G':
      return v.sellerVat || v.taxRepVat;
    case 'IC':
      return (v.sellerVat || v.taxRepVat) && v.buyerVat;
    case 'O':
      return !v.sellerVat && !v.taxRepVat && !v.buyerVat;
    default:
      return v.sellerAny || v.taxRepVat;
  }
}

function ublRule01(fam: Family): Rule[] {
  const c = CODE[fam];
  return en(id(fam, 1), 'UBL', 'invoice', (ctx) => {
    const v = ublView(ctx);
    let ok: boolean;
    if (fam === 'S') {
      const used = countIs(v.acCats, acIs, c) + countIs(v.classified, ublIs, c);
      const inBreakdown = countIs(v.subCats, acIs, c);
      ok = (used > 0 && inBreakdown > 0) || (used === 0 && inBreakdown === 0);
    } else if (fam === 'AF' || fam === 'AG') {
      const used = countIs(v.acCats, acIsVat, c) + countIs(v.classified, ublIsVat, c);
      // BR-AF-01 counts breakdowns by cbc:ID = 'L' alone, BR-AG-01 with the VAT scheme
      const inBreakdown = count(v.subCats, (x) => x.cat.id === c && (fam === 'AF' || x.cat.vat));
      const inBreakdownVat = countIs(v.subCats, acIsVat, c);
      ok = (used > 0 && inBreakdown > 0) || (used === 0 && inBreakdownVat === 0);
    } else {
      // //cac:TaxCategory also holds the breakdown's own categories
      const any = someIs(v.acCats, acIsVat, c) || someIs(v.subCats, acIsVat, c) || someIs(v.classified, ublIsVat, c);
      const inBreakdown = countIs(v.subCats, acIsVat, c);
      ok = (any && inBreakdown === 1) || !any;
    }
    return unless(ok, () => `/${U(ctx).root}/cac:TaxTotal`);
  });
}

function ublRule02(fam: Family): Rule[] {
  const c = CODE[fam];
  return en(id(fam, 2), 'UBL', 'invoice', (ctx) => {
    const v = ublView(ctx);
    const used = someIs(v.classified, ublIsVat, c);
    // BR-S-02's "or not(…)" branch tests the category code without the VAT scheme
    const guard = fam === 'S' ? someIs(v.classified, ublIs, c) : used;
    return unless((used && ublPartiesOk(fam, v)) || !guard, () => `/${U(ctx).root}/cac:AccountingSupplierParty`);
  });
}

function ublRule0304(fam: Family, n: 3 | 4): Rule[] {
  const c = CODE[fam];
  const charge = n === 4;
  return en(id(fam, n), 'UBL', 'invoice', (ctx) => {
    const v = ublView(ctx);
    // BR-O-03/04 look at document level allowances/charges only
    const acs = v.acCats.filter((x) => x.charge === charge && (fam !== 'O' || x.root));
    const usedVat = acs.some((x) => ublIsVat(x.cat, c));
    // BR-G-03/04 test the parties when a G category (any scheme) is there
    const used = fam === 'G' ? someIs(acs, acIs, c) : usedVat;
    return unless((used && ublPartiesOk(fam, v)) || !usedVat, () => `/${U(ctx).root}/cac:AccountingSupplierParty`);
  });
}

/** Rates of lines (05), document allowances (06) and charges (07). */
function ublRateOk(fam: Family, percent: string | undefined): boolean {
  switch (fam) {
    case 'S':
      return cmp(percent, '>', 0);
    case 'AF':
    case 'AG':
      return cmp(percent, '>=', 0);
    case 'O':
      return percent === undefined;
    default:
      return eq(d(percent), ZERO);
  }
}

function ublRule05(fam: Family): Rule[] {
  const c = CODE[fam];
  const inFamily = (t: UblTaxCategoryFact) => ublIsVat(t, c);
  const rateOk = (t: UblTaxCategoryFact) => ublRateOk(fam, t.percent);
  return en(id(fam, 5), 'UBL', 'each invoice line', (ctx) => eachIf(ublView(ctx).classified, inFamily, rateOk, pathOf));
}

function ublRule0607(fam: Family, n: 6 | 7): Rule[] {
  const c = CODE[fam];
  const charge = n === 7;
  const inFamily = (x: UblView['acCats'][number]) => x.charge === charge && ublIsVat(x.cat, c);
  const rateOk = (x: UblView['acCats'][number]) => ublRateOk(fam, x.cat.percent);
  return en(id(fam, n), 'UBL', n === 6 ? 'each document level allowance' : 'each document level charge', (ctx) => eachIf(ublView(ctx).acCats, inFamily, rateOk, catPathOf));
}

interface UblSums {
  invoiceLines: D;
  creditLines: D;
  charges: D;
  allowances: D;
  /** for rate-bound families: some line (of the root's kind) or allowance/charge has the category and rate */
  matches: { invoice: boolean; credit: boolean; ac: boolean };
}

/** Some category has the code and, for a rate-bound sum, some has the rate (`[cbc:ID = $c][cbc:Percent = $rate]` over a list). */
function hasCategory(cats: readonly UblTaxCategoryFact[], c: string, rate: D | undefined): boolean {
  let code = false;
  let rated = rate === undefined;
  for (const t of cats) {
    if (t.code === c) code = true;
    if (!rated && eq(d(t.percent), rate)) rated = true;
  }
  return code && rated;
}

function someLineAcHas(f: UblFacts, c: string, rate: D): boolean {
  for (const l of f.lines) for (const a of l.allowanceCharges) if (hasCategory(a.taxCategories, c, rate)) return true;
  return false;
}

/** Sums of BR-x-08 over the lines and document level allowances/charges of a category (and rate). */
function ublSums(ctx: RuleContext, c: string, rate?: D): UblSums {
  const f = U(ctx);
  const inv = ctx.invoice;
  const lines: (string | undefined)[] = [];
  for (let k = 0; k < inv.lines.length; k++) if (hasCategory(f.lines[k]?.classified ?? [], c, rate)) lines.push(inv.lines[k].netAmount);
  const credit = f.root === 'CreditNote';
  const charges: (string | undefined)[] = [];
  const allowances: (string | undefined)[] = [];
  let anyAc = false;
  for (let k = 0; k < inv.allowanceCharges.length; k++) {
    if (!hasCategory(f.allowanceCharges[k]?.taxCategories ?? [], c, rate)) continue;
    anyAc = true;
    const ch = f.allowanceCharges[k]?.charge;
    if (ch === true) charges.push(inv.allowanceCharges[k].amount);
    else if (ch === false) allowances.push(inv.allowanceCharges[k].amount);
  }
  // allowances and charges of lines also count in //cac:AllowanceCharge[…] (rate-bound existence test)
  if (rate !== undefined && !anyAc) {
    anyAc = someLineAcHas(f, c, rate);
  }
  const lineSum = dsum(lines);
  return {
    invoiceLines: credit ? zero() : lineSum,
    creditLines: credit ? lineSum : zero(),
    charges: dsum(charges),
    allowances: dsum(allowances),
    matches: { invoice: !credit && lines.length > 0, credit: credit && lines.length > 0, ac: anyAc },
  };
}

function ublRule08(fam: Family): Rule[] {
  const c = CODE[fam];
  const inFamily = (x: UblView['subCats'][number]) => ublIsVat(x.cat, c);
  const taxableOk = (x: UblView['subCats'][number], ctx: RuleContext): boolean => {
    const hasInvoiceLines = U(ctx).root === 'Invoice' && ctx.invoice.lines.length > 0;
    const hasCreditLines = U(ctx).root === 'CreditNote' && ctx.invoice.lines.length > 0;
    const taxable = d(x.taxable);
    if (fam === 'S' || fam === 'AF' || fam === 'AG') {
      const rate = d(x.cat.percent);
      if (rate === undefined) return true; // every $rate in () satisfies …
      const s = ublSums(ctx, c, rate);
      const inv = s.invoiceLines.plus(s.charges).minus(s.allowances);
      const cn = s.creditLines.plus(s.charges).minus(s.allowances);
      if (fam === 'S') {
        return ((s.matches.invoice || s.matches.ac) && within1(taxable, inv, 'UBL')) || ((s.matches.credit || s.matches.ac) && within1(taxable, cn, 'UBL'));
      }
      return (hasInvoiceLines && within1(taxable, inv, 'UBL')) || (hasCreditLines && within1(taxable, cn, 'UBL'));
    }
    const s = ublSums(ctx, c);
    return (hasInvoiceLines && eq(taxable, s.invoiceLines.plus(s.charges).minus(s.allowances))) || (hasCreditLines && eq(taxable, s.creditLines.plus(s.charges).minus(s.allowances)));
  };
  return en(id(fam, 8), 'UBL', 'each VAT breakdown', (ctx) => eachIfIn(ctx, ublView(ctx).subCats, inFamily, taxableOk, pathOf));
}

function ublRule09(fam: Family): Rule[] {
  const c = CODE[fam];
  const inFamily = (x: UblView['subCats'][number]) => ublIsVat(x.cat, c);
  const taxOk = (x: UblView['subCats'][number]): boolean => {
    if (fam === 'S' || fam === 'AF' || fam === 'AG') {
      const tax = d(x.tax);
      const base = d(x.taxable);
      const rate = d(x.cat.percent);
      if (tax === undefined || base === undefined || rate === undefined) return false;
      const exp = xround(base.abs().times(percentOf(rate)));
      return tax.abs().minus(1).lt(exp) && tax.abs().plus(1).gt(exp);
    }
    return eq(d(x.tax), ZERO);
  };
  return en(id(fam, 9), 'UBL', 'each VAT breakdown', (ctx) => eachIf(ublView(ctx).subCats, inFamily, taxOk, pathOf));
}

function ublRule10(fam: Family): Rule[] {
  const c = CODE[fam];
  const mustHave = fam === 'AE' || fam === 'E' || fam === 'G' || fam === 'IC' || fam === 'O';
  const inFamily = (x: UblView['subCats'][number]) => ublIsVat(x.cat, c);
  const reasonOk = (x: UblView['subCats'][number]): boolean => {
    const has = x.cat.exemptionReasonCount > 0 || x.cat.exemptionReasonCode !== undefined;
    return mustHave ? has : !has;
  };
  return en(id(fam, 10), 'UBL', 'each VAT breakdown', (ctx) => eachIf(ublView(ctx).subCats, inFamily, reasonOk, pathOf));
}

function ublFamily(fam: Family): Rule[] {
  return [
    ...ublRule01(fam),
    ...ublRule02(fam),
    ...ublRule0304(fam, 3),
    ...ublRule0304(fam, 4),
    ...ublRule05(fam),
    ...ublRule0607(fam, 6),
    ...ublRule0607(fam, 7),
    ...ublRule08(fam),
    ...ublRule09(fam),
    ...ublRule10(fam),
  ];
}

/* ======================================================================================= CII */

interface CiiView {
  header: CiiTaxFact[];
  lineTaxes: CiiTaxFact[];
  /** every ram:CategoryTradeTax */
  catTaxes: CiiTaxFact[];
  /** CategoryTradeTax of every allowance/charge, with its indicator as xs:boolean */
  acTaxes: { tax: CiiTaxFact; charge?: boolean }[];
  sellerVaFc: boolean;
  sellerVa: boolean;
  taxRepVa: boolean;
  buyerVa: boolean;
  buyerLegal: boolean;
}

const ciiViews = new WeakMap<object, CiiView>();

function ciiView(ctx: RuleContext): CiiView {
  const f = C(ctx);
  let v = ciiViews.get(f);
  if (v) return v;
  v = {
    header: f.headerTaxes,
    lineTaxes: f.lines.flatMap(taxesOf),
    catTaxes: f.categoryTradeTaxes,
    acTaxes: f.allAllowanceCharges.flatMap((a) => a.taxes.map((tax) => ({ tax, charge: a.charge }))),
    sellerVaFc: f.sellerTaxIds.some((t) => t.attr === 'VA' || t.attr === 'FC'),
    sellerVa: f.sellerTaxIds.some((t) => t.attr === 'VA'),
    taxRepVa: f.taxRepTaxIds.some((t) => t.attr === 'VA'),
    buyerVa: f.buyerTaxIds.some((t) => t.attr === 'VA'),
    buyerLegal: f.buyerLegalIdCount > 0,
  };
  ciiViews.set(f, v);
  return v;
}

const ciiIs = (t: CiiTaxFact, code: string) => t.categoryCode === code;
const ciiIsVat = (t: CiiTaxFact, code: string) => t.categoryCode === code && isVatType(t.typeCode);

function ciiPartiesOk(fam: Family, v: CiiView): boolean {
  switch (fam) {
    case 'AE':
      return (v.sellerVaFc || v.taxRepVa) && (v.buyerVa || v.buyerLegal);
    case 'G':
      return v.sellerVa || v.taxRepVa;
    case 'IC':
      return (v.sellerVa || v.taxRepVa) && v.buyerVa;
    case 'O':
      return !v.sellerVa && !v.taxRepVa && !v.buyerVa;
    default:
      return v.sellerVaFc || v.taxRepVa;
  }
}

function ciiRule01(fam: Family): Rule[] {
  const c = CODE[fam];
  return en(id(fam, 1), 'CII', 'invoice', (ctx) => {
    const v = ciiView(ctx);
    const h = countIs(v.header, ciiIs, c);
    const l = countIs(v.lineTaxes, ciiIs, c);
    const a = countIs(v.catTaxes, ciiIs, c);
    let ok: boolean;
    if (fam === 'S' || fam === 'AF' || fam === 'AG') ok = (l + h >= 2 || l === 0) && (a + h >= 2 || a === 0);
    else if (fam === 'O') ok = h === 0 || (h === 1 && (l > 0 || a > 0));
    else ok = (h === 0 && l === 0 && a === 0) || (h === 1 && (l > 0 || a > 0));
    return unless(ok, '/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement');
  });
}

function ciiRule02(fam: Family): Rule[] {
  const c = CODE[fam];
  const inFamily = (t: CiiTaxFact) => ciiIsVat(t, c);
  return en(id(fam, 2), 'CII', 'each invoice line', (ctx) => {
    const v = ciiView(ctx);
    // one finding per line of the family when the parties are not as the family needs
    return ciiPartiesOk(fam, v) ? undefined : eachIf(v.lineTaxes, inFamily, FAILS, pathOf);
  });
}

function ciiRule0304(fam: Family, n: 3 | 4): Rule[] {
  const c = CODE[fam];
  const charge = n === 4;
  const inFamily = (x: CiiView['acTaxes'][number]) => x.charge === charge && ciiIsVat(x.tax, c);
  return en(id(fam, n), 'CII', n === 3 ? 'each allowance' : 'each charge', (ctx) => {
    const v = ciiView(ctx);
    return ciiPartiesOk(fam, v) ? undefined : eachIf(v.acTaxes, inFamily, FAILS, taxPathOf);
  });
}

function ciiRateOk(fam: Family, rate: string | undefined): boolean {
  switch (fam) {
    case 'S':
    case 'AF':
      return cmp(rate, '>', 0);
    case 'AG':
      return cmp(rate, '>=', 0);
    case 'O':
      return rate === undefined;
    default:
      return cmp(rate, '=', 0);
  }
}

function ciiRule05(fam: Family): Rule[] {
  const c = CODE[fam];
  const inFamily = (t: CiiTaxFact) => ciiIsVat(t, c);
  const rateOk = (t: CiiTaxFact) => ciiRateOk(fam, t.rate);
  return en(id(fam, 5), 'CII', 'each invoice line', (ctx) => eachIf(ciiView(ctx).lineTaxes, inFamily, rateOk, pathOf));
}

function ciiRule0607(fam: Family, n: 6 | 7): Rule[] {
  const c = CODE[fam];
  const charge = n === 7;
  const inFamily = (x: CiiView['acTaxes'][number]) => x.charge === charge && ciiIsVat(x.tax, c);
  const rateOk = (x: CiiView['acTaxes'][number]) => ciiRateOk(fam, x.tax.rate);
  return en(id(fam, n), 'CII', n === 6 ? 'each allowance' : 'each charge', (ctx) => eachIf(ciiView(ctx).acTaxes, inFamily, rateOk, taxPathOf));
}

/**
 * X = round(Σ line net amounts) + round(Σ document charges) − round(Σ document allowances)
 * over the lines and header allowances/charges of a category (and rate).
 */
function ciiExpected(ctx: RuleContext, c: string, rate?: D): D {
  const f = C(ctx);
  const lines: (string | undefined)[] = [];
  const inv = ctx.invoice;
  for (let k = 0; k < inv.lines.length; k++) {
    const taxes = f.lines[k]?.taxes ?? [];
    if (someIs(taxes, ciiIs, c) && (rate === undefined || hasRate(taxes, rate))) lines.push(inv.lines[k].netAmount);
  }
  const charges: (string | undefined)[] = [];
  const allowances: (string | undefined)[] = [];
  for (const a of f.allowanceCharges) {
    if (!someIs(a.taxes, ciiIs, c)) continue;
    if (rate !== undefined && !hasRate(a.taxes, rate)) continue;
    if (a.charge === true) charges.push(a.actualAmount);
    else if (a.charge === false) allowances.push(a.actualAmount);
  }
  return xround(dsum(lines)).plus(xround(dsum(charges))).minus(xround(dsum(allowances)));
}

/** Some tax has the rate (`ram:RateApplicablePercent = $rate` over a list). */
function hasRate(taxes: readonly CiiTaxFact[], rate: D): boolean {
  for (const t of taxes) if (eq(d(t.rate), rate)) return true;
  return false;
}

function filterIs<T>(items: readonly T[], test: (item: T, code: string) => boolean, code: string): T[] {
  const out: T[] = [];
  for (const it of items) if (test(it, code)) out.push(it);
  return out;
}

/** The header taxes a family's rules 08–10 apply to (the contexts of the official templates). */
function ciiHeaderOf(ctx: RuleContext, fam: Family): CiiTaxFact[] {
  const f = C(ctx);
  // S and Z: ram:CategoryCode[. = 'S'] without the TypeCode condition
  return memo(f, HEADER_KEY[fam], () => filterIs(f.headerTaxes, fam === 'S' || fam === 'Z' ? ciiIs : ciiIsVat, CODE[fam]));
}

function ciiRule08(fam: Family): Rule[] {
  const c = CODE[fam];
  // BR-AF-08 / BR-AG-08: the context is ram:ApplicableTradeTax, so the official
  // `every $rate in ../ram:RateApplicablePercent` ranges over the settlement's (absent) rate: it always holds
  if (fam === 'AF' || fam === 'AG') return en(id(fam, 8), 'CII', 'each VAT breakdown', HOLDS);
  const basisOk = (t: CiiTaxFact, ctx: RuleContext): boolean => {
    // ram:BasisAmount is untyped there: compared and subtracted from as an xs:double
    if (fam === 'S') {
      const rate = d(t.rate);
      if (rate === undefined) return true;
      return eqUntyped(t.basisAmount, ciiExpected(ctx, c, rate));
    }
    if (fam === 'O') return eqUntyped(t.basisAmount, ciiExpected(ctx, c));
    return within1(untypedAsDecimal(t.basisAmount), ciiExpected(ctx, c), 'CII');
  };
  return en(id(fam, 8), 'CII', 'each VAT breakdown', (ctx) => eachIfIn(ctx, ciiHeaderOf(ctx, fam), ALWAYS, basisOk, pathOf));
}

function ciiRule09(fam: Family): Rule[] {
  if (fam === 'AF' || fam === 'AG') return en(id(fam, 9), 'CII', 'each VAT breakdown', HOLDS);
  const taxOk = (t: CiiTaxFact): boolean => {
    if (fam === 'S') {
      const tax = d(t.calculatedAmount);
      const base = d(t.basisAmount);
      const rate = d(t.rate);
      if (tax === undefined || base === undefined || rate === undefined) return false;
      // round(abs(BasisAmount) * RateApplicablePercent) div 100
      const exp = xround(base.abs().times(rate), 0).times('0.01');
      return tax.abs().minus(1).lt(exp) && tax.abs().plus(1).gt(exp);
    }
    return cmp(t.calculatedAmount, '=', 0);
  };
  return en(id(fam, 9), 'CII', 'each VAT breakdown', (ctx) => eachIf(ciiHeaderOf(ctx, fam), ALWAYS, taxOk, pathOf));
}

function ciiRule10(fam: Family): Rule[] {
  const mustHave = fam === 'AE' || fam === 'E' || fam === 'G' || fam === 'IC' || fam === 'O';
  const reasonOk = (t: CiiTaxFact): boolean => {
    const has = t.hasExemptionReason || t.hasExemptionReasonCode;
    return mustHave ? has : !has;
  };
  return en(id(fam, 10), 'CII', 'each VAT breakdown', (ctx) => eachIf(ciiHeaderOf(ctx, fam), ALWAYS, reasonOk, pathOf));
}

function ciiFamily(fam: Family): Rule[] {
  return [
    ...ciiRule01(fam),
    ...ciiRule02(fam),
    ...ciiRule0304(fam, 3),
    ...ciiRule0304(fam, 4),
    ...ciiRule05(fam),
    ...ciiRule0607(fam, 6),
    ...ciiRule0607(fam, 7),
    ...ciiRule08(fam),
    ...ciiRule09(fam),
    ...ciiRule10(fam),
  ];
}

/* ============================================================ family-specific extra rules */

const IC_EXTRA: Rule[] = [
  ...en('BR-IC-11', 'UBL', 'invoice', (ctx) => {
    const v = ublView(ctx);
    if (!someIs(v.subCats, acIsVat, 'K')) return undefined;
    const f = U(ctx);
    const date = ctx.invoice.delivery?.date;
    const ok = (date !== undefined && [...date].length > 1) || f.invoicePeriods.some((p) => p.hasStart || p.hasEnd || p.descriptionCode !== undefined);
    return unless(ok, () => `/${f.root}/cac:Delivery`);
  }),
  ...en('BR-IC-11', 'CII', 'each VAT breakdown', (ctx) => {
    const f = C(ctx);
    const p = f.invoicePeriod;
    const ok = f.hasDeliveryDate || (p !== undefined && (p.hasStart || p.hasEnd));
    return each(ciiHeaderOf(ctx, 'IC'), () => ok, (t) => t.path);
  }),
  ...en('BR-IC-12', 'UBL', 'invoice', (ctx) => {
    const v = ublView(ctx);
    if (!someIs(v.subCats, acIsVat, 'K')) return undefined;
    const cc = ctx.invoice.delivery?.address?.countryCode;
    return unless(cc !== undefined && [...cc].length > 1, () => `/${U(ctx).root}/cac:Delivery/cac:DeliveryLocation/cac:Address/cac:Country/cbc:IdentificationCode`);
  }),
  ...en('BR-IC-12', 'CII', 'each VAT breakdown', (ctx) => {
    const f = C(ctx);
    const ok = f.shipToAddress?.countryId !== undefined;
    return each(ciiHeaderOf(ctx, 'IC'), () => ok, (t) => t.path);
  }),
];

function ublO(n: 11 | 12 | 13 | 14): Rule[] {
  return en(id('O', n), 'UBL', 'invoice', (ctx) => {
    const v = ublView(ctx);
    if (!someIs(v.subCats, acIsVat, 'O')) return undefined;
    let others: boolean;
    if (n === 11) others = v.subCats.some((x) => x.cat.vat && x.cat.code !== 'O');
    else if (n === 12) others = v.classified.some((t) => t.vat && t.code !== 'O');
    else others = v.acCats.some((x) => x.charge === (n === 14) && x.cat.vat && x.cat.code !== 'O');
    return unless(!others, () => `/${U(ctx).root}/cac:TaxTotal`);
  });
}

function ciiO(n: 11 | 12 | 13 | 14): Rule[] {
  return en(id('O', n), 'CII', 'each VAT breakdown', (ctx) => {
    const f = C(ctx);
    const others = n <= 12 ? f.applicableTradeTaxes.some((t) => t.categoryCode !== undefined && t.categoryCode !== 'O') : f.categoryTradeTaxes.some((t) => t.categoryCode !== undefined && t.categoryCode !== 'O');
    return each(ciiHeaderOf(ctx, 'O'), () => !others, (t) => t.path);
  });
}

const O_EXTRA: Rule[] = [...([11, 12, 13, 14] as const).flatMap((n) => [...ublO(n), ...ciiO(n)])];

/* split payment (BR-B): the category B is only for domestic Italian invoices */
const B_RULES: Rule[] = [
  ...en('BR-B-01', 'UBL', 'invoice', (ctx) => {
    const f = U(ctx);
    const v = ublView(ctx);
    const hasB = someIs(v.acCats, acIdIs, 'B') || someIs(v.subCats, acIdIs, 'B') || someIs(v.classified, idIs, 'B');
    if (!hasB) return undefined;
    return unless(!f.identificationCodes.some((c) => c.text !== 'IT'), () => `/${f.root}`);
  }),
  ...en('BR-B-01', 'CII', 'invoice', (ctx) => {
    const f = C(ctx);
    if (!someIs(f.categoryCodes, textIs, 'B')) return undefined;
    return unless(!f.countryIds.some((c) => c.text !== 'IT'), '/rsm:CrossIndustryInvoice');
  }),
  ...en('BR-B-02', 'UBL', 'invoice', (ctx) => {
    const v = ublView(ctx);
    const root = v.subCats.map((x) => x.cat.id).concat(U(ctx).allowanceCharges.flatMap((a) => a.taxCategories.map((t) => t.id)), v.classified.map((t) => t.id));
    if (!root.includes('B')) return undefined;
    return unless(!root.includes('S'), () => `/${U(ctx).root}`);
  }),
  ...en('BR-B-02', 'CII', 'invoice', (ctx) => {
    const f = C(ctx);
    if (!someIs(f.categoryCodes, textIs, 'B')) return undefined;
    return unless(!f.categoryCodes.some((c) => c.text === 'S'), '/rsm:CrossIndustryInvoice');
  }),
];

export const VAT_RULES: Rule[] = [
  ...FAMILIES.flatMap((fam) => [...ublFamily(fam), ...ciiFamily(fam)]),
  ...IC_EXTRA,
  ...O_EXTRA,
  ...B_RULES,
];

/** For reports: the VAT category name of a family id ("BR-AE" → "reverse charge"). */
export function vatFamilyName(family: string): string | undefined {
  const fam = family.replace(/^BR-/, '') as Family;
  return NAME[fam];
}

export type { Violation };
