/**
 * The visible pages of the Factur-X: an A4 invoice a person can read (in French) — parties,
 * references (code service, engagement, marché), lines, VAT breakdown, totals, payment and
 * notes — paginated, every value shown as the model holds it. Pure drawing into a pdf-lib
 * document; the PDF/A packaging is pdfa.ts.
 */
import type { PDFDocument, PDFFont } from 'pdf-lib';
import type { Invoice, InvoiceLine, Party, PostalAddress } from '../../model/invoice';
import { CREDIT_NOTE_TYPE_CODES } from '../enrich/invoice-document';
import type { FontKey } from './fonts';
import {
  documentTitle,
  frAmount,
  frDate,
  frMoney,
  frNumber,
  paymentMeansLabel,
  readableAccount,
  unitLabel,
  vatCategoryLabel,
} from './format-fr';
import { ACCENT, CONTENT_WIDTH, INK, Layout, MARGIN, MUTED, SHADE } from './layout';
import { PROFILE_INFO, type FacturXProfile } from './profiles';

const LINE_H = 11;
/** Lines of one value in a block drawn in one piece (a party, a pair, a line's detail): it must fit a page. */
const MAX_BLOCK_LINES = 4;
/** Lines of an item's name in the lines table. */
const MAX_ROW_NAME_LINES = 12;
/** Lines of each detail of a line (its note, period, description…) in the lines table. */
const MAX_ROW_DETAIL_LINES = 8;
const SIRET_SCHEME = '0009';

const present = (s: string | undefined): s is string => s !== undefined && s.trim() !== '';

function addressLines(a: PostalAddress | undefined): string[] {
  if (!a) return [];
  const city = [a.postcode, a.city].filter(present).join(' ');
  return [a.line1, a.line2, a.line3, city, [a.countrySubdivision, a.countryCode].filter(present).join(' – ')].filter(present);
}

function idLabel(scheme: string | undefined): string {
  if (scheme === SIRET_SCHEME) return 'SIRET';
  if (scheme === '0002') return 'SIREN';
  return scheme ? `Identifiant (${scheme})` : 'Identifiant';
}

function partyLines(p: Party): { text: string; bold?: boolean; muted?: boolean }[] {
  const out: { text: string; bold?: boolean; muted?: boolean }[] = [];
  const name = p.name ?? p.tradingName;
  if (present(name)) out.push({ text: name, bold: true });
  if (present(p.tradingName) && p.tradingName !== name) out.push({ text: p.tradingName });
  for (const l of addressLines(p.address)) out.push({ text: l });
  if (p.legalId && present(p.legalId.value)) out.push({ text: `${idLabel(p.legalId.scheme)} : ${p.legalId.value}`, muted: true });
  for (const i of p.identifiers) {
    if (present(i.value) && !(p.legalId && i.value === p.legalId.value)) out.push({ text: `${idLabel(i.scheme)} : ${i.value}`, muted: true });
  }
  if (present(p.vatId)) out.push({ text: `N° TVA : ${p.vatId}`, muted: true });
  if (present(p.taxRegistrationId)) out.push({ text: `N° fiscal : ${p.taxRegistrationId}`, muted: true });
  if (present(p.legalForm)) out.push({ text: p.legalForm, muted: true });
  const c = p.contact;
  if (c) {
    const contact = [c.name, c.phone, c.email].filter(present).join(' · ');
    if (contact) out.push({ text: `Contact : ${contact}`, muted: true });
  }
  if (p.electronicAddress && present(p.electronicAddress.value)) {
    out.push({ text: `Adresse électronique : ${p.electronicAddress.value}${p.electronicAddress.scheme ? ` (${p.electronicAddress.scheme})` : ''}`, muted: true });
  }
  return out;
}

