/**
 * Values a Factur-X needs that a pivot does not write but that follow from what it writes: a
 * pivot carries VAT rates without categories, product references without names, no BT-106 nor
 * BT-110, no country for a buyer identified by SIRET. Only pivot input is completed: a UBL or
 * CII invoice says everything EN 16931 needs, and what it leaves out stays out (validation
 * judges it). Pure; a value present in the model is never changed. Listed in docs/FACTURX.md.
 */
import type { Invoice, InvoiceLine, PostalAddress } from '../../model/invoice';
import { Big, dec, sum } from '../../model/decimal';
import { hasVisible } from '../../model/visible';

const present = (s: string | undefined): s is string => s !== undefined && s.trim() !== '';
const SIRET_SCHEME = '0009';

/** A positive VAT rate with no category is the standard rate (S); a 0 % one stays unknown. */
function categoryOf(category: string | undefined, rate: string | undefined): string | undefined {
  if (present(category)) return category;
  const r = dec(rate);
  return r !== undefined && r.gt(0) ? 'S' : category;
}

function hasSiret(p: Invoice['seller']): boolean {
  return p.legalId?.scheme === SIRET_SCHEME || p.identifiers.some((i) => i.scheme === SIRET_SCHEME) || p.electronicAddress?.scheme === SIRET_SCHEME;
}

/** A party identified by a SIRET is established in France. */
function withCountry(p: Invoice['seller']): Invoice['seller'] {
  if (present(p.address?.countryCode) || !hasSiret(p)) return p;
  const address: PostalAddress = { ...p.address, countryCode: 'FR' };
  return { ...p, address };
}

function completeLine(l: InvoiceLine, k: number): InvoiceLine {
  const name = present(l.item.name) ? l.item.name : present(l.item.sellerId) ? l.item.sellerId : l.item.name;
  const category = categoryOf(l.vat.category, l.vat.rate);
  if (name === l.item.name && category === l.vat.category && present(l.id)) return l;
  return { ...l, id: present(l.id) ? l.id : String(k + 1), item: { ...l.item, name }, vat: { ...l.vat, category } };
}

/** What the pipeline knows about an invoice beyond its data: its route in the configuration. */
export interface KnownFacts {
  /** the name of the recipient the buyer's SIRET routes to (the configuration's `recipients[].name`) */
  buyerName?: string;
}

/**
 * The buyer's name, when the pivot leaves out Debiteur/Nom (optional there, BT-44 in every
 * profile) or writes one that shows nothing (U+200B alone went into the Factur-X as the name).
 */
function withName(p: Invoice['buyer'], name: string | undefined): Invoice['buyer'] {
  return hasVisible(p.name) || !present(name) ? p : { ...p, name };
}

// made once, not per document (docs/PERFORMANCE.md, thirty-first round)
const hasDecimalNet = (l: InvoiceLine) => dec(l.netAmount) !== undefined;
const netAmountOf = (l: InvoiceLine) => l.netAmount;

export function completeForFacturX(inv: Invoice, known: KnownFacts = {}): Invoice {
  if (inv.syntax !== 'PIVOT') return inv;
  const lines = inv.lines.map(completeLine);
  const vatBreakdown = inv.vatBreakdown.map((v) => {
    const category = categoryOf(v.category, v.rate);
    return category === v.category ? v : { ...v, category };
  });
  const totals = { ...inv.totals };
  if (!present(totals.lineExtension)) {
    if (lines.length > 0 && lines.every(hasDecimalNet)) {
      totals.lineExtension = sum(lines.map(netAmountOf)).toFixed(2);
    } else if (lines.length === 0 && inv.allowanceCharges.length === 0 && present(totals.taxExclusive)) {
      totals.lineExtension = totals.taxExclusive;
    }
  }
  if (!present(totals.taxTotal) && vatBreakdown.length > 0 && vatBreakdown.every((v) => dec(v.taxAmount) !== undefined)) {
    totals.taxTotal = vatBreakdown.reduce((acc, v) => acc.plus(dec(v.taxAmount) as Big), new Big(0)).toFixed(2);
  }
  const paymentMeans = inv.paymentMeans.map((pm, k) =>
    k === 0 && !present(pm.text) && present(inv.chorus.paymentMeansLabel) ? { ...pm, text: inv.chorus.paymentMeansLabel } : pm,
  );
  const payee = inv.payee ?? (present(inv.chorus.payeeName) && inv.chorus.payeeName !== inv.seller.name ? { name: inv.chorus.payeeName } : undefined);
  return {
    ...inv,
    seller: withCountry(inv.seller),
    buyer: withName(withCountry(inv.buyer), known.buyerName),
    lines,
    vatBreakdown,
    totals,
    paymentMeans,
    payee,
  };
}
