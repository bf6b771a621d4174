/**
 * A deposited pivot's amounts add up (DESIGN.md §5, "amounts consistent"). A UBL or CII
 * invoice is held to EN 16931's BR-CO-* sums, which never run on a pivot (no EN 16931
 * document): before these rules a pivot whose MontantTTC was not MontantHT + its TVA went to
 * the finance system, which pays MontantNetAPayer and books the TVA by rate.
 *
 * The pivot's amounts are EN 16931's (docs/MAPPING.md): MontantHT BT-109, MontantTTC BT-112,
 * MontantNetAPayer BT-115, TVA BG-23 (Taux BT-119, BaseHt BT-116, MontantTVA BT-117), so a
 * pivot made from a valid invoice meets the same sums: TTC = HT + Σ MontantTVA (BR-CO-14, 15),
 * Σ BaseHt = HT (BR-CO-13 with BR-S-08…, every line and allowance in one VAT breakdown), each
 * MontantTVA = BaseHt × Taux / 100 within one unit (BR-CO-17, the official tolerance).
 * What the pivot cannot carry is not held against it: it has no paid amount (BT-113) nor
 * rounding (BT-114), so MontantNetAPayer may be below MontantTTC, and no document-level
 * allowance or charge (BG-20, BG-21), so its lines may not add up to MontantHT (a warning).
 * Nor are its TVAs, which the XSD lets out: without them MontantTTC above MontantHT is VAT no
 * rate explains (a warning). A value that is no decimal is CPRO-PIVOT-DECIMAL's; a sum over it is not judged.
 */
import type { Invoice } from '../../../model/invoice';
import { PIVOT_UNIT } from '../paths';
import type { Rule, RuleContext, Violation } from '../rule';
import { d, type D, percentOf, xround } from '../xpath';

const MONTANTS = `${PIVOT_UNIT}/DonneesFacture/Montants`;
const tva = (k: number) => `${PIVOT_UNIT}/DonneesFacture/TVAs/TVA[${k + 1}]`;

/** The decimals of `values`, or undefined when one is absent or no decimal. */
function decimals(values: (string | undefined)[]): D[] | undefined {
  const out: D[] = [];
  for (const v of values) {
    const x = d(v);
    if (x === undefined) return undefined;
    out.push(x);
  }
  return out;
}

const total = (xs: D[]) => xs.reduce((a, b) => a.plus(b), d('0') as D);
/**
 * Equal to the cent: a pivot carries up to six decimals, and a producer whose TVA has more than
 * two (AIFE's samples: MontantTVA 0.681450) may round its MontantTTC to cents. EN 16931's sums
 * are exact on amounts of two decimals; a gap of a cent or more is a real one.
 */
const CENT = d('0.01') as D;
const sameToTheCent = (a: D, b: D) => a.minus(b).abs().lt(CENT);
const show = (x: D) => x.toFixed();

/** A pivot input with a VAT breakdown: the sums over it (a pivot may leave TVAs out: nothing to add up then). */
function breakdown(inv: Invoice): { ht: D; tax: D[]; base: D[] } | undefined {
  if (inv.syntax !== 'PIVOT' || inv.vatBreakdown.length === 0) return undefined;
  const [ht] = decimals([inv.totals.taxExclusive]) ?? [];
  const tax = decimals(inv.vatBreakdown.map((v) => v.taxAmount));
  const base = decimals(inv.vatBreakdown.map((v) => v.taxableAmount));
  return ht && tax && base ? { ht, tax, base } : undefined;
}

const pivotOnly = (ctx: RuleContext) => ctx.invoice.syntax === 'PIVOT';