function partyBlock(L: Layout, title: string, x: number, w: number, lines: { text: string; bold?: boolean; muted?: boolean }[], top: number): number {
  let y = top;
  L.text(x, y, title, { font: 'bold', size: 7.5, color: ACCENT });
  y -= LINE_H + 1;
  for (const l of lines) {
    for (const part of L.wrap(l.text, w, l.bold ? 'bold' : 'regular', l.bold ? 10 : 8.5, MAX_BLOCK_LINES)) {
      L.text(x, y, part, { font: l.bold ? 'bold' : 'regular', size: l.bold ? 10 : 8.5, color: l.muted ? MUTED : INK });
      y -= l.bold ? LINE_H + 1 : LINE_H;
    }
  }
  return y;
}

/** Key/value pairs in two columns. */
function pairs(L: Layout, items: [string, string | undefined][]): void {
  const shown = items.filter((i): i is [string, string] => present(i[1]));
  if (shown.length === 0) return;
  const colW = CONTENT_WIDTH / 2;
  for (let k = 0; k < shown.length; k += 2) {
    const row = shown.slice(k, k + 2);
    const wrapped = row.map(([label, value]) => ({ label, lines: L.wrap(value, colW - 104, 'regular', 8.5, MAX_BLOCK_LINES) }));
    const h = Math.max(...wrapped.map((w) => w.lines.length)) * LINE_H;
    L.ensure(h + 2);
    wrapped.forEach((w, c) => {
      const x = MARGIN + c * colW;
      L.text(x, L.y - 9, w.label, { size: 8, color: MUTED });
      w.lines.forEach((line, j) => L.text(x + 98, L.y - 9 - j * LINE_H, line, { size: 8.5 }));
    });
    L.y -= h + 2;
  }
}

// ---- lines table ----------------------------------------------------------------------

interface Col {
  title: string;
  w: number;
  right?: boolean;
}
const COLS: Col[] = [
  { title: 'N°', w: 28 },
  { title: 'Désignation', w: 209 },
  { title: 'Quantité', w: 52, right: true },
  { title: 'Unité', w: 36 },
  { title: 'Prix unit. HT', w: 66, right: true },
  { title: 'TVA', w: 44, right: true },
  { title: 'Montant HT', w: 80, right: true },
];

function tableHeader(L: Layout, cols: Col[]): void {
  L.ensure(18);
  L.rect(MARGIN, L.y - 15, CONTENT_WIDTH, 15, SHADE);
  let x = MARGIN;
  for (const c of cols) {
    L.text(x + 3, L.y - 11, c.title, { font: 'bold', size: 7.5, color: ACCENT, alignRight: c.right ? c.w - 6 : undefined });
    x += c.w;
  }
  L.y -= 17;
}

function lineDetails(l: InvoiceLine, currency: string | undefined): string[] {
  const d: string[] = [];
  if (present(l.item.description)) d.push(l.item.description);
  const refs = [
    present(l.item.sellerId) ? `Réf. ${l.item.sellerId}` : undefined,
    present(l.item.buyerId) ? `Réf. acheteur ${l.item.buyerId}` : undefined,
    present(l.item.standardId?.value) ? `Code ${l.item.standardId?.value}` : undefined,
    present(l.orderLineRef) ? `Ligne de commande ${l.orderLineRef}` : undefined,
    present(l.item.originCountry) ? `Origine ${l.item.originCountry}` : undefined,
  ].filter(present);
  if (refs.length) d.push(refs.join(' · '));
  for (const a of l.item.attributes) if (present(a.name) || present(a.value)) d.push(`${a.name ?? ''} : ${a.value ?? ''}`);
  for (const c of l.item.classifications) if (present(c.value)) d.push(`Classification ${c.scheme ?? ''} ${c.value}`.replace(/\s+/g, ' '));
  if (l.period && (present(l.period.start) || present(l.period.end))) d.push(`Période du ${frDate(l.period.start)} au ${frDate(l.period.end)}`);
  if (present(l.price.gross) && present(l.price.discount)) d.push(`Prix brut ${frMoney(l.price.gross, currency)}, remise ${frMoney(l.price.discount, currency)}`);
  if (present(l.price.baseQuantity) && l.price.baseQuantity.trim() !== '1') d.push(`Prix pour ${frNumber(l.price.baseQuantity)} ${unitLabel(l.price.baseQuantityUnit ?? l.unitCode)}`);
  for (const ac of l.allowanceCharges) {
    const what = ac.isCharge ? 'Frais' : 'Remise';
    const pct = present(ac.percent) ? ` ${frNumber(ac.percent)} %` : '';
    d.push(`${what}${pct} ${ac.reason ?? ac.reasonCode ?? ''} : ${ac.isCharge ? '' : '-'}${frMoney(ac.amount, currency)}`.replace(/\s+:/, ' :'));
  }
  if (present(l.objectId?.value)) d.push(`Objet ${l.objectId?.value}`);
  if (present(l.accountingRef)) d.push(`Imputation ${l.accountingRef}`);
  if (present(l.note)) d.push(l.note);
  return d;
}

