/**
 * The Info dictionary's text strings (title, author, subject, keywords, creator, producer) as
 * pdf-lib's `PDFHexString.fromText` writes them: a UTF-16BE byte order mark, then every UTF-16
 * code unit as four upper-case hex digits (a surrogate pair as its two units, a lone surrogate
 * as itself). pdf-lib makes an array of code units and pads and upper-cases each one's hex
 * text: 0.8 % of a Factur-X's time for six short strings. Here Node's encoders do it in one
 * go; the creator, producer and keywords, the same for every document, are kept.
 */
import { PDFHexString } from 'pdf-lib';

const BOM = 'FEFF';

/** Texts seen recently, most of them every time (the producer, the keywords of each profile). */
const kept = new Map<string, string>();
const KEPT_MAX = 64;

/** The hex digits fromText writes for `text`. */
export function utf16Hex(text: string): string {
  const b = Buffer.from(text, 'utf16le');
  b.swap16();
  return BOM + b.toString('hex').toUpperCase();
}

/** As `PDFHexString.fromText(text)`, the same bytes. */
export function hexText(text: string): PDFHexString {
  let hex = kept.get(text);
  if (hex === undefined) {
    hex = utf16Hex(text);
    if (kept.size >= KEPT_MAX) kept.clear();
    kept.set(text, hex);
  }
  return PDFHexString.of(hex);
}