export const PIVOT_TOTALS_RULES: Rule[] = [
  {
    id: 'CPRO-PIVOT-TTC',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'a deposited pivot\'s MontantTTC, when it has TVAs (BR-CO-14 and BR-CO-15 for the pivot, to the cent)',
    message: 'MontantTTC {ttc} is not MontantHT {ht} + the TVA amounts {tax} = {expected}: the invoice does not add up. Correct MontantTTC, MontantHT or the TVA amounts.',
    check: (ctx) => {
      const b = breakdown(ctx.invoice);
      const [ttc] = (b && decimals([ctx.invoice.totals.taxInclusive])) ?? [];
      if (!b || !ttc) return undefined;
      const tax = total(b.tax);
      const expected = b.ht.plus(tax);
      return sameToTheCent(ttc, expected) ? undefined : [{ path: `${MONTANTS}/MontantTTC`, values: { ttc: show(ttc), ht: show(b.ht), tax: show(tax), expected: show(expected) } }];
    },
  },
  {
    id: 'CPRO-PIVOT-TTC-SANS-TVA',
    severity: 'warning',
    profile: 'chorus',
    appliesTo: 'a deposited pivot\'s MontantTTC, when it has no TVAs (a warning: the pivot allows leaving them out; to the cent)',
    message: 'MontantTTC {ttc} is not MontantHT {ht}, but the invoice has no TVAs: its VAT of {vat} is broken down by no rate. Add a TVA (Taux, BaseHt, MontantTVA) for each rate, or correct MontantTTC.',
    // the XSD lets TVAs out, and an invoice without VAT (TTC = HT) needs none; but VAT that
    // no TVA explains cannot be booked by rate, and the sums above cannot be checked. A
    // warning, not a refusal: a partner's file the XSD takes may carry it so
    check: (ctx) => {
      const inv = ctx.invoice;
      if (inv.syntax !== 'PIVOT' || inv.vatBreakdown.length > 0) return undefined;
      const [ht, ttc] = decimals([inv.totals.taxExclusive, inv.totals.taxInclusive]) ?? [];
      if (!ht || !ttc || sameToTheCent(ttc, ht)) return undefined;
      return [{ path: `${MONTANTS}/MontantTTC`, values: { ttc: show(ttc), ht: show(ht), vat: show(ttc.minus(ht)) } }];
    },
  },
  {
    id: 'CPRO-PIVOT-BASE-HT',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'a deposited pivot\'s TVA bases, when it has TVAs (every amount without VAT is in one of them; to the cent)',
    message: 'The TVA bases (BaseHt) add up to {bases}, not to MontantHT {ht}: some amount is taxed twice or not at all. Correct the BaseHt of each rate or MontantHT.',
    check: (ctx) => {
      const b = breakdown(ctx.invoice);
      if (!b) return undefined;
      const bases = total(b.base);
      return sameToTheCent(bases, b.ht) ? undefined : [{ path: `${MONTANTS}/MontantHT`, values: { bases: show(bases), ht: show(b.ht) } }];
    },
  },
  {
    id: 'CPRO-PIVOT-TVA',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'each TVA of a deposited pivot (BR-CO-17 for the pivot: within one unit, the official tolerance)',
    message: 'TVA {index}: MontantTVA {tax} is not BaseHt {base} × Taux {rate} % = {expected} (within 1): the VAT of that rate is wrong. Correct MontantTVA, BaseHt or Taux.',
    check: (ctx) => {
      if (!pivotOnly(ctx)) return undefined;
      const out: Violation[] = [];
      ctx.invoice.vatBreakdown.forEach((v, k) => {
        const [rate, base, tax] = decimals([v.rate, v.taxableAmount, v.taxAmount]) ?? [];
        if (!rate || !base || !tax) return;
        // |tax| within 1 of round(|base| × rate / 100), as the official BR-CO-17; not its "a rate
        // rounding to 0 wants a tax rounding to 0": AIFE's sample pivots have Taux 0.021 and a tax of 0.68
        const expected = xround(base.abs().times(percentOf(rate)));
        const ok = tax.abs().minus(1).lte(expected) && tax.abs().plus(1).gte(expected);
        if (!ok) out.push({ path: `${tva(k)}/MontantTVA`, values: { index: k + 1, tax: show(tax), base: show(base), rate: show(rate), expected: show(expected) } });
      });
      return out;
    },
  },
  {
    id: 'CPRO-PIVOT-NET-A-PAYER',
    severity: 'fatal',
    profile: 'chorus',
    appliesTo: 'a deposited pivot\'s MontantNetAPayer (at most MontantTTC: the pivot carries no paid amount nor rounding to add)',
    message: 'MontantNetAPayer {payable} goes beyond MontantTTC {ttc}: the finance system would pay more than the invoice. Correct MontantNetAPayer (MontantTTC less what was already paid).',
    // BT-115 = BT-112 − BT-113 + BT-114: above BT-112 only by a rounding (BT-114, under one unit)
    // or a negative paid amount, which no invoice has
    check: (ctx) => {
      if (!pivotOnly(ctx)) return undefined;
      const [payable, ttc] = decimals([ctx.invoice.totals.payable, ctx.invoice.totals.taxInclusive]) ?? [];
      if (!payable || !ttc) return undefined;
      // a negative invoice (a correction written so) mirrors it: MontantNetAPayer not below MontantTTC
      const beyond = ttc.lt(0) ? ttc.minus(payable) : payable.minus(ttc);
      return beyond.lt(1) ? undefined : [{ path: `${MONTANTS}/MontantNetAPayer`, values: { payable: show(payable), ttc: show(ttc) } }];
    },
  },
  {
    id: 'CPRO-PIVOT-LIGNES',
    severity: 'warning',
    profile: 'chorus',
    appliesTo: 'a deposited pivot\'s lines (a warning: the pivot has no place for a document-level allowance or charge, which would explain the difference)',
    message: 'The lines\' MontantHT add up to {lines}, not to MontantHT {ht}: unless the invoice has a discount or a charge on its whole, a line is missing or wrong.',
    check: (ctx) => {
      const inv = ctx.invoice;
      if (inv.syntax !== 'PIVOT' || inv.lines.length === 0) return undefined;
      const [ht, ...lines] = decimals([inv.totals.taxExclusive, ...inv.lines.map((l) => l.netAmount)]) ?? [];
      if (!ht) return undefined;
      const sum = total(lines);
      return sameToTheCent(sum, ht) ? undefined : [{ path: `${MONTANTS}/MontantHT`, values: { lines: show(sum), ht: show(ht) } }];
    },
  },
];