function linesTable(L: Layout, inv: Invoice): void {
  L.heading('Détail');
  tableHeader(L, COLS);
  L.onBreak = () => tableHeader(L, COLS);
  const desc = COLS[1].w - 6;
  for (const l of inv.lines) {
    const name = L.wrap(l.item.name ?? '', desc, 'bold', 8.5, MAX_ROW_NAME_LINES);
    const details = lineDetails(l, inv.currency).flatMap((d) => L.wrap(d, desc, 'regular', 7.5, MAX_ROW_DETAIL_LINES));
    const rows = name.length + details.length;
    const h = Math.max(1, rows) * LINE_H - (details.length ? details.length : 0) + 4;
    L.ensure(h);
    const top = L.y - 9;
    const cells = [
      l.id ?? '',
      '',
      frNumber(l.quantity),
      unitLabel(l.unitCode),
      frAmount(l.price.net),
      present(l.vat.rate) ? `${frNumber(l.vat.rate)} %` : l.vat.category ?? '',
      frAmount(l.netAmount),
    ];
    let x = MARGIN;
    COLS.forEach((c, k) => {
      if (k !== 1) L.text(x + 3, top, cells[k], { size: 8.5, alignRight: c.right ? c.w - 6 : undefined });
      x += c.w;
    });
    let y = top;
    const dx = MARGIN + COLS[0].w + 3;
    for (const n of name) {
      L.text(dx, y, n, { font: 'bold', size: 8.5 });
      y -= LINE_H;
    }
    for (const d of details) {
      L.text(dx, y, d, { size: 7.5, color: MUTED });
      y -= LINE_H - 1;
    }
    L.y = Math.min(y, top - LINE_H) + 5;
    L.hline(L.y);
    L.y -= 2;
  }
  L.onBreak = undefined;
}

// ---- totals ---------------------------------------------------------------------------

function allowances(L: Layout, inv: Invoice): void {
  if (inv.allowanceCharges.length === 0) return;
  L.heading('Remises et frais sur le total');
  const cur = inv.currency;
  for (const a of inv.allowanceCharges) {
    L.ensure(LINE_H + 2);
    const label = `${a.isCharge ? 'Frais' : 'Remise'}${present(a.reason) ? ` – ${a.reason}` : present(a.reasonCode) ? ` (code ${a.reasonCode})` : ''}`;
    const base = present(a.percent) ? ` (${frNumber(a.percent)} % de ${frMoney(a.baseAmount, cur)})` : '';
    const vat = `TVA ${a.vatCategory ?? ''}${present(a.vatRate) ? ` ${frNumber(a.vatRate)} %` : ''}`;
    L.text(MARGIN, L.y - 9, `${label}${base}`, { size: 8.5 });
    L.text(MARGIN + 330, L.y - 9, vat, { size: 8, color: MUTED });
    L.text(MARGIN, L.y - 9, `${a.isCharge ? '' : '-'}${frMoney(a.amount, cur)}`, { size: 8.5, alignRight: CONTENT_WIDTH });
    L.y -= LINE_H + 2;
  }
}

