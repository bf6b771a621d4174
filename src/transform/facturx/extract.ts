/**
 * Reads the invoice XML embedded in a Factur-X / ZUGFeRD PDF (pdf-lib, no rendering).
 * Looks in the catalog's /AF array and in the /Names /EmbeddedFiles name tree.
 */
import { decodePDFRawStream, PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFString, type PDFObject } from 'pdf-lib';
import { FluxError } from '../../model/flux-error';
import { fitName } from '../enrich/attachment-names';
import { reachesEof } from './pdf-end';
import { forbiddenActions } from './pdf-actions';
import { loadPdfQuietly } from './quiet-pdf-load';
import { xmpFacts, type XmpFacts } from './xmp-facts';

/** File names under which the structured invoice travels, in order of preference. */
export const EMBEDDED_INVOICE_NAMES = ['factur-x.xml', 'zugferd-invoice.xml', 'ZUGFeRD-invoice.xml', 'xrechnung.xml'];

export interface EmbeddedInvoice {
  name: string;
  xml: Uint8Array;
  /** what the PDF's XMP metadata says of it (profile, PDF/A part) */
  xmp?: XmpFacts;
  /** the active content PDF/A-3 forbids that its PDF holds, in words (pdf-actions.ts); empty when none */
  actions?: string[];
}

function str(o: PDFObject | undefined): string | undefined {
  if (o instanceof PDFString || o instanceof PDFHexString) return o.decodeText();
  return undefined;
}

/** More nodes than any real PDF's embedded-files name tree has. */
const MAX_NAME_TREE_NODES = 10_000;

/** The embedded XML is read 1 MB at a time, so that a compression bomb stops at the limit. */
const DECODE_CHUNK = 1 << 20;

/** Default bound of the embedded XML: an invoice with its attachments is at most 120 MB (Chorus Pro). */
export const DEFAULT_MAX_EMBEDDED_BYTES = 125829120;

/**
 * The stream's decoded bytes, or FLUX-TAILLE as soon as they and the `before` bytes of the
 * invoice files read before it pass `max` (a few KB of zeros inflate to GBs).
 */
