/**
 * pdf-lib's lenient parser reports what it repairs with console.warn ("Trying to parse invalid
 * object", "Invalid object ref: 12 0 R"): plain lines on stderr, outside the JSON logs and
 * even under `--quiet`. A damaged PDF is judged by what can be read from it, so those notes are
 * dropped while a PDF loads. Loads overlap (several files in flight): console.warn is silenced
 * from the first to the last.
 */
import { PDFDocument, type LoadOptions } from 'pdf-lib';

let loading = 0;
let saved: typeof console.warn | undefined;

export async function loadPdfQuietly(pdf: Uint8Array, options: LoadOptions): Promise<PDFDocument> {
  if (loading++ === 0) {
    saved = console.warn;
    console.warn = () => undefined;
  }
  try {
    return await PDFDocument.load(pdf, options);
  } finally {
    if (--loading === 0 && saved) {
      console.warn = saved;
      saved = undefined;
    }
  }
}
