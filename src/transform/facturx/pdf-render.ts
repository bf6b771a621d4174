/**
 * The visible pages of the Factur-X: an A4 invoice a person can read (in French) — parties,
 * references (code service, engagement, marché), lines, VAT breakdown, totals, payment and
 * notes — paginated, every value shown as the model holds it. Pure drawing into a pdf-lib
 * document; the PDF/A packaging is pdfa.ts.
 */
import type { PDFDocument, PDFFont, RGB } from 'pdf-lib';
import type { Invoice, InvoiceLine, Party, PostalAddress } from '../../model/invoice';
import { CREDIT_NOTE_TYPE_CODES } from '../enrich/invoice-document';
import type { FontKey } from './fonts';
import {
  documentTitle,
  frAmount,
  frDate,
  frMoney,
  frMoneySubtracted,
  frNumber,
  isOne,
  paymentMeansText,
  readableAccount,
  startsWithWord,
  unitLabel,
  vatCategoryLabel,
  vatPointDateLabel,
} from './format-fr';
import { ACCENT, CONTENT_WIDTH, INK, Layout, MARGIN, MAX_DRAWN_CHARS, MUTED, PAGE_ROOM, SHADE } from './layout';
import { ciiQuantity, ciiRate, isIban, vatexCode } from './cii-values';
import { PROFILE_INFO, type FacturXProfile } from './profiles';
import { engagementNumber } from '../chorus/engagement';

const LINE_H = 11;
/** Lines of one value in a block drawn in one piece (a party, a pair, a line's detail): it must fit a page. */
const MAX_BLOCK_LINES = 4;
/** Lines of an item's name in the lines table. */
const MAX_ROW_NAME_LINES = 12;
/** Lines of each detail of a line (its note, period, description…) in the lines table. */
const MAX_ROW_DETAIL_LINES = 8;
const SIRET_SCHEME = '0009';

const present = (s: string | undefined): s is string => s !== undefined && s.trim() !== '';

/** A credit note: a UBL CreditNote, or a type code of the credit notes (381, 261, 396, 503…). */
export function isCreditNote(inv: Invoice): boolean {
  return inv.documentKind === 'CreditNote' || CREDIT_NOTE_TYPE_CODES.has((inv.typeCode ?? '').trim());
}

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

/** One line as drawn: its text, style and the height it takes. */
interface Row {
  text: string;
  font: FontKey;
  size: number;
  color: RGB;
  h: number;
}

/** A party's lines wrapped in a column `w` wide. */
function partyRows(L: Layout, p: Party, w: number): Row[] {
  const out: Row[] = [];
  for (const l of partyLines(p)) {
    const font: FontKey = l.bold ? 'bold' : 'regular';
    const size = l.bold ? 10 : 8.5;
    for (const text of L.wrap(l.text, w, font, size, MAX_BLOCK_LINES)) out.push({ text, font, size, color: l.muted ? MUTED : INK, h: l.bold ? LINE_H + 1 : LINE_H });
  }
  return out;
}

/**
 * The seller and the buyer side by side, each column going on to the next page when it is
 * taller than what is left (a seller with 70 identifiers), its title repeated "(suite)".
 */
function partyColumns(L: Layout, cols: { title: string; x: number; rows: Row[] }[]): void {
  const next = cols.map(() => 0);
  let top = L.y; // page 1: the titles sit on the cursor, the header left room above it
  for (let page = 0; ; page++) {
    let low = top;
    cols.forEach((c, i) => {
      if (page > 0 && next[i] >= c.rows.length) return;
      L.text(c.x, top, page > 0 ? `${c.title} (suite)` : c.title, { font: 'bold', size: 7.5, color: ACCENT });
      let y = top - LINE_H - 1;
      // a fresh page always takes a row: each column moves on
      while (next[i] < c.rows.length && L.fits(3, y)) {
        const r = c.rows[next[i]++];
        L.text(c.x, y, r.text, { font: r.font, size: r.size, color: r.color });
        y -= r.h;
      }
      low = Math.min(low, y);
    });
    if (cols.every((c, i) => next[i] >= c.rows.length)) {
      L.y = low - 4;
      return;
    }
    L.breakPage();
    top = L.y - 9;
  }
}

