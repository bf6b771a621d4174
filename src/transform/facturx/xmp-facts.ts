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

/** A property of the XMP, as an element (<fx:X>v</fx:X>) or an attribute (fx:X="v"), whatever its prefix. */
function property(xmp: string, name: string): string | undefined {
  const element = new RegExp(`<(?:[\\w.-]+:)?${name}>\\s*([^<]*?)\\s*</(?:[\\w.-]+:)?${name}>`).exec(xmp);
  if (element) return element[1];
  const attribute = new RegExp(`\\s(?:[\\w.-]+:)?${name}\\s*=\\s*["']([^"']*)["']`).exec(xmp);
  return attribute?.[1]?.trim();
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
  return { conformance: property(text, 'ConformanceLevel'), pdfaPart: property(text, 'part') };
}
