/**
 * The report as CSV (RFC 4180, comma, CRLF, UTF-8): one row per invoice of the day's files,
 * and one row for a file without invoices (refused before parsing, lost). Text cells that a
 * spreadsheet would take for a formula are prefixed with an apostrophe; an amount is not when it
 * reads as a number (the journal keeps a refused invoice's amounts as the supplier wrote them:
 * `=HYPERLINK(…)` in a TaxExclusiveAmount is text, and prefixed like any other).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { tempNameFor } from '../emit/atomic-write';
import type { InvoiceRow } from './types';

/** The columns, in order: the row field and the CSV header name. */
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
  // last, so that the columns before keep their place: what the amounts mean (381…: a credit) and their currency
  ['typeCode', 'type_code'],
  ['currency', 'currency'],
];

/** Columns of numbers (amounts may be negative): a cell of one is left as it is when it reads as a number. */
const NUMERIC = CSV_COLUMNS.map(([k]) => k === 'montantHT' || k === 'montantTTC' || k === 'index' || k === 'idCpro');

const FORMULA = /^[=+\-@\t\r]/;
const QUOTE = /[",\r\n]/;

const NUMBER = /^-?\d+(\.\d+)?$/;

export function csvCell(value: string, numeric = false): string {
  let v = value;
  if (FORMULA.test(v) && !(numeric && NUMBER.test(v))) v = `'${v}`;
  return QUOTE.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** One CSV line from the cells of a row, in CSV_COLUMNS order. */
export function csvLine(cells: readonly string[]): string {
  let line = '';
  for (let k = 0; k < cells.length; k++) line += (k ? ',' : '') + csvCell(cells[k], NUMERIC[k]);
  return line;
}

export function rowCells(r: InvoiceRow): string[] {
  return CSV_COLUMNS.map(([k]) => r[k]);
}

const HEADER = CSV_COLUMNS.map(([, h]) => h).join(',');

/** The whole CSV as a string (rows in the order given: the report's order). */
export function renderCsv(rows: Iterable<readonly string[]>): string {
  const lines = [HEADER];
  for (const r of rows) lines.push(csvLine(r));
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * Writes the CSV to `target` as it is produced (a day of 100,000 invoices is never one string
 * in memory), atomically: temp file in the same folder, fsync, rename, as writeFileAtomic does.
 */
export async function writeCsvFile(target: string, rows: Iterable<readonly string[]>): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = tempNameFor(target);
  const fh = await fs.open(tmp, 'wx', 0o644);
  try {
    let chunk = `${HEADER}\r\n`;
    for (const r of rows) {
      chunk += `${csvLine(r)}\r\n`;
      if (chunk.length > 1 << 20) {
        await fh.write(chunk);
        chunk = '';
      }
    }
    if (chunk) await fh.write(chunk);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  try {
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
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