/** A label, its value, and whether the value is one token to read whole (an IBAN). */
type Pair = [label: string, value: string | undefined, whole?: boolean];

/** The narrowest labels' column of the pairs. */
const PAIR_LABEL_W = 98;

/**
 * Key/value pairs in two columns. The labels' column is as wide as its widest label (at 98 pt,
 * "Bénéficiaire du paiement" ran into its value). A value wraps in what is left, but one read
 * whole (an IBAN: wrapped, its last digits stood alone on the next line) is drawn smaller to
 * stay on one line (Layout.fit).
 */
function pairs(L: Layout, items: Pair[]): void {
  const shown = items.filter((i): i is [string, string, boolean?] => present(i[1]));
  if (shown.length === 0) return;
  const colW = CONTENT_WIDTH / 2;
  const labelW = Math.max(PAIR_LABEL_W, ...shown.map(([label]) => Math.ceil(L.width(label, 'regular', 8)) + 6));
  const valueW = colW - labelW - 6;
  for (let k = 0; k < shown.length; k += 2) {
    const row = shown.slice(k, k + 2);
    const wrapped = row.map(([label, value, whole]) => ({ label, ...(whole ? L.fit(value, valueW, 'regular', 8.5, MAX_BLOCK_LINES) : { size: 8.5, lines: L.wrap(value, valueW, 'regular', 8.5, MAX_BLOCK_LINES) }) }));
    const h = Math.max(...wrapped.map((w) => w.lines.length)) * LINE_H;
    L.ensure(h + 2);
    wrapped.forEach((w, c) => {
      const x = MARGIN + c * colW;
      L.text(x, L.y - 9, w.label, { size: 8, color: MUTED });
      w.lines.forEach((line, j) => L.text(x + labelW, L.y - 9 - j * LINE_H, line, { size: w.size }));
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
/** The description's column: it gives room to the others. */
const DESC = 1;
/** The narrowest the description gets for the columns of long amounts. */
const MIN_DESC_W = 110;
const CELL_SIZE = 8.5;

/**
 * Column widths for these cells: a column whose widest value (or title) is wider than its
 * default grows to it, taken from the `flex` column down to `minFlex`; a value still too wide
 * is shrunk in its cell (Layout.fit). Nothing runs into the next column.
 */
function fittedCols(L: Layout, cols: Col[], rows: string[][], size: number, flex: number, minFlex: number): Col[] {
  // loops, not callbacks made per document (docs/PERFORMANCE.md, thirty-first round); the sums in the same order
  const grow: number[] = [];
  let total = 0;
  for (let k = 0; k < cols.length; k++) {
    const c = cols[k];
    let want = c.w;
    if (k !== flex) {
      let w = L.width(c.title, 'bold', 7.5);
      for (const r of rows) w = Math.max(w, L.width(r[k], 'regular', size));
      want = Math.max(c.w, Math.ceil(w) + 6);
    }
    grow.push(want - c.w);
    total += want - c.w;
  }
  const spare = cols[flex].w - minFlex;
  const scale = total <= spare ? 1 : spare / total;
  const widths: number[] = [];
  let full = 0;
  let others = 0;
  for (let k = 0; k < cols.length; k++) {
    widths.push(k === flex ? 0 : cols[k].w + Math.floor(grow[k] * scale));
    full += cols[k].w;
    others += widths[k];
  }
  const out: Col[] = [];
  for (let k = 0; k < cols.length; k++) out.push({ ...cols[k], w: k === flex ? full - others : widths[k] });
  return out;
}

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
  if (present(l.price.baseQuantity) && !isOne(l.price.baseQuantity)) d.push(`Prix pour ${frNumber(ciiQuantity(l.price.baseQuantity))} ${unitLabel(l.price.baseQuantityUnit ?? l.unitCode)}`);
  for (const ac of l.allowanceCharges) {
    const kind = ac.isCharge ? 'Frais' : 'Remise';
    const pct = present(ac.percent) ? ` ${frNumber(ac.percent)} %` : '';
    const reason = (ac.reason ?? ac.reasonCode ?? '').trim();
    // "Remise fidélité", not "Remise Remise fidélité"
    const head = startsWithWord(reason, kind) ? `${reason}${pct}` : `${kind}${pct} ${reason}`;
    const amount = ac.isCharge ? frMoney(ac.amount, currency) : frMoneySubtracted(ac.amount, currency);
    d.push(`${head} : ${amount}`.replace(/\s+:/, ' :'));
  }
  if (present(l.objectId?.value)) d.push(`Objet ${l.objectId?.value}`);
  if (present(l.accountingRef)) d.push(`Imputation ${l.accountingRef}`);
  if (present(l.note)) d.push(l.note);
  return d;
}

function lineCells(l: InvoiceLine): string[] {
  return [
    l.id ?? '',
    '',
    frNumber(ciiQuantity(l.quantity)),
    unitLabel(l.unitCode),
    frAmount(l.price.net),
    present(l.vat.rate) ? `${frNumber(ciiRate(l.vat.rate))} %` : l.vat.category ?? '',
    frAmount(l.netAmount),
  ];
}

function linesTable(L: Layout, inv: Invoice): void {
  const cells = inv.lines.map(lineCells);
  const cols = fittedCols(L, COLS, cells, CELL_SIZE, DESC, MIN_DESC_W);
  L.heading('Détail');
  tableHeader(L, cols);
  L.onBreak = () => tableHeader(L, cols);
  const desc = cols[DESC].w - 6;
  for (let k = 0; k < inv.lines.length; k++) {
    const l = inv.lines[k];
    const body: Row[] = [];
    for (const text of L.wrap(l.item.name ?? '', desc, 'bold', 8.5, MAX_ROW_NAME_LINES)) body.push({ text, font: 'bold', size: 8.5, color: INK, h: LINE_H });
    for (const d of lineDetails(l, inv.currency)) {
      for (const text of L.wrap(d, desc, 'regular', 7.5, MAX_ROW_DETAIL_LINES)) body.push({ text, font: 'regular', size: 7.5, color: MUTED, h: LINE_H - 1 });
    }
    tableRow(L, cols, cells[k], body);
  }
  L.onBreak = undefined;
}

/**
 * One row of the lines table: its cells, and in the description column the item's name and
 * details, which go on to the next page, under the repeated header, when the row is taller
 * than a page (a line with 90 attributes).
 */
function tableRow(L: Layout, cols: Col[], cells: string[], body: Row[]): void {
  // loops, not callbacks made per row (docs/PERFORMANCE.md, thirty-first round)
  const fitted: (ReturnType<Layout['fit']> | undefined)[] = [];
  let most = 1;
  for (let k = 0; k < cells.length; k++) {
    const f = k === DESC ? undefined : L.fit(cells[k], cols[k].w - 6, 'regular', CELL_SIZE, MAX_ROW_NAME_LINES);
    fitted.push(f);
    most = Math.max(most, f?.lines.length ?? 0);
  }
  const cellH = most * LINE_H;
  let bodyH = 0;
  for (const r of body) bodyH += r.h;
  const whole = Math.max(cellH, bodyH) + 4;
  // a row a page can hold is not split; a taller one starts with its cells and first line
  L.ensure(whole <= PAGE_ROOM - 40 ? whole : Math.max(cellH, body[0]?.h ?? 0) + 4);
  const top = L.y - 9;
  let x = MARGIN;
  for (let k = 0; k < cols.length; k++) {
    const c = cols[k];
    const f = fitted[k];
    if (f) for (let j = 0; j < f.lines.length; j++) L.text(x + 3, top - j * LINE_H, f.lines[j], { size: f.size, alignRight: c.right ? c.w - 6 : undefined });
    x += c.w;
  }
  let y = top;
  let cellsEnd = top - cellH;
  const dx = MARGIN + cols[0].w + 3;
  for (const r of body) {
    if (!L.fits(r.h - 5, y)) {
      L.breakPage();
      y = L.y - 9;
      cellsEnd = Infinity; // the cells are on the page before
    }
    L.text(dx, y, r.text, { font: r.font, size: r.size, color: r.color });
    y -= r.h;
  }
  L.y = Math.min(y, cellsEnd) + 5;
  L.hline(L.y);
  L.y -= 2;
}

// ---- totals ---------------------------------------------------------------------------

function allowances(L: Layout, inv: Invoice): void {
  if (inv.allowanceCharges.length === 0) return;
  L.heading('Remises et frais sur le total');
  const cur = inv.currency;
  for (const a of inv.allowanceCharges) {
    const kind = a.isCharge ? 'Frais' : 'Remise';
    const why = present(a.reason) ? (startsWithWord(a.reason, kind) ? a.reason : `${kind} – ${a.reason}`) : present(a.reasonCode) ? `${kind} (code ${a.reasonCode})` : kind;
    const base = present(a.percent) ? ` (${frNumber(a.percent)} % de ${frMoney(a.baseAmount, cur)})` : '';
    const vat = `TVA ${a.vatCategory ?? ''}${present(a.vatRate) ? ` ${frNumber(ciiRate(a.vatRate))} %` : ''}`;
    const amount = a.isCharge ? frMoney(a.amount, cur) : frMoneySubtracted(a.amount, cur);
    // the amount's column grows for a long amount; the label wraps in what is left
    const aw = Math.min(Math.max(100, Math.ceil(L.width(amount, 'regular', 8.5)) + 10), 250);
    const lw = CONTENT_WIDTH - aw - ALLOWANCE_VAT_W;
    const cells: { x: number; lines: string[]; size: number; color: RGB; right?: number }[] = [
      { x: MARGIN, lines: L.wrap(`${why}${base}`, lw - 10, 'regular', 8.5, MAX_BLOCK_LINES), size: 8.5, color: INK },
      { x: MARGIN + lw, ...L.fit(vat, ALLOWANCE_VAT_W - 10, 'regular', 8), color: MUTED },
      { x: MARGIN + lw + ALLOWANCE_VAT_W, ...L.fit(amount, aw, 'regular', 8.5), color: INK, right: aw },
    ];
    const n = Math.max(1, ...cells.map((c) => c.lines.length));
    L.ensure(n * LINE_H + 2);
    for (const c of cells) c.lines.forEach((line, j) => L.text(c.x, L.y - 9 - j * LINE_H, line, { size: c.size, color: c.color, alignRight: c.right }));
    L.y -= n * LINE_H + 2;
  }
}

const ALLOWANCE_VAT_W = 85;

const VAT_COLS: Col[] = [
  { title: 'Catégorie', w: 95 },
  { title: 'Taux', w: 45, right: true },
  { title: 'Base HT', w: 75, right: true },
  { title: 'TVA', w: 75, right: true },
];
const VAT_W = 290;
const VAT_SIZE = 8;

function vatHeader(L: Layout, cols: Col[]): void {
  L.rect(MARGIN, L.y - 14, VAT_W, 14, SHADE);
  let x = MARGIN;
  for (const c of cols) {
    L.text(x + 3, L.y - 10, c.title, { font: 'bold', size: 7.5, color: ACCENT, alignRight: c.right ? c.w - 6 : undefined });
    x += c.w;
  }
  L.y -= 14;
}

/** The VAT breakdown's rows, each cell fitted to its column (the category's label wraps). */
function vatRows(L: Layout, inv: Invoice, cols: Col[]): { size: number; lines: string[] }[][] {
  return inv.vatBreakdown.map((v) => {
    const cells = [`${v.category ?? ''} ${vatCategoryLabel(v.category)}`.trim(), present(v.rate) ? `${frNumber(ciiRate(v.rate))} %` : '', frAmount(v.taxableAmount), frAmount(v.taxAmount)];
    return cells.map((s, k) => (k === 0 ? { size: VAT_SIZE, lines: L.wrap(s, cols[0].w - 6, 'regular', VAT_SIZE, MAX_BLOCK_LINES) } : L.fit(s, cols[k].w - 6, 'regular', VAT_SIZE)));
  });
}

const rowLines = (cells: { lines: string[] }[]): number => Math.max(1, ...cells.map((c) => c.lines.length));

interface TotalRow {
  label: string;
  amount: { size: number; lines: string[] };
  strong: boolean;
  h: number;
}

/** The totals, each amount fitted to what its label leaves of the column `tw` wide. */
function totalRows(L: Layout, inv: Invoice, tw: number): TotalRow[] {
  const cur = inv.currency;
  const t = inv.totals;
  // [label, amount as written, subtracted from the total, the amount due]
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
    // BT-115 of a credit note is owed to the buyer: "à payer" told the buyer to pay it
    [isCreditNote(inv) ? 'Net à déduire' : 'Net à payer', t.payable, false, true],
  ];
  return totals
    .filter((r) => present(r[1]))
    .map(([name, value, subtracted, strong]) => {
      const c = name.startsWith('Total TVA (') ? inv.taxCurrency : cur;
      const shown = subtracted ? frMoneySubtracted(value, c) : frMoney(value, c);
      const label = strong ? name.toUpperCase() : name;
      const room = tw - 12 - L.width(label, strong ? 'bold' : 'regular', strong ? 9.5 : 8.5) - 8;
      const amount = L.fit(shown, room, strong ? 'bold' : 'regular', strong ? 10 : 8.5);
      const more = (amount.lines.length - 1) * LINE_H;
      return { label, amount, strong, h: (strong ? 23 : LINE_H + 2) + more };
    });
}

function drawTotals(L: Layout, rows: TotalRow[], tx: number, tw: number, top: number): number {
  let ty = top - 10;
  for (const r of rows) {
    const more = (r.amount.lines.length - 1) * LINE_H;
    if (r.strong) {
      ty -= 4;
      L.rect(tx, ty - 5 - more, tw, 17 + more, ACCENT);
      L.text(tx + 6, ty, r.label, { font: 'bold', size: 9.5, color: SHADE });
    } else L.text(tx + 6, ty, r.label, { size: 8.5, color: MUTED });
    r.amount.lines.forEach((line, j) => L.text(tx, ty - j * LINE_H, line, { font: r.strong ? 'bold' : 'regular', size: r.amount.size, color: r.strong ? SHADE : INK, alignRight: tw - 6 }));
    ty -= r.h - (r.strong ? 4 : 0);
  }
  return ty;
}

/**
 * The VAT breakdown (left) and the totals (right). The totals stay in one piece beside the
 * table's start; a table taller than a page (80 rates) goes on, its header repeated.
 */
function vatAndTotals(L: Layout, inv: Invoice): void {
  const tx = MARGIN + VAT_W + 20;
  const tw = CONTENT_WIDTH - VAT_W - 20;
  const totals = totalRows(L, inv, tw);
  const totalsH = 10 + totals.reduce((a, r) => a + r.h, 0);
  const cols = fittedCols(L, VAT_COLS, inv.vatBreakdown.map((v) => ['', present(v.rate) ? `${frNumber(ciiRate(v.rate))} %` : '', frAmount(v.taxableAmount), frAmount(v.taxAmount)]), VAT_SIZE, 0, 70);
  const rows = vatRows(L, inv, cols);
  const exemptions = inv.vatBreakdown
    .filter((v) => present(v.exemptionReason) || present(v.exemptionReasonCode))
    .flatMap((v) => L.wrap(`Exonération ${v.category ?? ''} : ${[vatexCode(v.exemptionReasonCode), v.exemptionReason].filter(present).join(' – ')}`, VAT_W, 'regular', 7.5, MAX_BLOCK_LINES));
  const vatH = 14 + rows.reduce((a, r) => a + rowLines(r) * LINE_H, 0) + exemptions.length * (LINE_H - 1) + 2;
  // kept on one page when it fits one, else the totals with the table's first row
  L.ensure(22 + Math.max(totalsH, vatH <= PAGE_ROOM - 40 ? vatH : 14 + LINE_H + 2));
  L.heading('TVA et totaux');
  const page = L.pages.length;
  const ty = drawTotals(L, totals, tx, tw, L.y);
  vatHeader(L, cols);
  L.onBreak = () => vatHeader(L, cols);
  for (const r of rows) {
    const n = rowLines(r);
    L.ensure(n * LINE_H + 2);
    let x = MARGIN;
    for (let k = 0; k < cols.length; k++) {
      const c = cols[k];
      for (let j = 0; j < r[k].lines.length; j++) L.text(x + 3, L.y - 10 - j * LINE_H, r[k].lines[j], { size: r[k].size, alignRight: c.right ? c.w - 6 : undefined });
      x += c.w;
    }
    L.y -= n * LINE_H;
  }
  L.onBreak = undefined;
  for (const line of exemptions) {
    L.ensure(LINE_H + 2);
    L.text(MARGIN, L.y - 10, line, { size: 7.5, color: MUTED });
    L.y -= LINE_H - 1;
  }
  L.y = (L.pages.length === page ? Math.min(L.y - 10, ty) : L.y - 10) - 4;
}

function payment(L: Layout, inv: Invoice): void {
  const items: Pair[] = [];
  inv.paymentMeans.forEach((pm) => {
    items.push(['Mode de paiement', paymentMeansText(pm.code, pm.text)]);
    for (const a of pm.accounts) {
      // "IBAN" for what the CII writes in IBANID, "Compte" for its ProprietaryID
      items.push([isIban(a.id) ? 'IBAN' : 'Compte', readableAccount(a.id), true]);
      items.push(['BIC', a.bic]);
      items.push(['Titulaire du compte', a.name]);
    }
    if (pm.card) items.push(['Carte', [pm.card.pan, pm.card.holder].filter(present).join(' – ')]);
    if (pm.directDebit) {
      items.push(['Mandat de prélèvement', pm.directDebit.mandateRef]);
      items.push(['Identifiant créancier', pm.directDebit.creditorRef]);
      items.push(['Compte débité', readableAccount(pm.directDebit.debitedAccount), true]);
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

function dedupe(items: Pair[]): Pair[] {
  const seen = new Set<string>();
  return items.filter(([k, v]) => {
    const key = `${k}|${v ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function otherParties(L: Layout, inv: Invoice): void {
  const items: Pair[] = [];
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
    // a note written on several lines (legal mentions, an address) keeps its lines: wrapped as
    // one run of words it read "Ligne un Ligne deux"; blank lines are not drawn
    // (cut as one text would be: a note of many short lines is not many pages; the XML has it whole)
    let whole = `${n.subjectCode ? `[${n.subjectCode}] ` : ''}${n.text}`;
    if (whole.length > MAX_DRAWN_CHARS) whole = `${whole.slice(0, MAX_DRAWN_CHARS)} […]`;
    const paragraphs = whole.split(/\r\n|\r|\n/).filter(present);
    for (const paragraph of paragraphs) {
      for (const line of L.wrap(paragraph, CONTENT_WIDTH, 'regular', 8.5)) {
        L.ensure(LINE_H);
        L.text(MARGIN, L.y - 9, line, { size: 8.5 });
        L.y -= LINE_H;
      }
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

/** Room for the title, left of the document's number and dates. */
const TITLE_W = 240;

/** The title, and top right the number and dates, each value wrapped beside its label. */
function header(L: Layout, inv: Invoice): void {
  const title = titleLines(L, documentTitle(inv.typeCode, isCreditNote(inv)));
  title.lines.forEach((line, j) => L.text(MARGIN, L.y - 18 - j * (title.size + 2), line, { font: 'bold', size: title.size, color: ACCENT }));
  const titleEnd = L.y - 18 - (title.lines.length - 1) * (title.size + 2) - 6;
  const meta: [string, string | undefined][] = [
    ['N°', inv.number],
    ["Date d'émission", frDate(inv.issueDate)],
    ["Date d'échéance", frDate(inv.dueDate)],
    ['Date de livraison', frDate(inv.delivery?.date)],
    ['Date du fait générateur de TVA', frDate(inv.taxPointDate)],
    // BT-8, which the CII writes (DueDateTypeCode) in place of a BT-7 date: the page said nothing of it
    ['Exigibilité de la TVA', vatPointDateLabel(inv.invoicingPeriod?.descriptionCode)],
    ['Devise', inv.currency && inv.currency !== 'EUR' ? inv.currency : undefined],
  ];
  const x = MARGIN + TITLE_W + 10;
  const boxW = CONTENT_WIDTH - TITLE_W - 10;
  let my = L.y - 4;
  for (const [k, v] of meta) {
    if (!present(v)) continue;
    const style = k === 'N°' ? { font: 'bold' as const, size: 10 } : { font: 'regular' as const, size: 8.5 };
    const labelW = L.width(k, 'regular', 8.5) + 8;
    L.text(x, my, k, { size: 8.5, color: MUTED });
    // a long number wraps right-aligned beside its label (drawn unwrapped, it ran off the left edge)
    for (const line of L.wrap(v, boxW - labelW, style.font, style.size, MAX_BLOCK_LINES)) {
      L.text(x + labelW, my, line, { ...style, alignRight: boxW - labelW });
      my -= LINE_H + 1;
    }
  }
  L.y = Math.min(L.y - 30, my, titleEnd) - 8;
}

/** The smallest size the title is shrunk to on one line; a longer one wraps at it. */
const TITLE_MIN_SIZE = 14;

/** The title at 20 pt, shrunk to fit its room, or wrapped ("FACTURE RECTIFICATIVE (AUTOFACTURATION, AFFACTURAGE)"). */
function titleLines(L: Layout, title: string): { size: number; lines: string[] } {
  const one = L.fit(title, TITLE_W, 'bold', 20);
  return one.size >= TITLE_MIN_SIZE && one.lines.length === 1 ? one : { size: TITLE_MIN_SIZE, lines: L.wrap(title, TITLE_W, 'bold', TITLE_MIN_SIZE, MAX_BLOCK_LINES) };
}

export interface RenderOptions {
  profile: FacturXProfile;
}

/** Draws the invoice into `doc` (pages are added); returns the number of pages. */
export function renderInvoice(doc: PDFDocument, fonts: Record<FontKey, PDFFont>, inv: Invoice, opts: RenderOptions): number {
  const L = new Layout(doc, fonts);
  header(L, inv);
  const colW = CONTENT_WIDTH / 2 - 10;
  partyColumns(L, [
    { title: 'VENDEUR', x: MARGIN, rows: partyRows(L, inv.seller, colW) },
    { title: 'ACHETEUR', x: MARGIN + CONTENT_WIDTH / 2 + 10, rows: partyRows(L, inv.buyer, colW) },
  ]);
  // references
  const refs: Pair[] = [
    ['Code service', inv.buyerReference],
    ["N° d'engagement", engagementNumber(inv)],
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