function decodeCapped(stream: PDFRawStream, name: string, max: number, before = 0): Uint8Array {
  const decoder = decodePDFRawStream(stream);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const chunk = decoder.getBytes(DECODE_CHUNK) as Uint8Array;
    if (chunk.length === 0) break;
    total += chunk.length;
    if (before + total > max) {
      const what = before === 0 ? `The embedded file "${name}" decompresses` : `The embedded invoice files ("${name}" and those read before it) decompress`;
      throw new FluxError('FLUX-TAILLE', `${what} to more than ${max} bytes (the limit of an invoice with its attachments); it is not read further.`);
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

function collectFileSpecs(doc: PDFDocument): PDFDict[] {
  const out: PDFDict[] = [];
  const lookupDict = (o: PDFObject | undefined): PDFDict | undefined => {
    const r = o === undefined ? undefined : doc.context.lookup(o);
    return r instanceof PDFDict ? r : undefined;
  };
  const af = doc.catalog.lookup(PDFName.of('AF'));
  if (af instanceof PDFArray) for (const o of af.asArray()) { const d = lookupDict(o); if (d) out.push(d); }
  const names = doc.catalog.lookup(PDFName.of('Names'));
  const ef = names instanceof PDFDict ? names.lookup(PDFName.of('EmbeddedFiles')) : undefined;
  // a name tree is a tree, but a hostile file can make a node its own kid (ten times over: 10^20
  // visits under a depth bound alone); each node is walked once, and only so many of them
  const seen = new Set<PDFDict>();
  const walk = (node: PDFObject | undefined, depth: number): void => {
    const d = lookupDict(node);
    if (!d || depth > 20 || seen.has(d) || seen.size >= MAX_NAME_TREE_NODES) return;
    seen.add(d);
    const arr = d.lookup(PDFName.of('Names'));
    if (arr instanceof PDFArray) {
      for (let i = 1; i < arr.size(); i += 2) { const spec = lookupDict(arr.get(i)); if (spec) out.push(spec); }
    }
    const kidsArr = d.lookup(PDFName.of('Kids'));
    if (kidsArr instanceof PDFArray) for (const k of kidsArr.asArray()) walk(k, depth + 1);
  };
  walk(ef, 0);
  return out;
}

/** Why pdf-lib could not load a PDF, in words a partner can act on (the reason goes into status flows). */
function unreadablePdf(e: unknown): FluxError {
  const err = e as Error;
  if (err?.constructor?.name === 'EncryptedPDFError' || /is encrypted/i.test(err?.message ?? '')) {
    return new FluxError('FLUX-PDF', 'The PDF is encrypted (password-protected): a Factur-X must not be encrypted (PDF/A forbids it). Send it without protection.');
  }
  if (/No PDF header found/i.test(err?.message ?? '')) return new FluxError('FLUX-PDF', 'The file is not a PDF: it has no %PDF header.');
  return new FluxError('FLUX-PDF', 'The PDF cannot be read: it is damaged or incomplete (cut during the transfer?).');
}

/** How long an embedded file's name may be in a refusal: five of them and the sentence fit in 300 characters. */
const SHOWN_NAME = 30;

/**
 * An embedded file's name as a refusal shows it: the name is the sender's, and a PDF may give
 * 5000 characters (the reason ran to 5205, its end cut off in the status flow), a NUL, or a
 * right-to-left override that shows "facture\u202Egnp.exe" as "facture" + "exe.png".
 */
function shownName(name: string): string {
  const cleaned = name.replace(/[\p{Cc}\p{Cf}]/gu, '').trim();
  return fitName(cleaned === '' ? '?' : cleaned, SHOWN_NAME);
}

/**
 * Why an embedded file's stream could not be decoded, in a partner's words: pdf-lib said "Expected
 * instance of PDFName or PDFArray, but got instance of PDFString" of a /Filter that is a string,
 * "Unknown compression method in flate stream: 97, 98" of damaged data.
 */
function decodeFailure(e: unknown): string {
  // pdf-lib's errors reach here as plain Errors (its subclasses return Error.call's object): told by their words
  const message = (e as Error)?.message ?? '';
  const filter = /^(.*) stream encoding not supported$/s.exec(message)?.[1];
  if (filter !== undefined) return `its filter "${shownName(filter)}" is not one a PDF reader knows (a Factur-X's XML is FlateDecode).`;
  if (/^Expected instance of /.test(message)) return 'its /Filter is neither a filter name nor a list of them.';
  return 'its compressed data is damaged.';
}

function cutPdf(): FluxError {
  return new FluxError('FLUX-PDF', 'The PDF cannot be read: it is damaged or incomplete, it does not end with %%EOF, the end mark of a whole PDF (cut during the transfer?). Send the whole file again.');
}

/** Returns the embedded invoice XML, or throws FluxError FLUX-FACTURX-NOXML / FLUX-PDF. */
export async function extractEmbeddedInvoice(pdf: Uint8Array, maxXmlBytes = DEFAULT_MAX_EMBEDDED_BYTES): Promise<EmbeddedInvoice> {
  // before pdf-lib, which reads a cut file's first objects as if they were the whole PDF
  if (!reachesEof(pdf)) throw cutPdf();
  let doc: PDFDocument;
  try {
    doc = await loadPdfQuietly(pdf, { updateMetadata: false, throwOnInvalidObject: false });
  } catch (e) {
    throw unreadablePdf(e);
  }
  try {
    return { ...findEmbeddedInvoice(doc, maxXmlBytes), xmp: xmpFacts(doc), actions: forbiddenActions(doc) };
  } catch (e) {
    if (e instanceof FluxError) throw e;
    // loaded leniently, but with no catalog or name tree to walk (a header and nothing else)
    throw unreadablePdf(e);
  }
}

function findEmbeddedInvoice(doc: PDFDocument, maxXmlBytes: number): EmbeddedInvoice {
  const specs = collectFileSpecs(doc);
  const byName = new Map<string, PDFDict>();
  // every embedded file under an invoice's name, in order of preference (a name may come twice)
  const candidates: { name: string; spec: PDFDict }[] = [];
  const listed = new Set<PDFDict>();
  for (const spec of specs) {
    const name = str(spec.lookup(PDFName.of('UF'))) ?? str(spec.lookup(PDFName.of('F')));
    if (name === undefined) continue;
    if (!byName.has(name)) byName.set(name, spec);
    const wanted = EMBEDDED_INVOICE_NAMES.find((w) => w.toLowerCase() === name.toLowerCase());
    if (wanted && !listed.has(spec)) candidates.push({ name: wanted, spec });
    listed.add(spec);
  }
  candidates.sort((a, b) => EMBEDDED_INVOICE_NAMES.indexOf(a.name) - EMBEDDED_INVOICE_NAMES.indexOf(b.name));
  const read: EmbeddedInvoice[] = [];
  // a stream is decoded once however many file specifications name it, and all those decoded
  // share the size limit: a 75 KB PDF naming one 50 MB stream 200 times took 44 s of CPU (an
  // hour for 20,000), as many file specifications of a small XML took quadratic time
  const decoded = new Set<PDFRawStream>();
  let inflated = 0;
  for (const { name: wanted, spec } of candidates) {
    const ef = spec.lookup(PDFName.of('EF'));
    const stream = ef instanceof PDFDict ? ef.lookup(PDFName.of('F')) ?? ef.lookup(PDFName.of('UF')) : undefined;
    if (!(stream instanceof PDFRawStream)) {
      if (read.length === 0 && candidates.length === 1) throw new FluxError('FLUX-FACTURX-NOXML', `The PDF names an embedded file "${wanted}" but holds no readable content for it.`);
      continue;
    }
    if (decoded.has(stream)) continue;
    decoded.add(stream);
    let xml: Uint8Array;
    try {
      xml = decodeCapped(stream, wanted, maxXmlBytes, inflated);
    } catch (e) {
      if (e instanceof FluxError) throw e;
      throw new FluxError('FLUX-FACTURX-NOXML', `The embedded file "${wanted}" cannot be decoded: ${decodeFailure(e)}`);
    }
    inflated += xml.length;
    // the same invoice under two names (ZUGFeRD and Factur-X both) is one invoice, a byte-order
    // mark or line ends apart; two different ones cannot be told apart, whatever else is embedded
    if (read.some((r) => sameText(r.xml, xml))) continue;
    read.push({ name: wanted, xml });
    if (read.length > 1) {
      throw new FluxError('FLUX-FACTURX-AMBIGU', `The PDF embeds different invoice files (${read.map((r) => r.name).join(', ')}): which one is the invoice cannot be told. Send a Factur-X with one.`);
    }
  }
  if (read.length === 1) return read[0];
  if (candidates.length > 0) throw new FluxError('FLUX-FACTURX-NOXML', `The PDF names an embedded file "${candidates[0].name}" but holds no readable content for it.`);
  const found = [...byName.keys()].slice(0, 5).map(shownName).join(', ');
  throw new FluxError(
    'FLUX-FACTURX-NOXML',
    `The PDF holds no embedded factur-x.xml or zugferd-invoice.xml${found ? ` (embedded files: ${found})` : ''}: a PDF alone is not a structured invoice.`,
  );
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The bytes of an XML text without a leading UTF-8 byte-order mark and with LF line ends. */
function textBytes(x: Uint8Array): Buffer {
  let b = Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  if (b.subarray(0, 3).equals(UTF8_BOM)) b = b.subarray(3);
  return b.includes(0x0d) ? Buffer.from(b.toString('latin1').replace(/\r\n?/g, '\n'), 'latin1') : b;
}

/** Two embedded files that hold the same XML text (one saved with a BOM or CRLF line ends). */
function sameText(a: Uint8Array, b: Uint8Array): boolean {
  return textBytes(a).equals(textBytes(b));
}
