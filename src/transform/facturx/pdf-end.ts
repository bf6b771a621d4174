/**
 * Whether a PDF's bytes reach its end. A PDF ends with the %%EOF marker (ISO 32000-1 §7.5.5);
 * readers look for it in the last 1024 bytes, so that a few bytes after it (a gateway's line,
 * padding) are no harm. pdf-lib reads what it can of a file cut during the transfer, and the
 * catalog and the embedded XML are often in its first KB: an official sample cut to an eighth
 * of its size was accepted, and the pivot carried as the invoice's own PDF a file no viewer opens.
 */

/** How far from the end readers look for %%EOF (Acrobat's bound, PDF Reference implementation note). */
const EOF_WINDOW = 1024;

/** PDF white-space characters (ISO 32000-1, table 1): trailing ones are padding, not data. */
const WHITE_SPACE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);

const EOF_MARKER = Buffer.from('%%EOF', 'latin1');

/** True when %%EOF stands in the last 1024 bytes before any trailing white space. */
export function reachesEof(pdf: Uint8Array): boolean {
  let end = pdf.length;
  while (end > 0 && WHITE_SPACE.has(pdf[end - 1])) end--;
  const start = Math.max(0, end - EOF_WINDOW);
  return Buffer.from(pdf.buffer, pdf.byteOffset + start, end - start).includes(EOF_MARKER);
}