function vatAndTotals(L: Layout, inv: Invoice): void {
  const cur = inv.currency;
  const t = inv.totals;
  // [label, amount as written, shown negated, the amount due]
  const totals: [string, string | undefined, boolean, boolean][] = [
    ['Total HT des lignes', t.lineExtension, false, false],
    ['Remises', t.allowanceTotal, true, false],
    ['Frais', t.chargeTotal, false, false],
    ['Total HT', t.taxExclusive, false, false],
    ['Total TVA', t.taxTotal, false, false],
    [`Total TVA (${inv.taxCurrency ?? ''})`, t.taxTotalAccounting, false, false],
    ['Total TTC', t.taxInclusive, false, false],
    ['Déjà payé', t.prepaid, true, false],
    ['Arrondi', t.rounding, false, false],
    ['Net à payer', t.payable, false, true],
  ];
  const shownTotals = totals.filter((r) => present(r[1]));
  const vatRows = inv.vatBreakdown;
  const exemptions = vatRows.filter((v) => present(v.exemptionReason) || present(v.exemptionReasonCode));
  const h = Math.max(16 + vatRows.length * LINE_H + exemptions.length * LINE_H, shownTotals.length * (LINE_H + 2) + 8) + 22;
  L.ensure(h);
  L.heading('TVA et totaux');
  const top = L.y;
  // VAT breakdown, left
  const vx = [MARGIN, MARGIN + 95, MARGIN + 140, MARGIN + 215, MARGIN + 290];
  L.rect(MARGIN, L.y - 14, 290, 14, SHADE);
  ['Catégorie', 'Taux', 'Base HT', 'TVA'].forEach((title, k) => {
    L.text(vx[k] + 3, L.y - 10, title, { font: 'bold', size: 7.5, color: ACCENT, alignRight: k > 0 ? vx[k + 1] - vx[k] - 6 : undefined });
  });
  let y = L.y - 14 - 10;
  for (const v of vatRows) {
    L.text(vx[0] + 3, y, `${v.category ?? ''} ${vatCategoryLabel(v.category)}`.trim(), { size: 8 });
    L.text(vx[1] + 3, y, present(v.rate) ? `${frNumber(v.rate)} %` : '', { size: 8, alignRight: vx[2] - vx[1] - 6 });
    L.text(vx[2] + 3, y, frAmount(v.taxableAmount), { size: 8, alignRight: vx[3] - vx[2] - 6 });
    L.text(vx[3] + 3, y, frAmount(v.taxAmount), { size: 8, alignRight: vx[4] - vx[3] - 6 });
    y -= LINE_H;
  }
  for (const v of exemptions) {
    for (const line of L.wrap(`Exonération ${v.category ?? ''} : ${[v.exemptionReasonCode, v.exemptionReason].filter(present).join(' – ')}`, 290, 'regular', 7.5, MAX_BLOCK_LINES)) {
      L.text(MARGIN, y, line, { size: 7.5, color: MUTED });
      y -= LINE_H - 1;
    }
  }
  // totals, right
  const tx = MARGIN + 310;
  const tw = CONTENT_WIDTH - 310;
  let ty = top - 10;
  for (const [label, value, neg, strong] of shownTotals) {
    const shown = `${neg ? '-' : ''}${frMoney(value, label.startsWith('Total TVA (') ? inv.taxCurrency : cur)}`;
    if (strong) {
      ty -= 4;
      L.rect(tx, ty - 5, tw, 17, ACCENT);
      L.text(tx + 6, ty, label.toUpperCase(), { font: 'bold', size: 9.5, color: SHADE });
      L.text(tx, ty, shown, { font: 'bold', size: 10, color: SHADE, alignRight: tw - 6 });
      ty -= 19;
    } else {
      L.text(tx + 6, ty, label, { size: 8.5, color: MUTED });
      L.text(tx, ty, shown, { size: 8.5, alignRight: tw - 6 });
      ty -= LINE_H + 2;
    }
  }
  L.y = Math.min(y, ty) - 4;
}

