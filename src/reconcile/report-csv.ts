/**
 * The report as CSV (RFC 4180, comma, CRLF, UTF-8): one row per invoice of the day's files,
 * and one row for a file without invoices (refused before parsing, lost). Text cells that a
 * spreadsheet would take for a formula are prefixed with an apostrophe; amounts are not.
 */
import type { InvoiceRow } from './types';

export const CSV_COLUMNS: [keyof InvoiceRow, string][] = [
  ['partner', 'partner'],
  ['file', 'file'],
  ['sha256', 'file_sha256'],
  ['receivedAt', 'uploaded_at'],
  ['journaledAt', 'received_at'],
  ['writer', 'writer'],
  ['fileOutcome', 'file_outcome'],
  ['kind', 'flux_kind'],
  ['index', 'invoice_index'],
  ['number', 'invoice_number'],
  ['supplierId', 'supplier_id'],
  ['buyerSiret', 'buyer_siret'],
  ['recepteurId', 'recepteur_id'],
  ['idCpro', 'id_cpro'],
  ['invoiceOutcome', 'invoice_outcome'],
  ['state', 'state'],
  ['renvoi', 'renvoi'],
  ['montantHT', 'montant_ht'],
  ['montantTTC', 'montant_ttc'],
  ['pivot', 'pivot'],
  ['rules', 'rules'],
  ['anomalies', 'anomalies'],
];

const NUMERIC = new Set<keyof InvoiceRow>(['montantHT', 'montantTTC', 'index', 'idCpro']);

export function csvCell(value: string, numeric = false): string {
  let v = value;
  if (!numeric && /^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function cmpRow(a: InvoiceRow, b: InvoiceRow): number {
  const ka = [a.partner, a.file, a.sha256];
  const kb = [b.partner, b.file, b.sha256];
  for (let k = 0; k < ka.length; k++) if (ka[k] !== kb[k]) return ka[k] < kb[k] ? -1 : 1;
  return Number(a.index || 0) - Number(b.index || 0);
}

export function renderCsv(rows: InvoiceRow[]): string {
  const lines = [CSV_COLUMNS.map(([, h]) => h).join(',')];
  for (const r of [...rows].sort(cmpRow)) lines.push(CSV_COLUMNS.map(([k]) => csvCell(r[k], NUMERIC.has(k))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Parses what renderCsv wrote (for tests and tools): rows of cells, quotes undone. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let k = 0; k < text.length; k++) {
    const c = text[k];
    if (quoted) {
      if (c === '"' && text[k + 1] === '"') {
        cell += '"';
        k++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[k + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      k++;
    } else cell += c;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
