/**
 * What an inbound Factur-X's PDF says of itself in its XMP metadata (the catalog's /Metadata):
 * its Factur-X conformance level (fx:ConformanceLevel) and its PDF/A part (pdfaid:part). The
 * invoice is read from the embedded XML whatever they say; a reader that trusts the metadata
 * (an archive, a viewer) takes the PDF for what they say, so a disagreement is worth a warning.
 */
import { decodePDFRawStream, PDFName, PDFRawStream, type PDFDocument } from 'pdf-lib';

export interface XmpFacts {
  /** fx:ConformanceLevel as written (EN 16931, BASIC…), when the XMP has one */
  conformance?: string;
  /** pdfaid:part as written (3 for PDF/A-3), when the XMP has one */
  pdfaPart?: string;
}

/** XMP is a few KB; more is not metadata worth reading. */
const MAX_XMP_BYTES = 1 << 20;

/** A property of the XMP, as an element (<fx:X>v</fx:X>) or an attribute (fx:X="v"), of `prefix` (any when undefined). */
function property(xmp: string, name: string, prefix?: string): string | undefined {
  const p = prefix === undefined ? '(?:[\\w.-]+:)?' : `${prefix}:`;
  const element = new RegExp(`<${p}${name}>\\s*([^<]*?)\\s*</${p}${name}>`).exec(xmp);
  if (element) return element[1];
  const attribute = new RegExp(`\\s${p}${name}\\s*=\\s*["']([^"']*)["']`).exec(xmp);
  return attribute?.[1]?.trim();
}

/** The PDF/A identification schema: its `part` only (a PDF/UA's pdfuaid:part is another). */
const PDFA_ID_NS = 'http://www.aiim.org/pdfa/ns/id/';

/** The prefix the XMP binds to `ns` (pdfaid, usually), undefined when it binds none. */
function prefixOf(xmp: string, ns: string): string | undefined {
  return new RegExp(`xmlns:([\\w.-]+)\\s*=\\s*["']${ns.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}["']`).exec(xmp)?.[1];
}

export function xmpFacts(doc: PDFDocument): XmpFacts {
  let stream;
  try {
    stream = doc.catalog.lookup(PDFName.of('Metadata'));
  } catch {
    return {};
  }
  if (!(stream instanceof PDFRawStream)) return {};
  let text: string;
  try {
    const bytes = decodePDFRawStream(stream).getBytes(MAX_XMP_BYTES) as Uint8Array;
    text = Buffer.from(bytes).toString('utf8');
  } catch {
    return {};
  }
  const pdfaid = prefixOf(text, PDFA_ID_NS);
  return { conformance: property(text, 'ConformanceLevel'), pdfaPart: pdfaid === undefined ? undefined : property(text, 'part', pdfaid) };
}