function payment(L: Layout, inv: Invoice): void {
  const items: [string, string | undefined][] = [];
  inv.paymentMeans.forEach((pm) => {
    items.push(['Mode de paiement', [paymentMeansLabel(pm.code), pm.text].filter(present).join(' – ')]);
    for (const a of pm.accounts) {
      items.push([/^[A-Z]{2}\d{2}/.test((a.id ?? '').replace(/\s/g, '')) ? 'IBAN' : 'Compte', readableAccount(a.id)]);
      items.push(['BIC', a.bic]);
      items.push(['Titulaire du compte', a.name]);
    }
    if (pm.card) items.push(['Carte', [pm.card.pan, pm.card.holder].filter(present).join(' – ')]);
    if (pm.directDebit) {
      items.push(['Mandat de prélèvement', pm.directDebit.mandateRef]);
      items.push(['Identifiant créancier', pm.directDebit.creditorRef]);
      items.push(['Compte débité', readableAccount(pm.directDebit.debitedAccount)]);
    }
  });
  const given = inv.paymentReferences; // without any payment means
  if (given) {
    items.push(['Mandat de prélèvement', given.mandateRef]);
    items.push(['Identifiant créancier', given.creditorRef]);
  }
  items.push(['Référence de paiement', inv.paymentMeans.map((p) => p.remittanceInfo).find(present) ?? given?.remittanceInfo]);
  items.push(["Date d'échéance", frDate(inv.dueDate)]);
  const hasAny = items.some((i) => present(i[1])) || present(inv.paymentTerms);
  if (!hasAny) return;
  L.heading('Paiement');
  pairs(L, dedupe(items));
  if (present(inv.paymentTerms)) {
    for (const line of L.wrap(`Conditions : ${inv.paymentTerms}`, CONTENT_WIDTH, 'regular', 8.5)) {
      L.ensure(LINE_H);
      L.text(MARGIN, L.y - 9, line, { size: 8.5 });
      L.y -= LINE_H;
    }
  }
}

function dedupe(items: [string, string | undefined][]): [string, string | undefined][] {
  const seen = new Set<string>();
  return items.filter(([k, v]) => {
    const key = `${k}|${v ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function otherParties(L: Layout, inv: Invoice): void {
  const items: [string, string | undefined][] = [];
  if (inv.payee) items.push(['Bénéficiaire du paiement', [inv.payee.name, inv.payee.identifier?.value, inv.payee.legalId?.value].filter(present).join(' – ')]);
  if (inv.taxRepresentative) {
    items.push(['Représentant fiscal', [inv.taxRepresentative.name, inv.taxRepresentative.vatId, ...addressLines(inv.taxRepresentative.address)].filter(present).join(' – ')]);
  }
  const d = inv.delivery;
  if (d && (present(d.partyName) || d.address || d.locationId)) {
    items.push(['Livré à', [d.partyName, d.locationId?.value, ...addressLines(d.address)].filter(present).join(' – ')]);
  }
  if (items.length === 0) return;
  L.heading('Autres intervenants');
  pairs(L, items);
}

function notes(L: Layout, inv: Invoice): void {
  const list = inv.notes.filter((n) => present(n.text));
  const docs = inv.attachments.filter((a) => present(a.id) || present(a.description));
  if (list.length === 0 && docs.length === 0) return;
  L.heading('Notes et pièces jointes');
  for (const n of list) {
    for (const line of L.wrap(`${n.subjectCode ? `[${n.subjectCode}] ` : ''}${n.text}`, CONTENT_WIDTH, 'regular', 8.5)) {
      L.ensure(LINE_H);
      L.text(MARGIN, L.y - 9, line, { size: 8.5 });
      L.y -= LINE_H;
    }
    L.y -= 2;
  }
  for (const a of docs) {
    const line = `Pièce jointe : ${[a.id, a.description, a.fileName, a.uri].filter(present).join(' – ')}`;
    for (const l of L.wrap(line, CONTENT_WIDTH, 'regular', 8)) {
      L.ensure(LINE_H);
      L.text(MARGIN, L.y - 9, l, { size: 8, color: MUTED });
      L.y -= LINE_H;
    }
  }
}

export interface RenderOptions {
  profile: FacturXProfile;
}

/** Draws the invoice into `doc` (pages are added); returns the number of pages. */
export function renderInvoice(doc: PDFDocument, fonts: Record<FontKey, PDFFont>, inv: Invoice, opts: RenderOptions): number {
  const L = new Layout(doc, fonts);
  const credit = inv.documentKind === 'CreditNote' || CREDIT_NOTE_TYPE_CODES.has((inv.typeCode ?? '').trim());
  // title and document data
  L.text(MARGIN, L.y - 18, documentTitle(inv.typeCode, credit), { font: 'bold', size: 20, color: ACCENT });
  const meta: [string, string | undefined][] = [
    ['N°', inv.number],
    ["Date d'émission", frDate(inv.issueDate)],
    ["Date d'échéance", frDate(inv.dueDate)],
    ['Date de livraison', frDate(inv.delivery?.date)],
    ['Date du fait générateur de TVA', frDate(inv.taxPointDate)],
    ['Devise', inv.currency && inv.currency !== 'EUR' ? inv.currency : undefined],
  ];
  let my = L.y - 4;
  for (const [k, v] of meta) {
    if (!present(v)) continue;
    L.text(MARGIN + 250, my, k, { size: 8.5, color: MUTED });
    L.text(MARGIN + 250, my, v, { font: k === 'N°' ? 'bold' : 'regular', size: k === 'N°' ? 10 : 8.5, alignRight: CONTENT_WIDTH - 250 });
    my -= LINE_H + 1;
  }
  L.y = Math.min(L.y - 30, my) - 8;
  // parties
  const colW = CONTENT_WIDTH / 2 - 10;
  const top = L.y;
  const y1 = partyBlock(L, 'VENDEUR', MARGIN, colW, partyLines(inv.seller), top);
  const y2 = partyBlock(L, 'ACHETEUR', MARGIN + CONTENT_WIDTH / 2 + 10, colW, partyLines(inv.buyer), top);
  L.y = Math.min(y1, y2) - 4;
  // references
  const refs: [string, string | undefined][] = [
    ['Code service', inv.buyerReference],
    ["N° d'engagement", inv.orderReference],
    ['N° de marché', inv.contractReference],
    ['Commande (vendeur)', inv.salesOrderReference],
    ['Projet', inv.projectReference],
    ['Appel d’offres / lot', inv.tenderReference],
    ['Objet facturé', inv.invoicedObjectId?.value],
    ['Cadre de facturation', inv.profileId],
    ['Imputation acheteur', inv.buyerAccountingRef],
    ['Avis d’expédition', inv.despatchAdviceReference],
    ['Avis de réception', inv.receivingAdviceReference],
    ['Facture(s) d’origine', inv.precedingInvoices.map((p) => [p.number, p.issueDate ? `du ${frDate(p.issueDate)}` : undefined].filter(present).join(' ')).filter(present).join(', ')],
    ['Période de facturation', inv.invoicingPeriod && (present(inv.invoicingPeriod.start) || present(inv.invoicingPeriod.end)) ? `du ${frDate(inv.invoicingPeriod.start)} au ${frDate(inv.invoicingPeriod.end)}` : undefined],
  ];
  if (refs.some((r) => present(r[1]))) {
    L.heading('Références');
    pairs(L, refs);
  }
  if (inv.lines.length > 0) linesTable(L, inv);
  allowances(L, inv);
  vatAndTotals(L, inv);
  payment(L, inv);
  otherParties(L, inv);
  notes(L, inv);
  L.footer(`Factur-X ${PROFILE_INFO[opts.profile].conformance} — les données de cette facture sont jointes au format structuré (factur-x.xml).`);
  L.finish();
  return L.pages.length;
}
